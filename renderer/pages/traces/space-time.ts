// The layout of a trace's space-time diagram (Lamport's picture of a distributed computation):
// a column per node, its lifeline running down as time passes, and an arrow per message from the
// coordinator's lifeline when it was sent to the replica's when its reply came back (or to a
// cross where it failed, or to the end while it is still awaited). The rules where the quorum
// was met and where the answer went out cross every lifeline.
//
// Time runs down at one scale in milliseconds, except that a long idle stretch (a time-out, a
// fallback written a second after the answer) is cut out and drawn as a marked break, so that
// the few milliseconds in which a request is decided stay readable beside it. Labels are placed
// so that none overlaps another. Pure: the component only draws what this returns.

import type { TraceMessage, TraceMessageKind, TraceView } from '../../../core/admin/admin-api.js';
import { failed, formatMs, quorumMet, quorumName, replyText, roleText } from './trace-text.js';

export const diagramSizes = {
  /** Left of the first lifeline: the time axis and its labels. */
  axisWidth: 100,
  firstColumnX: 176,
  columnGap: 160,
  /** y of the moment the trace began (the node ids and roles sit above it). */
  timeTop: 70,
  /** Right of the last lifeline: its labels and the rules' labels. */
  rightGutter: 204,
  bottomPad: 24,
  /** Height of a cut-out idle stretch… */
  breakPx: 30,
  /** …after room for the labels of what happened just before it. */
  breakLeadPx: 28,
  selfLoopWidth: 30,
  /** Height a self-message's loop keeps however quick it was, so it can be seen. */
  selfLoopMinPx: 12,
  labelFontPx: 11,
  labelLineHeight: 13,
  /** Least room between two ticks of the time axis. */
  tickSpacingPx: 44,
};

/** An idle stretch is cut out when it is longer than this many times all the rest together… */
const breakRatio = 3;
/** …and the rest would otherwise get less than this many pixels. */
const restPxMin = 140;
/** An arrow's label's first baseline, below the arrow's end. */
const labelDropPx = 15;

export type ArrowLook = 'quorum' | 'reply' | 'fallback' | 'repair' | 'forward' | 'failed' | 'pending';

export interface DiagramColumn {
  node: string;
  x: number;
  /** What the node was to the request: "coordinator · primary", "fallback for n2". */
  role: string;
  fallback: boolean;
}

export interface LabelBox {
  x: number;
  /** Baseline of the first line. */
  y: number;
  anchor: 'start' | 'end';
  lines: string[];
}

export interface DiagramArrow {
  /** 1-based, as the message table numbers them. */
  number: number;
  message: TraceMessage;
  look: ArrowLook;
  /** A self-message (the coordinator's own replica) is a loop beside its lifeline. */
  self: boolean;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** How it ends: an arrowhead (answered), a cross (failed) or an open end (still awaited). */
  end: 'head' | 'cross' | 'open';
  label: LabelBox;
}

export interface DiagramRule {
  kind: 'quorum' | 'answer';
  y: number;
  atMs: number;
  /** Absent when the other rule's label names both (they fell in the same millisecond). */
  label?: LabelBox;
}

export interface DiagramTick {
  y: number;
  label: string;
}

export interface DiagramBreak {
  y0: number;
  y1: number;
  label: string;
}

export interface SpaceTimeLayout {
  width: number;
  height: number;
  columns: DiagramColumn[];
  arrows: DiagramArrow[];
  rules: DiagramRule[];
  ticks: DiagramTick[];
  breaks: DiagramBreak[];
  /** Lifelines run from timeTop to here. */
  bottom: number;
  /** The last moment shown (ms since the trace began). */
  endMs: number;
}

// ── Time ────────────────────────────────────────────────────────────────────────────────────

interface Segment {
  from: number;
  to: number;
  y0: number;
  y1: number;
  broken: boolean;
}

export interface TimeScale {
  y(ms: number): number;
  segments: Segment[];
  bottom: number;
}

