// A small cluster of real DynamoNode instances in the simulator (MemoryStore, SimNetwork,
// virtual clock), for tests of one node behaviour: every node formed at once, N = 3, R = W = 2
// (nodes named in `joining` start outside it, seeded by the first, to be joined by the test).

import { silentLog, type Log } from '../../core/common/log.js';
import { SeededRandom } from '../../core/common/random.js';
import type { Member } from '../../core/common/types.js';
import { SimNetwork } from '../../core/net/sim-network.js';
import type { Transport } from '../../core/net/transport.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';
import { DynamoNode } from '../../core/node/dynamo-node.js';
import { MemoryStore } from '../../core/storage/memory-store.js';
import type { Store } from '../../core/storage/store.js';

export interface SimNodesOptions {
  ids?: string[];
  seed?: number;
  /** One-way delay of every message, virtual ms. */
  delayMs?: number;
  inFlightMax?: number;
  requestTimeoutMs?: number;
  ringSize?: number;
  /** Nodes that start outside the cluster (seeded by the first node), for a test to join. */
  joining?: string[];
  antiEntropyIntervalMs?: number;
  /** Replaces a node's store (to break or watch its disk). */
  wrapStore?: (id: string, store: Store) => Store;
  /** Replaces a node's transport (to play a node of another version, or watch its messages). */
  wrapTransport?: (id: string, transport: Transport) => Transport;
  log?: Log;
  /** The fraction of requests each node traces (the node's default when absent). */
  traceSample?: number;
}

export async function simNodes(options: SimNodesOptions = {}) {
  const clock = new VirtualClock();
  const random = new SeededRandom(options.seed ?? 7);
  const delayMs = options.delayMs ?? 5;
  const network = new SimNetwork({ random: random.fork(), clock, faults: { delayMsMin: delayMs, delayMsMax: delayMs } });
  const members: Member[] = (options.ids ?? ['n1', 'n2', 'n3']).map((id) => ({ id, http: id, peer: id, weight: 1 }));
  const nodes: DynamoNode[] = [];
  const joining = new Set(options.joining ?? []);
  const formed = members.filter((member) => !joining.has(member.id));
  for (const member of members) {
    const memory = new MemoryStore();
    await memory.open();
    const node = new DynamoNode({
      id: member.id,
      store: options.wrapStore?.(member.id, memory) ?? memory,
      log: options.log ?? silentLog,
      transport: options.wrapTransport?.(member.id, network.transport(member.id)) ?? network.transport(member.id),
      clock,
      random: random.fork(),
      ringSize: options.ringSize ?? 8,
      n: 3,
      r: 2,
      w: 2,
      self: member,
      formed: joining.has(member.id) ? undefined : { cluster: 'sim-nodes', members: formed },
      seeds: joining.has(member.id) ? [formed[0].id] : [],
      seedsAreAddresses: false,
      antiEntropyIntervalMs: options.antiEntropyIntervalMs,
      clientRequestsInFlightMax: options.inFlightMax,
      requestTimeoutMs: options.requestTimeoutMs,
      traceSample: options.traceSample,
    });
    await node.start();
    nodes.push(node);
  }
  /** Runs the virtual clock until `promise` settles (at most `maxMs`), then returns it. */
  const settle = async <T>(promise: Promise<T>, maxMs = 5_000): Promise<T> => {
    let done = false;
    void promise.then(
      () => (done = true),
      () => (done = true),
    );
    await clock.runUntil(() => done, maxMs);
    return promise;
  };
  return { clock, network, nodes, settle, stop: () => Promise.all(nodes.map((node) => node.stop())) };
}
