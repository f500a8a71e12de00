// What the Handoff page remembers between readings, so that progress can be drawn: for each hint
// backlog (holder → target) the largest backlog seen (its peak), so the part delivered is
// (peak − pending) / peak and reaches 1 when the backlog is drained; for each transfer its latest
// figures from the readings and from the live events, and, once it ends, that it ended (done or
// failed) and when, for a while. The nodes forget a drained backlog after a few seconds and a
// finished transfer at once; the page keeps them for finishedKeepMs. Pure: readings and events
// in, state out; times are the console's (HandoffView.at, ConsoleEvent.at).

import type { ConsoleEvent, HandoffView, HintBacklog, TransferView } from '../../../core/admin/admin-api.js';
import { compareNodeIds } from '../../lib/format.js';

/** How long a drained backlog or a finished transfer stays on the page. */
export const finishedKeepMs = 10 * 60_000;
/** Finished transfers kept at most (a join of a node to a large ring moves many partitions). */
export const finishedTransfersMax = 64;

export type HintPhase = 'waiting' | 'draining' | 'delivered';

export interface HintTrack {
  id: string;
  holder: string;
  target: string;
  pending: number;
  /** The largest backlog seen since it last started from nothing. */
  peak: number;
  oldestAgeMs: number;
  deliveredPerSec: number;
  /** A delivery round is under way, or delivered lately (the node's word). */
  delivering: boolean;
  phase: HintPhase;
  /** When the reading was made (console ms). */
  seenAt: number;
  /** When it was first seen drained. */
  drainedAt?: number;
  /** Its holder could not be read in the latest reading: the figures are the last known. */
  stale: boolean;
}

export interface TransferTrack extends TransferView {
  id: string;
  /** When its figures were last told (console ms). */
  updatedAt: number;
  /** When it ended (done, or failed), if it has. */
  endedAt?: number;
}

export interface HandoffTracking {
  hints: Readonly<Record<string, HintTrack>>;
  transfers: Readonly<Record<string, TransferTrack>>;
  /** The latest reading's time. */
  at: number;
}

export const emptyTracking: HandoffTracking = { hints: {}, transfers: {}, at: 0 };

export function hintId(backlog: Pick<HintBacklog, 'holder' | 'target'>): string {
  return `${backlog.holder}>${backlog.target}`;
}

export function transferId(transfer: Pick<TransferView, 'index' | 'to'>): string {
  return `${transfer.index}>${transfer.to}`;
}

/** The tracking after a reading of the cluster's handoff. */
export function trackView(tracking: HandoffTracking, view: HandoffView): HandoffTracking {
  const unreachable = new Set(view.unreachable.map((problem) => problem.node));
  const hints: Record<string, HintTrack> = {};
  for (const backlog of view.hints) {
    const id = hintId(backlog);
    hints[id] = nextHint(tracking.hints[id], backlog, view.at);
  }
  for (const [id, track] of Object.entries(tracking.hints)) {
    if (hints[id] !== undefined) continue;
    if (unreachable.has(track.holder)) {
      hints[id] = { ...track, stale: true };
    } else if (track.phase !== 'delivered') {
      // The holder no longer lists it: nothing is left for that target.
      hints[id] = { ...track, pending: 0, delivering: false, deliveredPerSec: 0, oldestAgeMs: 0, phase: 'delivered', drainedAt: view.at, stale: false };
    } else if (view.at - (track.drainedAt ?? track.seenAt) < finishedKeepMs) {
      hints[id] = { ...track, stale: false };
    }
  }

  const transfers: Record<string, TransferTrack> = {};
  for (const transfer of view.transfers) {
    const id = transferId(transfer);
    const known = tracking.transfers[id];
    // A member that has not yet heard that a transfer ended still lists it as waiting: the end stands.
    if (known?.state === 'done' && transfer.state === 'waiting') {
      transfers[id] = known;
      continue;
    }
    transfers[id] = {
      ...transfer,
      id,
      keysTotal: transfer.keysTotal ?? (transfer.state === 'sending' ? known?.keysTotal : undefined),
      updatedAt: view.at,
    };
  }
  for (const [id, track] of Object.entries(tracking.transfers)) {
    if (transfers[id] !== undefined) continue;
    if (track.endedAt === undefined) {
      // No member lists it: the ring no longer implies it, so it arrived (unless its sender could not be read).
      transfers[id] = unreachable.has(track.from) ? track : { ...track, state: 'done', endedAt: view.at, etaMs: undefined };
    } else if (view.at - track.endedAt < finishedKeepMs) {
      transfers[id] = track;
    }
  }
  return { hints, transfers: keepRecent(transfers), at: view.at };
}

