// What the Handoff page remembers between readings (renderer/pages/handoff/handoff-tracking.ts):
// a backlog's bar is the part delivered of the largest backlog seen and reaches 1 when it is
// drained, also when the holder stops listing it; a backlog that grows again after it drained
// starts over; a holder that cannot be read keeps its last figures, marked stale. A transfer
// follows its progress events, ends with its `transfer` event or when no member lists it any
// more, is not taken back to "waiting" by a member that has not heard it ended, and reaches 1
// only once done. Ended ones stay for a while, then go.

import { describe, expect, it } from 'vitest';
import type { ConsoleEvent, HandoffView, HintBacklog, TransferView } from '../../core/admin/admin-api.js';
import {
  emptyTracking,
  finishedKeepMs,
  hintFraction,
  hintRows,
  trackEvent,
  trackView,
  transferFraction,
  transferRows,
  type HandoffTracking,
} from '../../renderer/pages/handoff/handoff-tracking.js';

const backlog = (holder: string, target: string, pending: number, delivering = false): HintBacklog => ({
  holder,
  target,
  pending,
  oldestAgeMs: pending > 0 ? 5000 : 0,
  delivering,
  deliveredPerSec: delivering ? 10 : 0,
});

const reading = (at: number, hints: HintBacklog[], transfers: TransferView[] = [], unreachable: string[] = []): HandoffView => ({
  at,
  hints,
  transfers,
  unreachable: unreachable.map((node) => ({ node, message: `${node} does not answer` })),
});

function readAll(...views: HandoffView[]): HandoffTracking {
  return views.reduce(trackView, emptyTracking);
}

describe('hint backlogs', () => {
  it('draws the part delivered of the largest backlog seen, up to 1 when drained', () => {
    const waiting = readAll(reading(1, [backlog('n1', 'n3', 10)]), reading(2, [backlog('n1', 'n3', 40)]));
    const [row] = hintRows(waiting);
    expect(row).toMatchObject({ peak: 40, pending: 40, phase: 'waiting' });
    expect(hintFraction(row)).toBe(0);

    const draining = trackView(waiting, reading(3, [backlog('n1', 'n3', 30, true)]));
    expect(hintRows(draining)[0]).toMatchObject({ peak: 40, phase: 'draining' });
    expect(hintFraction(hintRows(draining)[0])).toBe(0.25);

    const drained = trackView(draining, reading(4, [backlog('n1', 'n3', 0)]));
    expect(hintRows(drained)[0]).toMatchObject({ phase: 'delivered', drainedAt: 4 });
    expect(hintFraction(hintRows(drained)[0])).toBe(1);
  });

  it('counts a backlog the holder stops listing as delivered, and forgets it after a while', () => {
    const draining = readAll(reading(1, [backlog('n1', 'n3', 8)]), reading(2, [backlog('n1', 'n3', 2, true)]));
    const gone = trackView(draining, reading(3, []));
    expect(hintRows(gone)[0]).toMatchObject({ phase: 'delivered', pending: 0, peak: 8, drainedAt: 3 });
    expect(hintRows(trackView(gone, reading(3 + finishedKeepMs - 1, [])))).toHaveLength(1);
    expect(hintRows(trackView(gone, reading(3 + finishedKeepMs, [])))).toEqual([]);
  });

  it('starts over when a drained backlog grows again', () => {
    const again = readAll(reading(1, [backlog('n1', 'n3', 8)]), reading(2, [backlog('n1', 'n3', 0)]), reading(3, [backlog('n1', 'n3', 3)]));
    expect(hintRows(again)[0]).toMatchObject({ peak: 3, pending: 3, phase: 'waiting' });
    expect(hintRows(again)[0].drainedAt).toBeUndefined();
  });

  it('keeps the last figures of a holder that cannot be read, marked stale', () => {
    const stale = readAll(reading(1, [backlog('n2', 'n3', 6)]), reading(2, [], [], ['n2']));
    expect(hintRows(stale)[0]).toMatchObject({ pending: 6, phase: 'waiting', stale: true });
  });

  it('lists the backlogs still waiting first, then the delivered ones, latest first', () => {
    const tracking = readAll(
      reading(1, [backlog('n1', 'n3', 4), backlog('n2', 'n3', 4), backlog('n4', 'n5', 1)]),
      reading(2, [backlog('n1', 'n3', 0), backlog('n2', 'n3', 4), backlog('n4', 'n5', 1)]),
      reading(3, [backlog('n1', 'n3', 0), backlog('n2', 'n3', 4), backlog('n4', 'n5', 0)]),
    );
    expect(hintRows(tracking).map((row) => `${row.id} ${row.phase}`)).toEqual(['n2>n3 waiting', 'n4>n5 delivered', 'n1>n3 delivered']);
  });
});

