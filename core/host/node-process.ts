// Assembles one real node process: its log, classic-level storage, the TCP transport, the
// DynamoNode and its HTTP API, from a NodeProcessConfig. Used by the process entry
// (node-main.ts, under a supervisor) and by `dynamo node start` (in the foreground).

import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createHttpServer } from '../api/http-server.js';
import type { Member } from '../common/types.js';
import { formatAddress } from '../net/address.js';
import { TcpTransport } from '../net/tcp-transport.js';
import type { NodeInfo } from '../node/config.js';
import { contextMac } from '../node/context-mac.js';
import { DynamoNode } from '../node/dynamo-node.js';
import { realClock, realRandom } from '../runtime/real-clock.js';
import { LevelStore } from '../storage/level-store.js';
import { ContextCodec } from '../version/context.js';
import { createNodeLog } from './node-log.js';
import type { NodeProcessConfig } from './node-process-api.js';

export interface RunningNode {
  info: NodeInfo;
  node: DynamoNode;
  transport: TcpTransport;
  http: FastifyInstance;
  /** The process's log (<dir>/node.log, warnings and errors also on stderr). */
  log: Logger;
  stop(): Promise<void>;
}

/** The id of a cluster formed by `cluster start`: the same on every node, derived from its secret. */
function formedClusterId(secret: string): string {
  return `formed-${createHash('sha256').update('dynamo-desk cluster id').update(secret).digest('hex').slice(0, 16)}`;
}

export async function startNodeProcess(config: NodeProcessConfig): Promise<RunningNode> {
  await mkdir(config.dir, { recursive: true });
  const nodeLog = createNodeLog({ dir: config.dir, nodeId: config.id, level: config.logLevel });
  const log = nodeLog.logger;
  const store = new LevelStore(path.join(config.dir, 'db'), { sync: config.sync === true });
  try {
    await store.open();
  } catch (error) {
    log.error({ id: config.id, dir: config.dir, err: error }, 'node process failed to open its store');
    nodeLog.close();
    throw error;
  }
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
      historyVersions: config.historyVersions,
      traceSample: config.traceSample,
      allowFaultInjection: config.allowFaultInjection,
      log,
    });
    await node.start();
    http = createHttpServer({
      node,
      contexts: new ContextCodec(contextMac(config.clusterSecret)),
      httpAddress: () => httpAddress,
      peerAddress,
      seeds: config.seeds,
      token: config.token,
      log,
    });
    await http.listen({ host: config.host, port: config.httpPort });
    const bound = http.server.address();
    if (bound !== null && typeof bound === 'object') httpAddress = formatAddress(config.host, bound.port);
    const server = http;
    log.info(
      {
        id: config.id,
        http: httpAddress,
        peer: peerAddress,
        ringSize: config.ringSize,
        n: config.n,
        r: config.r,
        w: config.w,
        seeds: config.seeds,
        dir: config.dir,
        sync: config.sync === true,
      },
      'node process started',
    );
    let stopping: Promise<void> | undefined;
    return {
      info: { id: config.id, pid: process.pid, http: `http://${httpAddress}`, peer: peerAddress },
      node,
      transport,
      http: server,
      log,
      stop: () =>
        (stopping ??= (async () => {
          log.info({ id: config.id }, 'node process stopping');
          try {
            await server.close();
            node.stop();
            await transport.close();
            await store.close();
            log.info({ id: config.id }, 'node process stopped');
          } catch (error) {
            log.error({ id: config.id, err: error }, 'node process failed to stop cleanly');
            throw error;
          } finally {
            nodeLog.close();
          }
        })()),
    };
  } catch (error) {
    log.error({ id: config.id, err: error }, 'node process failed to start');
    await http?.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    nodeLog.close();
    throw error;
  }
}
