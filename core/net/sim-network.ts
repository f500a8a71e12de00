// A deterministic simulated network: many nodes in one process, one Transport each, every
// message subject to seeded faults on a virtual clock (STYLE.md, "Simulate the world").
//
// Each message (request, reply or error reply) independently may be dropped (dropRate),
// delivered twice (duplicateRate), and is delayed by a whole number of milliseconds drawn
// from [delayMsMin, delayMsMax], so messages overtake each other (reordering). Partitions and
// isolation cut links silently in both directions: what crosses a cut is lost, the sender
// times out. Crashing a node is louder, as with TCP: requests in flight to it fail
// 'unreachable' (connection reset), its own pending requests fail 'closed', and whatever was
// on its way to it is lost. A restarted node is a new incarnation: messages meant for the old
// one never reach it.
//
// Messages cross the network through the TCP transport's codec (frame.ts): encoded once when
// sent, decoded separately for each delivered copy. So nodes never share objects, a message
// that TCP would refuse fails here too, and byte strings arrive as Buffers, as over TCP.
//
// Determinism: every random draw happens at send time, in the order the sends happen, and
// every delivery is a virtual-clock timer; with the clock's microtask draining, the same seed
// gives the same run.
//
// This module is the network (links, faults, partitions, crashes, the trace); each node's
// Transport on it is a SimTransport (sim-transport.ts).

import type { SeededRandom } from '../common/random.js';
import { frameBytesMax } from '../common/limits.js';
import type { NodeId } from '../common/types.js';
import { decodeBody, frameHeaderBytes } from './frame.js';
import { SimTransport } from './sim-transport.js';
import type { PeerMessage, Transport } from './transport.js';
import type { VirtualClock } from './virtual-clock.js';

export interface SimFaults {
  /** Probability that a message is lost, 0…1. */
  dropRate: number;
  /** Probability that a message is delivered twice, 0…1. */
  duplicateRate: number;
  /** Smallest one-way delay, whole ms. */
  delayMsMin: number;
  /** Largest one-way delay, whole ms. */
  delayMsMax: number;
}

export const simFaultsNone: SimFaults = { dropRate: 0, duplicateRate: 0, delayMsMin: 1, delayMsMax: 1 };

export type SimMessageKind = 'request' | 'reply' | 'error';

/** What happened to a message; the sequence of events is a run's trace. */
export interface SimEvent {
  atMs: number;
  event: 'send' | 'deliver' | 'drop' | 'refuse';
  from: NodeId;
  to: NodeId;
  kind: SimMessageKind;
  /** The request id (a reply carries its request's). */
  id: number;
  type: string;
  /** For 'send': copies scheduled (0 when dropped, 2 when duplicated) and their delays. */
  delaysMs?: number[];
  /** For 'drop' and 'refuse': why. */
  reason?: 'random' | 'partition' | 'isolated' | 'down';
}

export interface SimNetworkOptions {
  random: SeededRandom;
  clock: VirtualClock;
  faults?: Partial<SimFaults>;
  /** Called for every network event, e.g. to record a trace. */
  onEvent?: (event: SimEvent) => void;
  /** Override of frameBytesMax, as for TCP. */
  frameBytesMax?: number;
}

/** One line per event, stable across runs: for traces that are compared or printed. */
export function formatSimEvent(event: SimEvent): string {
  const extra = event.delaysMs ? ` delays=${event.delaysMs.join(',')}` : event.reason ? ` (${event.reason})` : '';
  return `${event.atMs} ${event.event} ${event.kind}#${event.id} ${event.type} ${event.from}->${event.to}${extra}`;
}

export class SimNetwork {
  private readonly random: SeededRandom;
  readonly clock: VirtualClock;
  private faults: SimFaults;
  private readonly onEvent: ((event: SimEvent) => void) | undefined;
  /** @internal */
  readonly frameBytesMax: number;
  private readonly transports = new Map<NodeId, SimTransport>();
  private readonly down = new Set<NodeId>();
  private readonly isolatedIds = new Set<NodeId>();
  private partitions: Array<[Set<NodeId>, Set<NodeId>]> = [];
  private nextId = 0;

  constructor(options: SimNetworkOptions) {
    this.random = options.random;
    this.clock = options.clock;
    this.faults = checkFaults({ ...simFaultsNone, ...options.faults });
    this.onEvent = options.onEvent;
    this.frameBytesMax = options.frameBytesMax ?? frameBytesMax;
  }

  /** The live transport of `id`, made on first use. Throws while `id` is crashed. */
  transport(id: NodeId): Transport {
    if (this.down.has(id)) throw new Error(`node ${id} is crashed: restart it first`);
    let transport = this.transports.get(id);
    if (transport === undefined) {
      transport = new SimTransport(this, id);
      this.transports.set(id, transport);
    }
    return transport;
  }

  /** Replaces some or all of the fault settings. */
  setFaults(faults: Partial<SimFaults>): void {
    this.faults = checkFaults({ ...this.faults, ...faults });
  }

  getFaults(): SimFaults {
    return { ...this.faults };
  }

  /** Cuts every link between a node of `groupA` and a node of `groupB`, both ways. */
  partition(groupA: readonly NodeId[], groupB: readonly NodeId[]): void {
    this.partitions.push([new Set(groupA), new Set(groupB)]);
  }

  /** Cuts every link of `id`. */
  isolate(id: NodeId): void {
    this.isolatedIds.add(id);
  }

