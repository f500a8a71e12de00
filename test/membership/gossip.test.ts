// Proves GossipCore's contract with the node: admin actions answer with stable codes; a join
// driven message by message (syn, ack, ack2) makes a node a member that becomes `up` once its
// partitions have arrived; messages of another cluster, ring shape or sender are refused and
// change nothing; peer selection contacts seeds; force-removal hands a dead node's partitions
// to the others; a weight change re-claims in proportion; local down verdicts are recorded,
// listed and lifted.

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import { formedClusterSnapshot, GossipCore, type GossipSend } from '../../core/membership/gossip.js';
import { GossipSim, partitionCounts } from './gossip-sim.js';

function fresh(id: string, options: { ringSize?: number; n?: number; seeds?: string[]; weight?: number } = {}): GossipCore {
  return new GossipCore({
    self: { id, http: `http:${id}`, peer: `peer:${id}`, weight: options.weight ?? 1 },
    ringSize: options.ringSize ?? 16,
    n: options.n ?? 3,
    seeds: options.seeds,
    generation: 1,
    nowMs: 0,
  });
}

/** One full exchange initiated by `from` with `to`, as the node's gossip round does it. */
function exchange(from: GossipCore, to: GossipCore, send: GossipSend, nowMs: number): void {
  const ack = to.receive(send.to === undefined ? undefined : from.id, send.message, nowMs);
  if (!ack.ok) throw new Error(`${ack.code}: ${ack.message}`);
  const ack2 = from.receive(send.to, ack.reply, nowMs);
  if (!ack2.ok) throw new Error(`${ack2.code}: ${ack2.message}`);
  if (ack2.reply !== undefined) {
    const ok = to.receive(from.id, ack2.reply, nowMs);
    if (!ok.ok || ok.reply?.type !== 'membership.ok') throw new Error('ack2 not answered with ok');
  }
}

describe('admin actions', () => {
  it('answer with stable codes', () => {
    // Proves each refusal: leave by a non-member, bootstrap or join by a member, leave by the
    // last member, removal of oneself or a stranger, a bad seed, a founder without weight.
    const a = fresh('a');
    expect(a.leave(0)).toMatchObject({ ok: false, code: 'not_member' });
    expect(fresh('z', { weight: 0 }).bootstrap(0)).toMatchObject({ ok: false, code: 'zero_weight' });
    expect(a.join('', 0)).toMatchObject({ ok: false, code: 'bad_seed' });
    expect(a.bootstrap(0)).toEqual({ ok: true });
    expect(a.status()).toBe('up');
    expect(a.ring()?.partitionsOf('a').length).toBe(16);
    expect(a.bootstrap(0)).toMatchObject({ ok: false, code: 'already_member' });
    expect(a.join('b', 0)).toMatchObject({ ok: false, code: 'already_member' });
    expect(a.leave(0)).toMatchObject({ ok: false, code: 'last_member' });
    expect(a.remove('a', 0)).toMatchObject({ ok: false, code: 'is_self' });
    expect(a.remove('nobody', 0)).toMatchObject({ ok: false, code: 'unknown_member' });
    // Joining one's own address founds a cluster.
    expect(fresh('c').join('peer:c', 0)).toEqual({ ok: true });
  });
});

describe('a cluster formed from a static list', () => {
  it('gives every node the same ring at once, whatever the order of the list', () => {
    // Proves formedClusterSnapshot (for `cluster start`): nodes started from snapshots of the
    // same members listed in different orders hold identical states, all up, balanced, with no
    // transfer pending.
    const members = ['n3', 'n1', 'n4', 'n2'].map((id) => ({ id, http: `h:${id}`, peer: `p:${id}`, weight: 1 }));
    const start = (self: (typeof members)[number], list: typeof members) =>
      new GossipCore({ self, ringSize: 64, n: 3, generation: 1, nowMs: 0, snapshot: formedClusterSnapshot('c1', list, 64, 3) });
    const cores = [start(members[0], members), start(members[1], members.slice().reverse())];
    expect(cores[0].digest()).toBe(cores[1].digest());
    for (const core of cores) {
      expect(core.status()).toBe('up');
      expect(core.transfers()).toEqual([]);
      expect([...partitionCounts(core.ring()?.owners ?? []).values()]).toEqual([16, 16, 16, 16]);
    }
  });
});

