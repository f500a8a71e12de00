// The metric samples and fault periods of the last minutes (AdminApi.metricsHistory): what the
// Metrics page opens with before it follows the live events. The console hands every event it
// publishes to `record`; the recorder keeps each node's samples for metricsWindowMs in a ring
// buffer, and turns the events that tell of faults into periods, Jepsen style (a fault is a
// stretch of time to shade behind the charts):
//
// - a node's process (local console): `killing` opens a `killed` period, `stopping` a `stopped`
//   one, `crashed` a `crashed` one, and a `stopped` that ends a process nobody was seen stopping
//   opens the period its exit reason names (killed, a clean exit: stopped, anything else:
//   crashed). `restarting` and `starting` keep it open (a stop followed by `restarting` is a
//   Restart, and says so); the process being `up` again closes it.
//   A `stopped` with no exit at all is a node that never ran yet: no fault.
// - isolation (`faults` events, any console): a non-empty `isolated` list opens an `isolated`
//   period labelled with whom the node is cut from; a different list closes it and opens
//   another; an empty one closes it. Isolation lives in the node's process, so the process
//   going down or coming up again also closes it.
// - members judged down (`member` events), only for nodes the console has seen no process event
//   of (an attached console, which runs no processes and so cannot say why): the first report
//   that a member is down opens a `down` period, the first report that it is anything else
//   closes it. Reports between two nodes cut off from each other by isolation are the isolation
//   speaking, not a node down, and are left out. On a local console the process events say more
//   and say it first, so member reports are not used there.
// - a join plan cancelled: its node is stopped and forgotten, which is no fault: its open
//   periods are dropped.
//
// Every time is the console's clock when the event was recorded, so samples and faults share one
// time line whatever the nodes' clocks say. Bounded (STYLE.md): samples per node, nodes, ended
// periods (core/console/limits.ts); a sample is copied field by field, so a node cannot make one
// larger than its figures.

import type { FaultPeriod, MetricPoint, MetricsHistory } from '../admin/admin-api.js';
import type { ConsoleEvent, LatencyPercentiles, MetricSample, ProcessState } from '../admin/events.js';
import type { Clock } from '../common/clock.js';
import { metricsFaultPeriodsMax, metricsNodesMax, metricsSamplesPerNodeMax, metricsWindowMs } from './limits.js';

/** What opened a period: each node has at most one open period per cause. */
type Cause = 'process' | 'isolation' | 'member';

type ProcessEvent = Extract<ConsoleEvent, { type: 'process' }>;

export interface MetricsRecorderLimits {
  windowMs: number;
  samplesPerNodeMax: number;
  nodesMax: number;
  faultPeriodsMax: number;
}

const defaultLimits: MetricsRecorderLimits = {
  windowMs: metricsWindowMs,
  samplesPerNodeMax: metricsSamplesPerNodeMax,
  nodesMax: metricsNodesMax,
  faultPeriodsMax: metricsFaultPeriodsMax,
};

export class MetricsRecorder {
  private readonly limits: MetricsRecorderLimits;
  private readonly samples = new Map<string, SampleRing>();
  private readonly open = new Map<string, FaultPeriod>();
  /** Ended periods, in the order they ended. */
  private ended: FaultPeriod[] = [];
  /** Nodes whose process the console reports: their member reports are not used. */
  private readonly withProcess = new Set<string>();
  /** Whom each node is cut off from now (only nodes with a non-empty list). */
  private readonly isolation = new Map<string, readonly string[]>();
  /** Samples refused because they did not have a sample's shape. */
  samplesRefused = 0;
  /** Nodes forgotten to make room for another (metricsNodesMax). */
  nodesEvicted = 0;

  constructor(
    private readonly clock: Clock,
    limits: Partial<MetricsRecorderLimits> = {},
  ) {
    this.limits = { ...defaultLimits, ...limits };
  }

  record(event: ConsoleEvent): void {
    const now = this.clock.now();
    switch (event.type) {
      case 'metrics':
        this.addSample(event.node, event.sample, now);
        return;
      case 'process':
        this.onProcess(event, now);
        return;
      case 'faults':
        this.onIsolation(event.node, event.isolated, now);
        return;
      case 'member':
        this.onMemberReport(event.node, event.id, event.state, now);
        return;
      case 'join-plan':
        if (event.state === 'cancelled') for (const cause of ['process', 'isolation', 'member'] as const) this.open.delete(key(cause, event.node));
        return;
      default:
        return;
    }
  }

