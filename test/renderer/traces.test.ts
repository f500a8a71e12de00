// Proves the Traces page's pure parts on fixed traces: the words for replies, roles, states and
// events (renderer/pages/traces/trace-text.ts); when a trace is settled; the space-time
// diagram's layout (renderer/pages/traces/space-time.ts): a column per node with the coordinator
// first, an arrow per message from its send to its reply at the right lifeline, quorum rules, a
// scale in milliseconds that cuts out a long idle stretch, and labels that never overlap; and the
// trace file format (renderer/pages/traces/trace-file.ts): what is exported opens again, and a
// wrong file is refused with what is wrong with it; a trace's address on the page; and the
// request the form's fields ask for.

import { describe, expect, it } from 'vitest';
import type { TraceMessage, TraceView } from '../../core/admin/admin-api.js';
import { arrowLines, layoutSpaceTime, niceStep, textWidth, timeScale } from '../../renderer/pages/traces/space-time.js';
import { parseTraceFile, traceFileName, traceFileText } from '../../renderer/pages/traces/trace-file.js';
import { parseTracesRoute, traceHref } from '../../renderer/pages/traces/trace-routes.js';
import { draftRequest, emptyDraft } from '../../renderer/pages/traces/trace-draft.js';
import { diagramName, formatMs, quorumMet, replyText, roleText, settled, timeline } from '../../renderer/pages/traces/trace-text.js';

function message(node: string, fields: Partial<TraceMessage> = {}): TraceMessage {
  return { kind: 'read', node, role: 'primary', sentAtMs: 0, answeredAtMs: 1, reply: { kind: 'version', siblings: 1, deleted: 0, dots: ['n1:3'] }, quorum: false, ...fields };
}

/** A GET through n1 at R = 2: n1 and n2 made the quorum, n3 answered late with an older version and was repaired. */
const get: TraceView = {
  id: 'n1-abcd-7',
  node: 'n1',
  op: 'get',
  bucket: 'carts',
  key: 'cart-1',
  partition: 5,
  coordinator: 'n1',
  forwardedTo: null,
  coordinatorTraceId: null,
  r: 2,
  w: null,
  reason: 'requested',
  startedAt: 1_700_000_000_000,
  durationMs: 2,
  states: [
    { state: 'waitingForReplicas', atMs: 0 },
    { state: 'readRepairing', atMs: 2 },
    { state: 'done', atMs: 3 },
  ],
  events: [
    { type: 'REPLY', atMs: 1, node: 'n1' },
    { type: 'REPLY', atMs: 2, node: 'n2' },
    { type: 'REPLY', atMs: 3, node: 'n3' },
  ],
  messages: [
    message('n1', { answeredAtMs: 1, quorum: true }),
    message('n2', { answeredAtMs: 2, quorum: true }),
    message('n3', { answeredAtMs: 3, reply: { kind: 'version', siblings: 1, deleted: 0, dots: ['n1:2'] } }),
    message('n3', { kind: 'repair', sentAtMs: 3, answeredAtMs: 4, reply: { kind: 'ack' } }),
  ],
  answer: { status: 'ok', summary: '1 version n1:3', atMs: 2 },
  dropped: { messages: 0, events: 0, states: 0 },
};

/** A PUT through n1 while n2 was cut off: n4 took n2's write as a hint, a second after the answer. */
const hinted: TraceView = {
  ...get,
  id: 'n1-abcd-8',
  op: 'put',
  r: null,
  w: 2,
  durationMs: 2,
  states: [
    { state: 'coordinating', atMs: 0 },
    { state: 'waitingForReplicas', atMs: 1 },
    { state: 'done', atMs: 2 },
  ],
  events: [{ type: 'STORED', atMs: 1 }],
  messages: [
    message('n1', { kind: 'write', answeredAtMs: 1, quorum: true, reply: { kind: 'version', siblings: 1, deleted: 0, dots: ['n1:4'] } }),
    message('n2', { kind: 'write', sentAtMs: 1, answeredAtMs: 1000, reply: { kind: 'timeout' } }),
    message('n3', { kind: 'write', sentAtMs: 1, answeredAtMs: 2, quorum: true, reply: { kind: 'ack' } }),
    message('n4', { kind: 'write', role: 'fallback', hintFor: 'n2', sentAtMs: 1000, answeredAtMs: null, reply: null }),
  ],
  answer: { status: 'ok', summary: 'stored as n1:4', atMs: 2 },
};