describe('liveness', () => {
  it('records local verdicts, lists them for the probe loop and lifts them on an answer', () => {
    // Proves the failure detector the node shares with gossip: reportUnreachable holds a member
    // down (isUp false, memberState `down`) though its phi is low, locallyDown lists exactly the
    // members so held (sorted), reportReachable lifts the verdict; verdicts on this node itself,
    // or on a node that is no member, are ignored.
    const members = ['n1', 'n2', 'n3', 'n4'].map((id) => ({ id, http: `h:${id}`, peer: `p:${id}`, weight: 1 }));
    const core = new GossipCore({ self: members[0], ringSize: 16, n: 3, generation: 1, nowMs: 0, snapshot: formedClusterSnapshot('c1', members, 16, 3) });
    expect(core.isUp('n3', 10)).toBe(true);
    core.reportUnreachable('n4', 10);
    core.reportUnreachable('n3', 10);
    core.reportUnreachable('n1', 10);
    core.reportUnreachable('stranger', 10);
    expect(core.locallyDown()).toEqual(['n3', 'n4']);
    expect(core.isUp('n3', 10)).toBe(false);
    expect(core.memberState('n3', 10)).toBe('down');
    expect(core.isUp('n1', 10)).toBe(true);
    expect(core.isUp('n2', 10)).toBe(true);
    core.reportReachable('n3', 20);
    expect(core.locallyDown()).toEqual(['n4']);
    expect(core.isUp('n3', 20)).toBe(true);
    expect(core.memberState('n3', 20)).toBe('up');
  });
});

describe('a join, message by message', () => {
  it('learns the cluster from the seed, joins, receives its partitions and becomes up', () => {
    // Proves the wiring the node follows: b joins through a's address; its tick contacts the
    // seed by address; the ack brings the cluster; b adds itself as joining and re-claims; the
    // ack2 tells a; a streams b's share and completes it; b sees it and becomes up; both agree.
    const random = new SeededRandom(1);
    const a = fresh('a');
    a.bootstrap(0);
    const b = fresh('b');
    expect(b.join('peer:a', 0)).toEqual({ ok: true });
    const sends = b.tick(1000, random);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ to: undefined, seed: 'peer:a' });
    exchange(b, a, sends[0], 1000);
    expect(b.cluster).toBe(a.cluster);
    expect(b.status()).toBe('joining');
    expect(a.status()).toBe('up');
    expect(a.members().map((m) => `${m.id}:${m.status}`)).toEqual(['a:up', 'b:joining']);
    expect(a.digest()).toBe(b.digest());
    const transfers = a.transfers();
    expect(transfers.length).toBe(8);
    expect(transfers.every((t) => t.from === 'a' && t.to === 'b')).toBe(true);
    expect(a.futureRing()?.partitionsOf('b').length).toBe(8);
    for (const t of transfers) {
      expect(a.pendingOwner(t.partition)).toBe('b');
      expect(a.completeTransfer(t.partition, t.to, 2000)).toBe(true);
    }
    expect(a.completeTransfer(transfers[0].partition, 'b', 2000)).toBe(false);
    exchange(a, b, a.tick(3000, random)[0], 3000);
    expect(b.status()).toBe('up');
    exchange(b, a, b.tick(4000, random)[0], 4000);
    expect(a.digest()).toBe(b.digest());
    expect(a.ring()?.partitionsOf('b').length).toBe(8);
    expect(a.transfers()).toEqual([]);
    expect(a.memberState('b', 4000)).toBe('up');
  });

  it('refuses another cluster, ring shape or sender, changing nothing', () => {
    // Proves the guards: two separately founded clusters do not merge (wrong_cluster), a node of
    // another ring size or N is refused (wrong_shape), and a message whose sender differs from
    // the transport's peer is refused (bad_message); none of them moves the serial.
    const random = new SeededRandom(2);
    const a = fresh('a', { seeds: ['b'] });
    const b = fresh('b', { seeds: ['a'] });
    a.bootstrap(0);
    b.bootstrap(0);
    const serial = b.serial;
    const syn = a.tick(1000, random)[0].message;
    expect(b.receive('a', syn, 1000)).toMatchObject({ ok: false, code: 'wrong_cluster' });
    expect(b.receive('c', syn, 1000)).toMatchObject({ ok: false, code: 'bad_message' });
    const other = fresh('c', { ringSize: 32, seeds: ['b'] });
    other.bootstrap(0);
    expect(b.receive('c', other.tick(1000, random)[0].message, 1000)).toMatchObject({ ok: false, code: 'wrong_shape' });
    expect(b.serial).toBe(serial);
    expect(b.stats().messagesRefused).toBe(3);
  });

  it('contacts seeds when no member is live, and now and then otherwise', () => {
    // Proves seed selection: a non-member gossips only with its seeds; a member gossips with a
    // live peer every round and adds a seed once per seedGossipIntervalMs.
    const random = new SeededRandom(3);
    const observer = fresh('o', { seeds: ['s1', 's2'] });
    const first = observer.tick(0, random);
    expect(first).toHaveLength(1);
    expect(['s1', 's2']).toContain(first[0].seed);
    const a = fresh('a', { seeds: ['x'] });
    a.bootstrap(0);
    const b = fresh('b');
    b.join('a', 0);
    exchange(b, a, b.tick(0, random)[0], 0);
    const rounds = Array.from({ length: 10 }, (_, i) => a.tick(1000 * (i + 1), random));
    expect(rounds.every((sends) => sends.some((send) => send.to === 'b'))).toBe(true);
    const seedRounds = rounds.filter((sends) => sends.some((send) => send.seed === 'x')).length;
    expect(seedRounds).toBe(2); // 10 s at one seed contact per 5 s
  });
});