  history(): MetricsHistory {
    const now = this.clock.now();
    const since = now - this.limits.windowMs;
    const points: MetricPoint[] = [];
    for (const [node, ring] of this.samples) {
      ring.dropBefore(since);
      if (ring.size === 0) this.samples.delete(node);
      else ring.copyInto(points);
    }
    points.sort((a, b) => a.at - b.at || compareIds(a.node, b.node));
    this.trimEnded(since);
    const faults = [...this.ended, ...this.open.values()].map((period) => ({ ...period })).sort((a, b) => a.from - b.from || compareIds(a.node, b.node));
    return { now, windowMs: this.limits.windowMs, points, faults };
  }

  // ── Samples ─────────────────────────────────────────────────────────────────────────────

  private addSample(node: string, raw: unknown, now: number): void {
    const sample = copySample(raw);
    if (sample === undefined) {
      this.samplesRefused++;
      return;
    }
    let ring = this.samples.get(node);
    if (ring === undefined) {
      if (this.samples.size >= this.limits.nodesMax) this.makeRoom(now);
      ring = new SampleRing(this.limits.samplesPerNodeMax);
      this.samples.set(node, ring);
    }
    ring.dropBefore(now - this.limits.windowMs);
    ring.push({ node, at: now, sample });
  }

  /** Forgets the nodes with nothing in the window, or else the one silent longest. */
  private makeRoom(now: number): void {
    const since = now - this.limits.windowMs;
    let silent: string | undefined;
    let silentSince = Number.POSITIVE_INFINITY;
    for (const [node, ring] of this.samples) {
      ring.dropBefore(since);
      const last = ring.last?.at ?? Number.NEGATIVE_INFINITY;
      if (ring.size === 0) this.samples.delete(node);
      else if (last < silentSince) {
        silent = node;
        silentSince = last;
      }
    }
    if (this.samples.size >= this.limits.nodesMax && silent !== undefined) {
      this.samples.delete(silent);
      this.nodesEvicted++;
    }
  }

  // ── Faults ──────────────────────────────────────────────────────────────────────────────

  private onProcess(event: ProcessEvent, now: number): void {
    const { node, state } = event;
    if (!this.withProcess.has(node)) {
      this.withProcess.add(node);
      // The process says more than members' reports from now on.
      this.close('member', node, now);
    }
    if (state === 'up') {
      this.close('process', node, now);
      this.close('isolation', node, now);
      return;
    }
    const open = this.open.get(key('process', node));
    // A stop followed at once by a start is the operator's Restart.
    if (state === 'restarting' && open?.kind === 'stopped') open.label = `${node} restarted`;
    const opened = processFault(event);
    if (opened === undefined) return;
    // The isolation belonged to the process that is going away.
    this.close('isolation', node, now);
    if (open !== undefined) return;
    this.start('process', { node, kind: opened.kind, label: opened.label, from: now });
  }

  private onIsolation(node: string, isolated: unknown, now: number): void {
    const peers = Array.isArray(isolated) ? [...new Set(isolated.filter((peer): peer is string => typeof peer === 'string'))].sort(compareIds) : [];
    const before = this.isolation.get(node) ?? [];
    if (sameList(before, peers)) return;
    this.close('isolation', node, now);
    if (peers.length === 0) return;
    this.isolation.set(node, peers);
    this.start('isolation', { node, kind: 'isolated', label: `${node} isolated from ${peers.join(', ')}`, from: now });
  }

  private onMemberReport(observer: string, subject: unknown, state: unknown, now: number): void {
    if (typeof subject !== 'string' || subject === observer || this.withProcess.has(subject)) return;
    if (this.cutOff(observer, subject)) return;
    const open = this.open.get(key('member', subject));
    if (state === 'down') {
      if (open === undefined) this.start('member', { node: subject, kind: 'down', label: `${subject} down (seen by ${observer})`, from: now });
    } else if (open !== undefined) {
      this.close('member', subject, now);
    }
  }

  /** Whether isolation cuts `a` and `b` off from each other (either may have asked for it). */
  private cutOff(a: string, b: string): boolean {
    return (this.isolation.get(a)?.includes(b) ?? false) || (this.isolation.get(b)?.includes(a) ?? false);
  }

  private start(cause: Cause, period: FaultPeriod): void {
    this.open.set(key(cause, period.node), period);
  }

  private close(cause: Cause, node: string, now: number): void {
    if (cause === 'isolation') this.isolation.delete(node);
    const period = this.open.get(key(cause, node));
    if (period === undefined) return;
    this.open.delete(key(cause, node));
    this.ended.push({ ...period, to: Math.max(now, period.from) });
    if (this.ended.length > this.limits.faultPeriodsMax) this.ended = this.ended.slice(-this.limits.faultPeriodsMax);
  }