describe('trace words', () => {
  it('says what came back and what each node was', () => {
    expect(replyText({ kind: 'version', siblings: 3, deleted: 1, dots: ['n1:3', 'n2:1', 'n3:9'] })).toBe('2 siblings + 1 tombstone n1:3, n2:1 +1 more');
    expect(replyText({ kind: 'version', siblings: 1, deleted: 1, dots: ['n1:3'] })).toBe('tombstone n1:3');
    expect(replyText({ kind: 'error', code: 'unreachable', message: 'peer n2 is isolated' })).toBe('error unreachable');
    expect(replyText({ kind: 'answer', status: 'ok', traceId: null })).toBe('answered ok');
    expect(replyText(null)).toBe('no reply yet');
    expect(roleText(hinted.messages[3])).toBe('fallback for n2');
    expect(roleText(message('n5', { future: true }))).toBe('future replica');
    expect(formatMs(1204)).toBe('1,204 ms');
    expect(formatMs(0.425)).toBe('0.43 ms');
  });

  it('puts the states and events in the order the machine took them', () => {
    expect(timeline(get).map((entry) => `${entry.atMs} ${entry.name}`)).toEqual([
      '0 waitingForReplicas',
      '1 REPLY',
      '2 REPLY',
      '2 readRepairing',
      '3 REPLY',
      '3 done',
    ]);
    expect(timeline(hinted)[1]).toMatchObject({ kind: 'event', text: 'stored on this node' });
  });

  it('knows a trace is settled only once answered, every reply in and the machine done', () => {
    expect(settled(get)).toBe(true);
    expect(settled(hinted)).toBe(false);
    expect(settled({ ...get, states: get.states.slice(0, 2) })).toBe(false);
    expect(settled({ ...get, answer: null })).toBe(false);
    expect(quorumMet(get)).toBe(2);
  });

  it('names the diagram in one sentence', () => {
    expect(diagramName(get)).toBe(
      'Space-time diagram of get carts/cart-1 coordinated by n1, 4 messages: 3 reads to n1, n2 and n3, 1 repair to n3; ' +
        '2 replies from n1 and n2 made R = 2; answered ok (1 version n1:3) after 2 ms.',
    );
    expect(diagramName(hinted)).toMatch(/n4 keeps a hint for n2; 2 replies from n1 and n3 made W = 2; answered ok/);
  });
});

