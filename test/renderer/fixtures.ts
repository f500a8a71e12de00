// Cluster views for the renderer's unit tests: a ring of Q partitions owned round-robin by the
// members, with preference lists of the next N distinct owners clockwise (as core/ring builds
// them for an even claim), and members up unless a test says otherwise.

import type { ClusterView, MemberView, PartitionView } from '../../core/admin/admin-api.js';

export function member(id: string, overrides: Partial<MemberView> = {}): MemberView {
  return {
    id,
    http: `127.0.0.1:80${id.slice(1).padStart(2, '0')}`,
    peer: `127.0.0.1:70${id.slice(1).padStart(2, '0')}`,
    state: 'up',
    isolatedFrom: [],
    weight: 1,
    partitionsOwned: 0,
    hintsHeldFor: 0,
    transfersIn: 0,
    transfersOut: 0,
    process: { state: 'up', pid: 1000 + Number(id.slice(1)), startedAt: 0, restarts: 0, lastExit: undefined },
    ...overrides,
  };
}

export function roundRobinRing(ids: string[], ringSize: number, n: number): PartitionView[] {
  const owners = Array.from({ length: ringSize }, (_, i) => ids[i % ids.length]);
  return owners.map((owner, index) => {
    const preference: string[] = [];
    for (let step = 0; preference.length < Math.min(n, ids.length); step++) {
      const candidate = owners[(index + step) % ringSize];
      if (!preference.includes(candidate)) preference.push(candidate);
    }
    return { index, owner, preference, movingTo: undefined };
  });
}

export function clusterView(options: { nodes?: number; ringSize?: number; n?: number; members?: MemberView[] } = {}): ClusterView {
  const count = options.nodes ?? 5;
  const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  const ringSize = options.ringSize ?? 64;
  const n = options.n ?? 3;
  const partitions = roundRobinRing(ids, ringSize, n);
  const members =
    options.members ?? ids.map((id) => member(id, { partitionsOwned: partitions.filter((p) => p.owner === id).length }));
  return {
    mode: 'local',
    source: 'n1',
    n,
    r: 2,
    w: 2,
    members,
    ring: { ringSize, version: 3, partitions },
    hints: { pending: 0, byTarget: {} },
    transfers: { pending: 0, partitions: [] },
    capabilities: { processActions: true, processActionsReason: undefined, faults: true },
  };
}