  /** Removes all partitions and isolations made on the network (not crashes, not faults). */
  heal(): void {
    this.partitions = [];
    this.isolatedIds.clear();
  }

  /**
   * Crashes `id`: its transport fails its pending requests 'closed' and is dead for good; the
   * requests others have in flight to it fail 'unreachable'; messages to it are lost.
   */
  crash(id: NodeId): void {
    this.down.add(id);
    const transport = this.transports.get(id);
    this.transports.delete(id);
    transport?.die('closed', `node ${id} crashed`);
    for (const other of this.transports.values()) other.failRequestsTo(id, `connection to ${id} reset`);
  }

  /** Brings a crashed `id` back as a new incarnation and returns its fresh transport. */
  restart(id: NodeId): Transport {
    this.down.delete(id);
    const old = this.transports.get(id);
    if (old) {
      this.transports.delete(id);
      old.die('closed', `node ${id} restarted`);
    }
    return this.transport(id);
  }

  isDown(id: NodeId): boolean {
    return this.down.has(id);
  }

  /** @internal */
  newRequestId(): number {
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    return this.nextId;
  }

  /** @internal Forgets a transport that closed itself. */
  forget(transport: SimTransport): void {
    if (this.transports.get(transport.self) === transport) {
      this.transports.delete(transport.self);
      for (const other of this.transports.values()) other.failRequestsTo(transport.self, `connection to ${transport.self} closed`);
    }
  }

  /** @internal The live transport of `id`, if any. */
  live(id: NodeId): SimTransport | undefined {
    return this.transports.get(id);
  }

  /** @internal Why a message from `from` to `to` cannot cross now, if it cannot. */
  cut(from: SimTransport, to: NodeId): 'partition' | 'isolated' | undefined {
    if (this.isolatedIds.has(from.self) || this.isolatedIds.has(to)) return 'isolated';
    if (from.isolates(to) || this.transports.get(to)?.isolates(from.self)) return 'isolated';
    for (const [a, b] of this.partitions) {
      if ((a.has(from.self) && b.has(to)) || (a.has(to) && b.has(from.self))) return 'partition';
    }
    return undefined;
  }

  /**
   * @internal Sends one encoded message from `from` to the current incarnation of `to`;
   * `arrive` runs at the receiver for each copy that gets there, with its own decoded copy.
   * Returns false when `to` is down or unknown (the caller treats that as a refused
   * connection).
   */
  send(
    from: SimTransport,
    to: NodeId,
    kind: SimMessageKind,
    id: number,
    message: PeerMessage,
    frame: Buffer,
    arrive: (target: SimTransport, message: PeerMessage) => void,
  ): boolean {
    const base = { from: from.self, to, kind, id, type: message.type };
    const target = this.transports.get(to);
    if (target === undefined) {
      this.emit({ ...base, atMs: this.clock.now(), event: 'refuse', reason: 'down' });
      return false;
    }
    const cut = this.cut(from, to);
    if (cut !== undefined) {
      this.emit({ ...base, atMs: this.clock.now(), event: 'drop', reason: cut });
      return true;
    }
    const faults = this.faults;
    const delaysMs: number[] = [];
    if (!(faults.dropRate > 0 && this.random.next() < faults.dropRate)) {
      const copies = faults.duplicateRate > 0 && this.random.next() < faults.duplicateRate ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        delaysMs.push(faults.delayMsMin + this.random.int(faults.delayMsMax - faults.delayMsMin + 1));
      }
    }
    this.emit({ ...base, atMs: this.clock.now(), event: 'send', delaysMs });
    if (delaysMs.length === 0) {
      this.emit({ ...base, atMs: this.clock.now(), event: 'drop', reason: 'random' });
      return true;
    }
    from.countOut(frame.byteLength * delaysMs.length, delaysMs.length);
    for (const delayMs of delaysMs) {
      this.clock.setTimeout(() => {
        // The link is checked again on arrival: a partition made while a message is on its
        // way cuts it, and a message for a crashed or restarted incarnation is lost.
        const now = this.clock.now();
        if (this.transports.get(to) !== target) {
          this.emit({ ...base, atMs: now, event: 'drop', reason: 'down' });
          return;
        }
        const cutNow = this.cut(from, to);
        if (cutNow !== undefined) {
          this.emit({ ...base, atMs: now, event: 'drop', reason: cutNow });
          return;
        }
        this.emit({ ...base, atMs: now, event: 'deliver' });
        target.countIn(frame.byteLength);
        arrive(target, decodeBody(frame.subarray(frameHeaderBytes)).m);
      }, delayMs);
    }
    return true;
  }

  private emit(event: SimEvent): void {
    this.onEvent?.(event);
  }
}

function checkFaults(faults: SimFaults): SimFaults {
  const { dropRate, duplicateRate, delayMsMin, delayMsMax } = faults;
  const isRate = (rate: number) => rate >= 0 && rate <= 1;
  if (!isRate(dropRate) || !isRate(duplicateRate)) throw new RangeError('dropRate and duplicateRate must be within 0…1');
  if (!Number.isInteger(delayMsMin) || !Number.isInteger(delayMsMax) || delayMsMin < 0 || delayMsMax < delayMsMin) {
    throw new RangeError('delays must be whole ms with 0 ≤ delayMsMin ≤ delayMsMax');
  }
  return faults;
}