describe('the space-time diagram', () => {
  it('has a column per node, the coordinator first, and an arrow per message from its send to its reply', () => {
    const layout = layoutSpaceTime(get);
    expect(layout.columns.map((column) => [column.node, column.role])).toEqual([
      ['n1', 'coordinator · primary'],
      ['n2', 'primary'],
      ['n3', 'primary'],
    ]);
    expect(layout.arrows).toHaveLength(4);
    const [self, second, third, repair] = layout.arrows;
    expect(self).toMatchObject({ self: true, look: 'quorum', end: 'head' });
    expect(second).toMatchObject({ look: 'quorum', x1: layout.columns[0].x, x2: layout.columns[1].x });
    expect(third.look).toBe('reply');
    expect(repair).toMatchObject({ look: 'repair', x2: layout.columns[2].x });
    // Time runs down: later replies end lower.
    expect(second.y1).toBeLessThan(second.y2);
    expect(third.y2).toBeGreaterThan(second.y2);
    // Met in the millisecond the answer went out: two rules, one label naming both.
    expect(layout.rules.map((rule) => [rule.kind, rule.atMs, rule.label?.lines[0]])).toEqual([
      ['quorum', 2, 'R = 2 met, answer sent: ok · 2 ms'],
      ['answer', 2, undefined],
    ]);
    expect(layout.rules[0].y).toBe(second.y2);
    expect(layout.breaks).toEqual([]);
    expect(layout.ticks.map((tick) => tick.label)).toEqual(['0 ms', '1 ms', '2 ms', '3 ms', '4 ms']);
  });

  it('marks fallbacks, failures and replies still awaited, and cuts out the idle second', () => {
    const layout = layoutSpaceTime(hinted);
    expect(layout.columns.map((column) => [column.node, column.role, column.fallback])).toEqual([
      ['n1', 'coordinator · primary', false],
      ['n2', 'primary', false],
      ['n3', 'primary', false],
      ['n4', 'fallback for n2', true],
    ]);
    const [, timedOut, , fallback] = layout.arrows;
    expect(timedOut).toMatchObject({ look: 'failed', end: 'cross' });
    expect(fallback).toMatchObject({ look: 'pending', end: 'open' });
    expect(fallback.label.lines).toEqual(['#4 write · hint for n2 · sent 1,000 ms', 'no reply yet']);
    expect(layout.breaks).toEqual([{ y0: expect.any(Number), y1: expect.any(Number), label: '998 ms later' }]);
    // The two milliseconds in which the put was decided get most of the height, not 0.2 % of it.
    const decided = layout.rules.find((rule) => rule.kind === 'answer')!.y - 70;
    expect(decided).toBeGreaterThan(100);
    expect(layout.breaks[0].y1 - layout.breaks[0].y0).toBe(30);
  });

  it('places no label over another', () => {
    const crowded: TraceView = {
      ...get,
      messages: Array.from({ length: 9 }, (_, i) => message(`n${(i % 3) + 1}`, { sentAtMs: 0, answeredAtMs: 1, kind: i < 3 ? 'read' : 'repair' })),
    };
    for (const trace of [get, hinted, crowded]) {
      const layout = layoutSpaceTime(trace);
      const labels = [...layout.arrows.map((arrow) => arrow.label), ...layout.rules.flatMap((rule) => (rule.label === undefined ? [] : [rule.label]))];
      const boxes = labels.map((label) => {
        const width = Math.max(...label.lines.map((line) => textWidth(line)));
        const left = label.anchor === 'start' ? label.x : label.x - width;
        return { left, right: left + width, top: label.y - 11, bottom: label.y + (label.lines.length - 1) * 13 };
      });
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          expect(a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom, `${labels[i].lines[0]} / ${labels[j].lines[0]}`).toBe(false);
        }
      }
      expect(Math.max(...boxes.map((box) => box.bottom))).toBeLessThanOrEqual(layout.height);
    }
  });

  it('keeps one scale where no stretch dwarfs the rest, and a millisecond when all is at one instant', () => {
    const even = timeScale([0, 1, 2, 3], 0, 300);
    expect(even.segments.every((segment) => !segment.broken)).toBe(true);
    expect(even.y(1.5)).toBeCloseTo(150);
    // A forward answered 26 ms after it was sent: that wait is the content, not an idle stretch.
    expect(timeScale([1, 27, 27], 0, 300).segments.some((segment) => segment.broken)).toBe(false);
    // A machine that started 14 ms after the request arrived: the idle start is cut out.
    const coldStart = timeScale([14, 16, 18, 20, 21, 23], 0, 300);
    expect(coldStart.segments.map((segment) => segment.broken)).toEqual([true, false, false, false, false, false]);
    expect(coldStart.y(14)).toBe(30);
    const instant = timeScale([0, 0], 10, 200);
    expect(instant.y(0)).toBe(10);
    expect(instant.bottom).toBe(210);
    expect([niceStep(0.13), niceStep(3), niceStep(7), niceStep(40)]).toEqual([0.2, 5, 10, 50]);
    expect(arrowLines(2, message('n2', { quorum: true }))).toEqual(['#2 read · 1 ms', '1 version n1:3 · quorum']);
  });
});