describe('in the simulator', () => {
  it('force-removal hands a dead node partitions to the others', async () => {
    // Proves remove(): n3 crashes for good; an admin removes it at n1; every node adopts its
    // partitions for their targets without a transfer, and the four others converge, up, with a
    // balanced ring that names n3 nowhere.
    const sim = new GossipSim({ seed: 11, ringSize: 64, checkInvariants: false });
    const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
    sim.startFormed(ids, ['n1']);
    await sim.run(5000);
    sim.crash('n3');
    await sim.run(3000);
    expect(sim.node('n1').core.remove('n3', sim.clock.now())).toEqual({ ok: true });
    const rest = ids.filter((id) => id !== 'n3');
    expect(await sim.runUntil(() => sim.notConverged(rest) === undefined, 60_000)).toBe(true);
    expect(sim.owners()).not.toContain('n3');
    expect(sim.node('n2').core.record('n3')?.status).toBe('removed');
    expect(sim.node('n2').core.memberState('n3', sim.clock.now())).toBeUndefined();
    const counts = [...partitionCounts(sim.owners()).values()];
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('a weight change re-claims in proportion', async () => {
    // Proves heterogeneity end to end: n1 doubles its weight; the others learn it by gossip,
    // every node re-claims the same plan, transfers run, and n1 ends with twice the others' share.
    const sim = new GossipSim({ seed: 12, ringSize: 64 });
    const ids = ['n1', 'n2', 'n3', 'n4'];
    sim.startFormed(ids, ['n1']);
    await sim.run(3000);
    sim.node('n1').core.updateSelf({ weight: 2 }, sim.clock.now());
    await sim.run(1000);
    expect(await sim.runUntil(() => sim.notConverged(ids) === undefined, 60_000)).toBe(true);
    const counts = partitionCounts(sim.owners());
    expect(counts.get('n1')).toBeGreaterThanOrEqual(25);
    expect(counts.get('n1')).toBeLessThanOrEqual(26);
    expect(sim.violations).toEqual([]);
  });
});
