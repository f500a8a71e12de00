// Proves failure detection: the phi-accrual detector grows phi linearly with silence scaled by
// the learned pace, ignores long silences when learning, and, through gossip heartbeats, every
// node judges a crashed member `down` within a bounded time (threshold 8: about 18 rounds) and
// `up` again within a few rounds of its restart; the node's own verdict (failed requests) counts
// too, until the member answers a gossip probe.

import { describe, expect, it } from 'vitest';
import { phiThresholdDefault } from '../../core/membership/limits.js';
import { PhiAccrualDetector } from '../../core/membership/phi-accrual.js';
import { GossipSim } from './gossip-sim.js';

describe('PhiAccrualDetector', () => {
  it('grows phi with silence over the mean interval, and resets on a heartbeat', () => {
    // Proves the formula phi = t / (mean · ln 10) on a steady 1 s pace: phi reaches 8 after about
    // 18.4 s of silence, and is 0 right after a heartbeat.
    const detector = new PhiAccrualDetector({ windowSize: 100, sampleMsMax: 5000, firstIntervalMs: 1000 }, 0);
    for (let t = 1000; t <= 60_000; t += 1000) detector.heartbeat(t);
    expect(detector.mean()).toBeCloseTo(1000, 6);
    expect(detector.phi(60_000)).toBe(0);
    expect(detector.phi(61_000)).toBeCloseTo(Math.LOG10E, 6);
    expect(detector.phi(60_000 + 18_000)).toBeLessThan(8);
    expect(detector.phi(60_000 + 18_500)).toBeGreaterThan(8);
    expect(detector.silenceMsFor(8)).toBeCloseTo(8000 / Math.LOG10E, 3);
  });

  it('does not learn from a long silence, and keeps a bounded window', () => {
    // Proves that an interval past sampleMsMax (a member back from a crash) leaves the mean as it
    // was, and that the window forgets old intervals: after 100 intervals of 2 s the mean is 2 s.
    const detector = new PhiAccrualDetector({ windowSize: 100, sampleMsMax: 5000, firstIntervalMs: 1000 }, 0);
    for (let t = 1000; t <= 10_000; t += 1000) detector.heartbeat(t);
    detector.heartbeat(70_000);
    expect(detector.mean()).toBeCloseTo(1000, 6);
    expect(detector.phi(70_000)).toBe(0);
    let t = 70_000;
    for (let i = 0; i < 100; i++) detector.heartbeat((t += 2000));
    expect(detector.mean()).toBeCloseTo(2000, 6);
  });
});

describe('liveness through gossip', () => {
  it('marks a crashed member down on every node within bounded time, and up again after restart', async () => {
    // Proves detection end to end: 8 nodes of a formed cluster gossip with 5% loss; n004
    // crashes; every other node reports it `down` within 30 s (phi 8 at a ~1 s pace is ~18 s),
    // and not before 10 s (no false alarm from the gossip's jitter). After a restart from its
    // snapshot it is `up` everywhere within 5 s.
    const sim = new GossipSim({ seed: 7, ringSize: 64, faults: { dropRate: 0.05, delayMsMin: 1, delayMsMax: 30 } });
    const ids = Array.from({ length: 8 }, (_, i) => `n00${i + 1}`);
    sim.startFormed(ids, ['n001']);
    await sim.run(30_000);
    const others = ids.filter((id) => id !== 'n004');
    for (const id of others) expect(sim.node(id).core.memberState('n004', sim.clock.now())).toBe('up');

    const saved = sim.crash('n004');
    const crashedAt = sim.clock.now();
    const allDown = () => others.every((id) => sim.node(id).core.memberState('n004', sim.clock.now()) === 'down');
    const anyDown = () => others.some((id) => sim.node(id).core.memberState('n004', sim.clock.now()) === 'down');
    expect(await sim.runUntil(anyDown, 30_000, 100)).toBe(true);
    expect(sim.clock.now() - crashedAt).toBeGreaterThan(10_000);
    expect(await sim.runUntil(allDown, 30_000, 100)).toBe(true);
    expect(sim.clock.now() - crashedAt).toBeLessThan(30_000);
    // A down member is still a member: it keeps its partitions (Dynamo: failure is not removal).
    expect(sim.node('n001').core.ring()?.partitionsOf('n004').length).toBeGreaterThan(0);
    expect(sim.node('n001').core.isUp('n004', sim.clock.now())).toBe(false);
    expect(sim.node('n001').core.phi('n004', sim.clock.now())).toBeGreaterThan(phiThresholdDefault);

    sim.restart('n004', saved);
    const restartedAt = sim.clock.now();
    const allUp = () => others.every((id) => sim.node(id).core.memberState('n004', sim.clock.now()) === 'up');
    expect(await sim.runUntil(allUp, 5000, 100)).toBe(true);
    expect(sim.clock.now() - restartedAt).toBeLessThanOrEqual(5000);
    expect(sim.violations).toEqual([]);
  });

  it('combines the node own verdict with gossip, until the member answers a probe', async () => {
    // Proves the local detector's merge: after reportUnreachable, n002 is down for routing at n001
    // although its heartbeats are fresh; n001's gossip probes down members, and the first answer
    // from n002 clears the verdict (as would reportReachable after a successful request).
    const sim = new GossipSim({ seed: 3, ringSize: 64 });
    const ids = ['n001', 'n002', 'n003', 'n004'];
    sim.startFormed(ids, ['n001']);
    await sim.run(5000);
    const core = sim.node('n001').core;
    core.reportUnreachable('n002', sim.clock.now());
    expect(core.isUp('n002', sim.clock.now())).toBe(false);
    expect(core.memberState('n002', sim.clock.now())).toBe('down');
    expect(core.phi('n002', sim.clock.now())).toBeLessThan(phiThresholdDefault);
    expect(await sim.runUntil(() => core.isUp('n002', sim.clock.now()), 30_000, 100)).toBe(true);
    core.reportUnreachable('n003', sim.clock.now());
    core.reportReachable('n003', sim.clock.now());
    expect(core.memberState('n003', sim.clock.now())).toBe('up');
    expect(core.memberState('n001', sim.clock.now())).toBe('up');
    expect(core.memberState('nobody', sim.clock.now())).toBeUndefined();
  });
});