describe('trace files', () => {
  it('opens what the page exports, and a trace saved from a node as the coordinator’s', () => {
    const text = traceFileText(hinted);
    expect(parseTraceFile('t.json', text.length, text)).toEqual({ ok: true, trace: hinted });
    const { node: _node, ...fromNode } = get;
    expect(parseTraceFile('n.json', 100, JSON.stringify(fromNode))).toEqual({ ok: true, trace: get });
    expect(traceFileName(get)).toBe('trace-n1-n1-abcd-7.json');
  });

  it('refuses a wrong file with what is wrong with it', () => {
    expect(parseTraceFile('a.json', 3, '{x')).toMatchObject({ ok: false, problem: expect.stringMatching(/^a\.json is not JSON \(/) });
    expect(parseTraceFile('a.json', 0, '')).toEqual({ ok: false, problem: 'a.json is empty' });
    expect(parseTraceFile('a.json', 9e6, '{}')).toEqual({ ok: false, problem: 'a.json is 8.6 MiB: a trace file is at most 8.0 MiB' });
    expect(parseTraceFile('list.json', 2, '[]')).toEqual({ ok: false, problem: 'list.json is not a request trace: a trace is a JSON object' });
    const bad = (change: object) => parseTraceFile('t.json', 10, JSON.stringify({ ...get, ...change }));
    expect(bad({ op: 'post' })).toEqual({ ok: false, problem: 't.json is not a request trace: op must be one of get, put, delete' });
    expect(bad({ node: 3 })).toEqual({ ok: false, problem: 't.json is not a request trace: node must be a string' });
    expect(bad({ messages: [{ ...get.messages[0], reply: { kind: 'maybe' } }] })).toEqual({
      ok: false,
      problem: 't.json is not a request trace: messages[0].reply.kind must be one of version, not_found, ack, answer, timeout, error',
    });
    expect(bad({ messages: [{ ...get.messages[0], answeredAtMs: null }] })).toMatchObject({ ok: false, problem: expect.stringMatching(/messages\[0\] must have both a reply and the time/) });
    expect(bad({ dropped: undefined })).toMatchObject({ ok: false, problem: expect.stringMatching(/dropped must be an object/) });
    expect(bad({ states: [{ state: 'done', atMs: -1 }] })).toMatchObject({ ok: false, problem: expect.stringMatching(/states\[0\]\.atMs must be a number of milliseconds from 0/) });
  });
});

describe('trace addresses', () => {
  it('names one trace by its node and id, percent-encoded, and reads it back', () => {
    expect(traceHref('n1', 'n1-abcd-7')).toBe('#/traces/n1/n1-abcd-7');
    expect(parseTracesRoute(traceHref('node/a', 'id?b'))).toEqual({ view: 'trace', node: 'node/a', id: 'id?b' });
    expect(parseTracesRoute('#/traces')).toEqual({ view: 'list' });
    expect(parseTracesRoute('#/traces/')).toEqual({ view: 'list' });
    expect(parseTracesRoute('#/traces/n1')).toMatchObject({ view: 'invalid' });
    expect(parseTracesRoute('#/traces/n1/%E0%A4%A')).toEqual({ view: 'invalid', reason: 'the address is not valid percent-encoding' });
  });
});

describe('the form', () => {
  it('asks for only the fields its operation takes', () => {
    const draft = { ...emptyDraft, bucket: 'b', key: 'k', value: 'v', context: ' ctx ', quorum: '3', contentType: ' ' };
    expect(draftRequest({ ...draft, op: 'get' }, 'n2')).toEqual({ node: 'n2', op: 'get', bucket: 'b', key: 'k', r: 3 });
    expect(draftRequest({ ...draft, op: 'put' }, 'n2')).toEqual({ node: 'n2', op: 'put', bucket: 'b', key: 'k', w: 3, context: 'ctx', value: 'v', contentType: 'text/plain; charset=utf-8' });
    expect(draftRequest({ ...draft, op: 'delete', quorum: '', context: '' }, 'n2')).toEqual({ node: 'n2', op: 'delete', bucket: 'b', key: 'k' });
    expect(draftRequest({ ...draft, op: 'put', dw: '2' }, 'n2')).toMatchObject({ w: 3, dw: 2 });
    expect(draftRequest({ ...draft, op: 'put', dw: '0' }, 'n2').dw).toBeUndefined();
  });
});