  private trimEnded(since: number): void {
    if (this.ended.some((period) => (period.to as number) < since)) this.ended = this.ended.filter((period) => (period.to as number) >= since);
  }
}

function key(cause: Cause, node: string): string {
  return `${cause}\u0000${node}`;
}

/** The period a process event opens, if any (`up` closes; see the module comment). */
function processFault(event: ProcessEvent): Pick<FaultPeriod, 'kind' | 'label'> | undefined {
  const { node } = event;
  const state: ProcessState = event.state;
  switch (state) {
    case 'killing':
      return { kind: 'killed', label: `${node} killed` };
    case 'stopping':
      return { kind: 'stopped', label: `${node} stopped` };
    case 'crashed':
      return crashed(node, event.reason);
    case 'stopped':
      if (event.reason === undefined) return undefined;
      if (event.reason === 'killed') return { kind: 'killed', label: `${node} killed` };
      if (event.reason === 'clean-exit') return { kind: 'stopped', label: `${node} stopped` };
      return crashed(node, event.reason);
    default:
      return undefined;
  }
}

function crashed(node: string, reason: ProcessEvent['reason']): Pick<FaultPeriod, 'kind' | 'label'> {
  if (reason === 'oom') return { kind: 'crashed', label: `${node} ran out of memory` };
  if (reason === 'launch-failed') return { kind: 'crashed', label: `${node} failed to start` };
  return { kind: 'crashed', label: `${node} crashed` };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Node ids in natural order: n2 before n10. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

// ── A sample, checked and copied ──────────────────────────────────────────────────────────

function figure(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function copyPercentiles(value: unknown): LatencyPercentiles | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'object') return undefined;
  const { p50, p99, p999 } = value as Record<string, unknown>;
  return figure(p50) && figure(p99) && figure(p999) ? { p50, p99, p999 } : undefined;
}

/** The sample's figures in a fresh object, or undefined when it is not a MetricSample. */
export function copySample(value: unknown): MetricSample | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  const ops = raw.opsPerSecond as Record<string, unknown> | null | undefined;
  if (typeof ops !== 'object' || ops === null || !figure(ops.get) || !figure(ops.put) || !figure(ops.delete)) return undefined;
  const { requestsInFlight, hintsPending, transfersPending, keysRepaired, peerBytesIn, peerBytesOut } = raw;
  if (!figure(requestsInFlight) || !figure(hintsPending) || !figure(transfersPending) || !figure(keysRepaired) || !figure(peerBytesIn) || !figure(peerBytesOut)) {
    return undefined;
  }
  const sample: MetricSample = {
    opsPerSecond: { get: ops.get, put: ops.put, delete: ops.delete },
    requestsInFlight,
    hintsPending,
    transfersPending,
    keysRepaired,
    peerBytesIn,
    peerBytesOut,
  };
  if (raw.latencyMs !== undefined) {
    if (typeof raw.latencyMs !== 'object' || raw.latencyMs === null) return undefined;
    const latency = raw.latencyMs as Record<string, unknown>;
    const [get, put, del] = [copyPercentiles(latency.get), copyPercentiles(latency.put), copyPercentiles(latency.delete)];
    if (get === undefined || put === undefined || del === undefined) return undefined;
    sample.latencyMs = { get, put, delete: del };
  }
  if (raw.keysRepairedTotal !== undefined) {
    if (!figure(raw.keysRepairedTotal)) return undefined;
    sample.keysRepairedTotal = raw.keysRepairedTotal;
  }
  return sample;
}

// ── One node's samples ────────────────────────────────────────────────────────────────────

/** A fixed-size ring of points in arrival order; past its capacity the oldest is overwritten. */
class SampleRing {
  private readonly slots: Array<MetricPoint | undefined>;
  private head = 0;
  size = 0;

  constructor(private readonly capacity: number) {
    this.slots = new Array<MetricPoint | undefined>(capacity);
  }

  get last(): MetricPoint | undefined {
    return this.size === 0 ? undefined : this.slots[(this.head + this.size - 1) % this.capacity];
  }

  push(point: MetricPoint): void {
    if (this.size < this.capacity) {
      this.slots[(this.head + this.size) % this.capacity] = point;
      this.size++;
    } else {
      this.slots[this.head] = point;
      this.head = (this.head + 1) % this.capacity;
    }
  }

  /** Drops the points recorded before `at` (they are the oldest: points arrive in time order). */
  dropBefore(at: number): void {
    while (this.size > 0 && (this.slots[this.head] as MetricPoint).at < at) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
    }
  }

  copyInto(into: MetricPoint[]): void {
    for (let i = 0; i < this.size; i++) into.push(this.slots[(this.head + i) % this.capacity] as MetricPoint);
  }
}