function nextHint(known: HintTrack | undefined, backlog: HintBacklog, at: number): HintTrack {
  const { holder, target, pending, oldestAgeMs, deliveredPerSec, delivering } = backlog;
  // A backlog that grows again after it drained is a new one.
  const restarted = known === undefined || (known.phase === 'delivered' && pending > 0);
  const peak = restarted ? pending : Math.max(known.peak, pending);
  const phase: HintPhase = pending === 0 ? 'delivered' : pending < peak || delivering ? 'draining' : 'waiting';
  const drainedAt = phase === 'delivered' ? (known?.phase === 'delivered' ? known.drainedAt : at) : undefined;
  return { id: hintId(backlog), holder, target, pending, peak, oldestAgeMs, deliveredPerSec, delivering, phase, seenAt: at, drainedAt, stale: false };
}

/** The tracking after a live event (transfers report their progress and their end). */
export function trackEvent(tracking: HandoffTracking, event: ConsoleEvent): HandoffTracking {
  if (event.type !== 'transfer' && event.type !== 'transfer-progress') return tracking;
  const id = transferId({ index: event.partition, to: event.to });
  const known = tracking.transfers[id];
  const base: TransferTrack = known ?? { id, index: event.partition, from: event.from, to: event.to, keysSent: 0, state: 'waiting', updatedAt: event.at };
  let next: TransferTrack;
  if (event.type === 'transfer-progress') {
    // A report older than what is known, or about a transfer that has ended, changes nothing.
    if (event.at < base.updatedAt || (base.endedAt !== undefined && event.at <= base.endedAt)) return tracking;
    next = {
      ...base,
      from: event.from,
      state: 'sending',
      keysSent: event.keysSent,
      keysTotal: event.keysTotal,
      startedAt: event.startedAt,
      etaMs: event.etaMs,
      updatedAt: event.at,
      endedAt: undefined,
    };
  } else {
    next = {
      ...base,
      from: event.from,
      state: event.state,
      keysSent: event.keysSent,
      keysTotal: event.keysTotal !== undefined && event.keysTotal > 0 ? event.keysTotal : base.keysTotal,
      etaMs: undefined,
      updatedAt: event.at,
      endedAt: event.at,
    };
  }
  return { ...tracking, transfers: keepRecent({ ...tracking.transfers, [id]: next }) };
}

/** At most finishedTransfersMax ended transfers, the latest. */
function keepRecent(transfers: Record<string, TransferTrack>): Record<string, TransferTrack> {
  const ended = Object.values(transfers)
    .filter((track) => track.endedAt !== undefined)
    .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0));
  if (ended.length <= finishedTransfersMax) return transfers;
  const kept = { ...transfers };
  for (const track of ended.slice(finishedTransfersMax)) delete kept[track.id];
  return kept;
}

/** The part of a backlog delivered, 0 to 1: (peak − pending) / peak; 1 once drained. */
export function hintFraction(track: HintTrack): number {
  if (track.phase === 'delivered' || track.peak === 0) return track.pending === 0 ? 1 : 0;
  return (track.peak - track.pending) / track.peak;
}

/** The part of a transfer sent, 0 to 1; 1 only once it is done (keysTotal is the sender's estimate). */
export function transferFraction(track: TransferView): number {
  if (track.state === 'done') return 1;
  if (track.keysTotal === undefined || track.keysTotal === 0) return 0;
  return Math.min(0.99, track.keysSent / track.keysTotal);
}

/** Backlogs as the page lists them: those waiting or draining first (by holder, target), then the delivered ones, latest first. */
export function hintRows(tracking: HandoffTracking): HintTrack[] {
  const byPair = (a: HintTrack, b: HintTrack) => compareNodeIds(a.holder, b.holder) || compareNodeIds(a.target, b.target);
  const tracks = Object.values(tracking.hints);
  return [
    ...tracks.filter((track) => track.phase !== 'delivered').sort(byPair),
    ...tracks.filter((track) => track.phase === 'delivered').sort((a, b) => (b.drainedAt ?? 0) - (a.drainedAt ?? 0) || byPair(a, b)),
  ];
}

/** Transfers as the page lists them: those in progress (sending, then waiting, by partition), then the ended ones, latest first. */
export function transferRows(tracking: HandoffTracking): { active: TransferTrack[]; ended: TransferTrack[] } {
  const tracks = Object.values(tracking.transfers);
  const order = { sending: 0, failed: 1, waiting: 2, done: 3 } as const;
  return {
    active: tracks
      .filter((track) => track.endedAt === undefined || track.state === 'failed')
      .filter((track) => track.state !== 'done')
      .sort((a, b) => order[a.state] - order[b.state] || a.index - b.index || compareNodeIds(a.to, b.to)),
    ended: tracks.filter((track) => track.state === 'done').sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0) || a.index - b.index),
  };
}