describe('transfers', () => {
  const view = (state: TransferView['state'], keysSent = 0, extra: Partial<TransferView> = {}): TransferView => ({ index: 7, from: 'n1', to: 'n6', keysSent, state, ...extra });
  const progress = (at: number, keysSent: number): ConsoleEvent => ({
    type: 'transfer-progress',
    node: 'n1',
    at,
    partition: 7,
    from: 'n1',
    to: 'n6',
    keysSent,
    keysTotal: 200,
    startedAt: 1,
    etaMs: 3000,
  });

  it('follows a transfer from waiting through its progress events to done, reaching 1 only then', () => {
    let tracking = readAll(reading(1, [], [view('waiting')]));
    expect(transferRows(tracking).active.map((row) => row.state)).toEqual(['waiting']);
    tracking = trackEvent(tracking, progress(2, 50));
    expect(transferFraction(transferRows(tracking).active[0])).toBe(0.25);
    tracking = trackEvent(tracking, progress(3, 200));
    expect(transferFraction(transferRows(tracking).active[0])).toBe(0.99);
    tracking = trackEvent(tracking, { type: 'transfer', node: 'n1', at: 4, partition: 7, from: 'n1', to: 'n6', state: 'done', keysSent: 210, keysTotal: 200, startedAt: 1 });
    const { active, ended } = transferRows(tracking);
    expect(active).toEqual([]);
    expect(ended[0]).toMatchObject({ state: 'done', keysSent: 210, endedAt: 4 });
    expect(transferFraction(ended[0])).toBe(1);
    // A progress report that arrives after the end changes nothing.
    expect(trackEvent(tracking, progress(4, 100))).toBe(tracking);
  });

  it('ends a transfer no member lists any more, unless its sender could not be read', () => {
    const sending = readAll(reading(1, [], [view('sending', 20, { keysTotal: 100 })]));
    expect(transferRows(trackView(sending, reading(2, [], [], ['n1']))).active).toHaveLength(1);
    const arrived = trackView(sending, reading(2, []));
    expect(transferRows(arrived).ended[0]).toMatchObject({ state: 'done', endedAt: 2, keysSent: 20 });
    expect(transferRows(trackView(arrived, reading(2 + finishedKeepMs, []))).ended).toEqual([]);
  });

  it('keeps a done transfer done when a member that has not heard still lists it as waiting', () => {
    const done = trackEvent(readAll(reading(1, [], [view('sending', 5, { keysTotal: 10 })])), {
      type: 'transfer',
      node: 'n1',
      at: 2,
      partition: 7,
      from: 'n1',
      to: 'n6',
      state: 'done',
      keysSent: 10,
    });
    expect(transferRows(trackView(done, reading(3, [], [view('waiting')]))).ended.map((row) => row.state)).toEqual(['done']);
  });

  it('shows a failed transfer until it is tried again', () => {
    const failed = trackEvent(readAll(reading(1, [], [view('sending', 5, { keysTotal: 10 })])), {
      type: 'transfer',
      node: 'n1',
      at: 2,
      partition: 7,
      from: 'n1',
      to: 'n6',
      state: 'failed',
      keysSent: 5,
    });
    expect(transferRows(failed).active[0]).toMatchObject({ state: 'failed', keysSent: 5 });
    expect(transferFraction(transferRows(failed).active[0])).toBe(0.5);
    const retried = trackView(failed, reading(3, [], [view('sending', 1, { keysTotal: 10 })]));
    expect(transferRows(retried).active[0]).toMatchObject({ state: 'sending', keysSent: 1 });
    expect(transferRows(retried).active[0].endedAt).toBeUndefined();
  });
});