/**
 * Maps milliseconds to y: `heightPx` for the stretches that are drawn to scale, plus breakPx for
 * each idle stretch cut out. `times` is every moment that matters (sends, replies, the answer).
 * The stretch before the first of them (the request had arrived, nothing was sent yet: a cold
 * start, a queue) is cut out once it is longer than all the rest; a later one once it is
 * breakRatio times longer than the others that remain and would squash them.
 */
export function timeScale(times: readonly number[], top: number, heightPx: number, breakPx = diagramSizes.breakPx): TimeScale {
  const points = [...new Set([0, ...times])].sort((a, b) => a - b);
  // Everything at one instant still gets a span: a millisecond, the nodes' resolution.
  if (points.length === 1) points.push(points[0] + 1);
  const gaps = points.slice(1).map((point, i) => point - points[i]);
  const leading = gaps.length > 1 && !times.includes(points[0]);
  const broken = new Set<number>();
  const later = gaps.map((_, index) => index).filter((index) => !leading || index > 0);
  let rest = later.reduce((sum, index) => sum + gaps[index], 0);
  for (const i of later.sort((a, b) => gaps[b] - gaps[a])) {
    const others = rest - gaps[i];
    if (others > 0 && gaps[i] > breakRatio * others && (others * heightPx) / rest < restPxMin) {
      broken.add(i);
      rest = others;
    } else {
      break;
    }
  }
  if (leading && rest > 0 && gaps[0] > rest) broken.add(0);
  const drawn = gaps.reduce((sum, gap, i) => (broken.has(i) ? sum : sum + gap), 0);
  const pxPerMs = heightPx / drawn;
  const segments: Segment[] = [];
  let y = top;
  gaps.forEach((gap, i) => {
    // A cut before the first moment needs no room for labels above it.
    const height = broken.has(i) ? (leading && i === 0 ? breakPx : diagramSizes.breakLeadPx + breakPx) : gap * pxPerMs;
    segments.push({ from: points[i], to: points[i + 1], y0: y, y1: y + height, broken: broken.has(i) });
    y += height;
  });
  const bottom = y;
  return {
    segments,
    bottom,
    y(ms: number): number {
      if (ms <= points[0]) return top;
      for (const segment of segments) {
        if (ms <= segment.to) return segment.y0 + ((ms - segment.from) / (segment.to - segment.from)) * (segment.y1 - segment.y0);
      }
      return bottom;
    },
  };
}

/** The smallest of 1, 2, 5 × 10^k that is at least `ms`. */
export function niceStep(ms: number): number {
  if (!(ms > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(ms));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= ms - 1e-12) return factor * power;
  return 10 * power;
}

/** Labelled ticks along each stretch drawn to scale, at least tickSpacingPx apart. */
export function timeTicks(scale: TimeScale, wholeMs: boolean): DiagramTick[] {
  const ticks: DiagramTick[] = [];
  const add = (ms: number) => {
    const y = scale.y(ms);
    if (ticks.some((tick) => Math.abs(tick.y - y) < diagramSizes.tickSpacingPx * 0.6)) return;
    ticks.push({ y, label: formatMs(Number(ms.toPrecision(12))) });
  };
  // The moment the request arrived, even when what follows it is cut out.
  if (scale.segments.length > 0) add(scale.segments[0].from);
  for (const segment of scale.segments) {
    if (segment.broken) continue;
    const pxPerMs = (segment.y1 - segment.y0) / (segment.to - segment.from);
    let step = niceStep(diagramSizes.tickSpacingPx / pxPerMs);
    if (wholeMs) step = Math.max(1, step);
    add(segment.from);
    for (let ms = Math.ceil(segment.from / step) * step; ms <= segment.to + 1e-9; ms += step) add(ms);
  }
  const last = scale.segments[scale.segments.length - 1];
  if (last !== undefined) add(last.to);
  return ticks.sort((a, b) => a.y - b.y);
}

// ── Labels ──────────────────────────────────────────────────────────────────────────────────

