// Assembles one real node: classic-level storage, the TCP transport, the DynamoNode and its
// HTTP API, from a NodeConfig. Used by the process entry (main.ts, under a supervisor) and by
// `dynamo node start` (in the foreground).

import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../api/http-server.js';
import type { Member } from '../common/types.js';
import { formatAddress, TcpTransport } from '../net/tcp-transport.js';
import { LevelStore } from '../storage/level-store.js';
import { ContextCodec } from '../version/context.js';
import type { NodeConfig, NodeInfo } from './config.js';
import { contextMac } from './context-mac.js';
import { DynamoNode } from './dynamo-node.js';
import { realClock, realRandom } from './real-clock.js';

export interface RunningNode {
  info: NodeInfo;
  node: DynamoNode;
  transport: TcpTransport;
  http: FastifyInstance;
  stop(): Promise<void>;
}

/** The id of a cluster formed by `cluster start`: the same on every node, derived from its secret. */
function formedClusterId(secret: string): string {
  return `formed-${createHash('sha256').update('dynamo-desk cluster id').update(secret).digest('hex').slice(0, 16)}`;
}

export async function startNodeProcess(config: NodeConfig): Promise<RunningNode> {
  const store = new LevelStore(path.join(config.dir, 'db'));
  await store.open();
  const transport = new TcpTransport({
    self: config.id,
    host: config.host,
    port: config.peerPort,
    clock: realClock,
    clusterSecret: config.clusterSecret,
  });
  let http: FastifyInstance | undefined;
  try {
    const peer = await transport.listen();
    const peerAddress = formatAddress(config.host, peer.port);
    let httpAddress = formatAddress(config.host, config.httpPort);
    const self: Member = { id: config.id, http: httpAddress, peer: peerAddress, weight: config.weight };
    const node = new DynamoNode({
      id: config.id,
      store,
      transport,
      clock: realClock,
      random: realRandom,
      ringSize: config.ringSize,
      n: config.n,
      r: config.r,
      w: config.w,
      self,
      seeds: config.seeds,
      formed:
        config.initialMembers === undefined
          ? undefined
          : { cluster: formedClusterId(config.clusterSecret), members: config.initialMembers },
      requestTimeoutMs: config.requestTimeoutMs,
      hintedHandoff: config.hintedHandoff,
      antiEntropyIntervalMs: config.antiEntropyIntervalMs,
      gossipIntervalMs: config.gossipIntervalMs,
      phiThreshold: config.phiThreshold,
    });
    await node.start();
    http = createHttpServer({
      node,
      contexts: new ContextCodec(contextMac(config.clusterSecret)),
      httpAddress: () => httpAddress,
      peerAddress,
      allowFaultInjection: config.allowFaultInjection,
      isolate: (nodes) => transport.isolate(nodes),
      transportStats: () => transport.stats(),
      seeds: config.seeds,
      token: config.token,
    });
    await http.listen({ host: config.host, port: config.httpPort });
    const bound = http.server.address();
    if (bound !== null && typeof bound === 'object') httpAddress = formatAddress(config.host, bound.port);
    const server = http;
    let stopping: Promise<void> | undefined;
    return {
      info: { id: config.id, pid: process.pid, http: `http://${httpAddress}`, peer: peerAddress },
      node,
      transport,
      http: server,
      stop: () =>
        (stopping ??= (async () => {
          await server.close();
          node.stop();
          await transport.close();
          await store.close();
        })()),
    };
  } catch (error) {
    await http?.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
