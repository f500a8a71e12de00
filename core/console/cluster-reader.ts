// Reads the cluster at a glance (AdminApi.clusterView) from the nodes' HTTP API: status, ring
// and membership from the first node that answers (the source), and from every member its faults,
// the hints it holds and the transfers it sends. Process information, where the console runs the
// processes, comes from its supervisor and is merged in by the caller's `processes`.

import type { Capabilities, ClusterMode, ClusterView, MemberView, ProcessView, TransferView } from '../admin/admin-api.js';
import type { MemberState } from '../admin/events.js';
import { ConsoleError } from './errors.js';
import { nodeBaseUrl, type NodeHttp } from './node-http.js';

/** GET /v1/status. */
export interface StatusAnswer {
  id: string;
  http: string;
  peer: string;
  pid: number;
  ringSize: number;
  n: number;
  r: number;
  w: number;
  members: Array<{ id: string; http: string; peer: string; state: MemberState }>;
  hintsPending: number;
  transfersPending: number;
}

/** GET /v1/ring. */
export interface RingAnswer {
  ringSize: number;
  version: number;
  partitions: Array<{ index: number; owner: string; preference: string[] }>;
}

/** GET /v1/admin/membership. */
export interface MembershipAnswer {
  ringSize: number;
  n: number;
  members: Array<{ id: string; http: string; peer: string; weight: number; status: string }>;
  targets: string[];
}

interface HintsAnswer {
  pending: number;
  byTarget: Record<string, number>;
}

interface TransfersAnswer {
  pending: number;
  partitions: TransferView[];
}

interface FaultsAnswer {
  isolated: string[];
  enabled: boolean;
}

/** A node the view may be read from: its id where known, and its base URL. */
export interface SourceCandidate {
  id: string | undefined;
  url: string;
}

/** What the source node says: enough for a view and for a join plan. */
export interface SourceReading {
  id: string;
  url: string;
  status: StatusAnswer;
  /** Undefined before the node has joined a cluster. */
  ring: RingAnswer | undefined;
  membership: MembershipAnswer | undefined;
}

/** Reads status, ring and membership from the first candidate that answers; rejects `unavailable` when none does. */
export async function readSource(http: NodeHttp, candidates: readonly SourceCandidate[]): Promise<SourceReading> {
  const problems: string[] = [];
  for (const candidate of candidates) {
    let status: StatusAnswer;
    try {
      status = await http.get<StatusAnswer>(candidate.url, '/v1/status');
    } catch (error) {
      problems.push(`${candidate.id ?? candidate.url}: ${(error as Error).message}`);
      continue;
    }
    const [ring, membership] = await Promise.all([
      http.get<RingAnswer>(candidate.url, '/v1/ring').catch(() => undefined),
      http.get<MembershipAnswer>(candidate.url, '/v1/admin/membership').catch(() => undefined),
    ]);
    return { id: status.id, url: candidate.url, status, ring, membership };
  }
  const tried = problems.length === 0 ? 'no node is running' : problems.join('; ');
  throw new ConsoleError('unavailable', `no node of the cluster answers (${tried})`);
}

export interface ReadViewOptions {
  mode: ClusterMode;
  http: NodeHttp;
  source: SourceReading;
  /** Each node's process, where the console runs them (local); absent when attached. */
  processes?: ReadonlyMap<string, ProcessView>;
  capabilities: Omit<Capabilities, 'faults'>;
}

interface MemberReading {
  faults: FaultsAnswer | undefined;
  hints: HintsAnswer | undefined;
  transfers: TransfersAnswer | undefined;
}

/** The ClusterView from a source reading plus what every member says of itself. */
export async function readClusterView(options: ReadViewOptions): Promise<ClusterView> {
  const { http, source, processes } = options;
  const { status, ring, membership } = source;
  const readings = new Map<string, MemberReading>();
  await Promise.all(
    status.members.map(async (member) => {
      // A member whose process the console knows is not running cannot answer: skip the wait.
      const process = processes?.get(member.id);
      if (process !== undefined && process.state !== 'up') return;
      const url = nodeBaseUrl(member.http);
      const [faults, hints, transfers] = await Promise.all([
        http.get<FaultsAnswer>(url, '/v1/admin/faults').catch(() => undefined),
        http.get<HintsAnswer>(url, '/v1/admin/hints').catch(() => undefined),
        http.get<TransfersAnswer>(url, '/v1/admin/transfers').catch(() => undefined),
      ]);
      readings.set(member.id, { faults, hints, transfers });
    }),
  );

  // Hints, cluster-wide: what every member that answered holds, by the node they are for.
  const byTarget: Record<string, number> = {};
  let hintsPending = 0;
  for (const reading of readings.values()) {
    if (reading.hints === undefined) continue;
    hintsPending += reading.hints.pending;
    for (const [target, count] of Object.entries(reading.hints.byTarget)) byTarget[target] = (byTarget[target] ?? 0) + count;
  }

  // Transfers: every one the source's ring implies, with the progress its sender reports.
  const sent = new Map<string, TransferView>();
  for (const [id, reading] of readings) {
    for (const transfer of reading.transfers?.partitions ?? []) if (transfer.from === id) sent.set(transferKey(transfer), transfer);
  }
  const sourceTransfers = readings.get(source.id)?.transfers ?? (await http.get<TransfersAnswer>(source.url, '/v1/admin/transfers').catch(() => undefined));
  const transfers = (sourceTransfers?.partitions ?? []).map((transfer) => sent.get(transferKey(transfer)) ?? transfer);
  const movingTo = new Map(transfers.filter((t) => t.state !== 'done').map((t) => [t.index, t.to]));

  const weights = new Map((membership?.members ?? []).map((member) => [member.id, member.weight]));
  const owned = new Map<string, number>();
  for (const partition of ring?.partitions ?? []) owned.set(partition.owner, (owned.get(partition.owner) ?? 0) + 1);

  const members: MemberView[] = status.members.map((member) => {
    const process = processes?.get(member.id);
    // The source judges liveness by gossip and its own requests, which can take a while to
    // notice a crash (phi-accrual: many seconds). The console knows at once when a process it
    // runs is not up, so such a member shows `down` even if the source has not noticed yet.
    const state: MemberState = process !== undefined && process.state !== 'up' ? 'down' : member.state;
    return {
      id: member.id,
      http: member.http,
      peer: member.peer,
      state,
      isolatedFrom: readings.get(member.id)?.faults?.isolated ?? [],
      weight: weights.get(member.id) ?? 1,
      partitionsOwned: owned.get(member.id) ?? 0,
      hintsHeldFor: byTarget[member.id] ?? 0,
      transfersIn: transfers.filter((t) => t.to === member.id && t.state !== 'done').length,
      transfersOut: transfers.filter((t) => t.from === member.id && t.state !== 'done').length,
      process,
    };
  });
  members.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

  return {
    mode: options.mode,
    source: source.id,
    n: status.n,
    r: status.r,
    w: status.w,
    members,
    ring:
      ring === undefined
        ? undefined
        : {
            ringSize: ring.ringSize,
            version: ring.version,
            partitions: ring.partitions.map((p) => ({ index: p.index, owner: p.owner, preference: p.preference, movingTo: movingTo.get(p.index) })),
          },
    hints: { pending: hintsPending, byTarget },
    transfers: { pending: transfers.filter((t) => t.state !== 'done').length, partitions: transfers },
    capabilities: { ...options.capabilities, faults: readings.get(source.id)?.faults?.enabled ?? options.mode === 'local' },
  };
}

function transferKey(transfer: { index: number; to: string }): string {
  return `${transfer.index}>${transfer.to}`;
}