/** Roughly how wide a label line is (a system font at labelFontPx); enough to keep labels apart. */
export function textWidth(text: string, fontPx = diagramSizes.labelFontPx): number {
  return text.length * fontPx * 0.6;
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function boxOf(label: LabelBox): Box {
  const width = Math.max(...label.lines.map((line) => textWidth(line)));
  const left = label.anchor === 'start' ? label.x : label.x - width;
  const { labelFontPx, labelLineHeight } = diagramSizes;
  return { left: left - 2, right: left + width + 2, top: label.y - labelFontPx, bottom: label.y + (label.lines.length - 1) * labelLineHeight + 3 };
}

function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** Moves `label` down until it overlaps none of `placed`, then adds it to them. */
function place(label: LabelBox, placed: Box[]): LabelBox {
  let current = label;
  for (let tries = 0; tries < 200; tries++) {
    const box = boxOf(current);
    const hit = placed.find((other) => overlaps(box, other));
    if (hit === undefined) {
      placed.push(box);
      return current;
    }
    current = { ...current, y: current.y + (hit.bottom - box.top) + 1 };
  }
  placed.push(boxOf(current));
  return current;
}

/** Moves `label` up or down, as little as it can, until it overlaps none of `placed`; then adds it to them. */
function placeNear(label: LabelBox, placed: Box[], reachPx = 60): LabelBox {
  for (let offset = 0; offset <= reachPx; offset++) {
    for (const y of offset === 0 ? [label.y] : [label.y - offset, label.y + offset]) {
      const box = boxOf({ ...label, y });
      if (box.top >= 0 && !placed.some((other) => overlaps(box, other))) {
        placed.push(box);
        return { ...label, y };
      }
    }
  }
  return place(label, placed);
}

// ── The diagram ─────────────────────────────────────────────────────────────────────────────

function lookOf(message: TraceMessage): ArrowLook {
  if (message.reply === null) return 'pending';
  if (failed(message)) return 'failed';
  if (message.kind === 'forward') return 'forward';
  if (message.kind === 'repair') return 'repair';
  if (message.role === 'fallback') return 'fallback';
  return message.quorum ? 'quorum' : 'reply';
}

const kindWords: Record<TraceMessageKind, string> = { read: 'read', write: 'write', forward: 'forward', repair: 'read repair' };

/** The two lines beside an arrow's end: what was sent and when it came back, and what came back. */
export function arrowLines(number: number, message: TraceMessage): string[] {
  const hint = message.role === 'fallback' && message.hintFor !== undefined ? ` · hint for ${message.hintFor}` : '';
  const future = message.future === true ? ' · future replica' : '';
  const when = message.answeredAtMs === null ? `sent ${formatMs(message.sentAtMs)}` : formatMs(message.answeredAtMs);
  const quorum = message.quorum ? ' · quorum' : '';
  return [`#${number} ${kindWords[message.kind]}${hint}${future} · ${when}`, `${replyText(message.reply)}${quorum}`];
}

/** Each node once, the coordinator (or forwarding node) first, the others in the order first sent to. */
function columnsOf(trace: TraceView): DiagramColumn[] {
  const order = [trace.coordinator];
  for (const message of trace.messages) if (!order.includes(message.node)) order.push(message.node);
  return order.map((node, i) => {
    const received = trace.messages.filter((message) => message.node === node);
    const roles = [...new Set(received.map(roleText))];
    if (i === 0) roles.unshift(trace.forwardedTo !== null ? 'forwarding node' : 'coordinator');
    return {
      node,
      x: diagramSizes.firstColumnX + i * diagramSizes.columnGap,
      role: roles.join(' · '),
      fallback: i > 0 && received.length > 0 && received.every((message) => message.role === 'fallback'),
    };
  });
}

/** How tall the stretches drawn to scale are: more moments, more room. */
function scaleHeight(moments: number): number {
  return Math.min(420, Math.max(190, 90 + moments * 34));
}

export function layoutSpaceTime(trace: TraceView): SpaceTimeLayout {
  const { timeTop, rightGutter, bottomPad, selfLoopWidth, selfLoopMinPx, labelLineHeight } = diagramSizes;
  const columns = columnsOf(trace);
  const columnX = new Map(columns.map((column) => [column.node, column.x]));
  const met = quorumMet(trace);

  const moments: number[] = [];
  for (const message of trace.messages) {
    moments.push(message.sentAtMs);
    if (message.answeredAtMs !== null) moments.push(message.answeredAtMs);
  }
  if (trace.answer !== null) moments.push(trace.answer.atMs);
  if (trace.durationMs !== null) moments.push(trace.durationMs);
  const endMs = Math.max(0, ...moments);
  const scale = timeScale(moments, timeTop, scaleHeight(new Set(moments).size));
  const wholeMs = moments.every((ms) => Number.isInteger(ms));
  const lastX = columns[columns.length - 1].x;
  const width = lastX + rightGutter;
  const placed: Box[] = [];

  const arrows: DiagramArrow[] = trace.messages.map((message, i) => {
    const x1 = columnX.get(trace.coordinator)!;
    const x2 = columnX.get(message.node)!;
    const self = message.node === trace.coordinator;
    const y1 = scale.y(message.sentAtMs);
    let y2 = scale.y(message.answeredAtMs ?? endMs);
    if (self) y2 = Math.max(y2, y1 + selfLoopMinPx);
    const end = message.reply === null ? 'open' : failed(message) ? 'cross' : 'head';
    const labelX = (self ? x2 + selfLoopWidth : x2) + 8;
    // The label hangs just below the arrow's end, clear of a rule drawn at the same moment.
    return { number: i + 1, message, look: lookOf(message), self, x1, y1, x2, y2, end, label: { x: labelX, y: y2 + labelDropPx, anchor: 'start', lines: arrowLines(i + 1, message) } };
  });
  // Labels in the order of their moments, each moved down past those already placed.
  for (const arrow of [...arrows].sort((a, b) => a.label.y - b.label.y || a.x2 - b.x2)) arrow.label = place(arrow.label, placed);

  // The rules stay at their moment; their labels go at the right, above the line, or as near
  // as the arrows' labels leave room (one label when the quorum was met in the millisecond the
  // answer went out).
  const rules: DiagramRule[] = [];
  const ruleLabelX = width - 6;
  const metText = met === undefined ? undefined : `${quorumName(trace) ?? 'quorum'} met`;
  const answerText = trace.answer === null ? undefined : `answer sent: ${trace.answer.status}`;
  if (met !== undefined && trace.answer !== null && met === trace.answer.atMs) {
    const y = scale.y(met);
    const label = placeNear({ x: ruleLabelX, y: y - 4, anchor: 'end', lines: [`${metText}, ${answerText} · ${formatMs(met)}`] }, placed);
    rules.push({ kind: 'quorum', y, atMs: met, label }, { kind: 'answer', y, atMs: met });
  } else {
    if (met !== undefined) {
      const y = scale.y(met);
      rules.push({ kind: 'quorum', y, atMs: met, label: placeNear({ x: ruleLabelX, y: y - 4, anchor: 'end', lines: [`${metText} · ${formatMs(met)}`] }, placed) });
    }
    if (trace.answer !== null) {
      const y = scale.y(trace.answer.atMs);
      rules.push({ kind: 'answer', y, atMs: trace.answer.atMs, label: placeNear({ x: ruleLabelX, y: y - 4, anchor: 'end', lines: [`${answerText} · ${formatMs(trace.answer.atMs)}`] }, placed) });
    }
  }

  const labels = [...arrows.map((arrow) => arrow.label), ...rules.flatMap((rule) => (rule.label === undefined ? [] : [rule.label]))];
  const labelsBottom = Math.max(0, ...labels.map((label) => label.y + (label.lines.length - 1) * labelLineHeight));
  const bottom = Math.max(scale.bottom, ...arrows.map((arrow) => arrow.y2)) + 10;
  const height = Math.max(bottom, labelsBottom) + bottomPad;
  const breaks = scale.segments
    .filter((segment) => segment.broken)
    .map((segment) => ({ y0: segment.y1 - diagramSizes.breakPx, y1: segment.y1, label: `${formatMs(Number((segment.to - segment.from).toPrecision(12)))} later` }));
  return { width, height, columns, arrows, rules, ticks: timeTicks(scale, wholeMs), breaks, bottom, endMs };
}
