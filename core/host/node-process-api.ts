// What a node process offers its supervisor over comlink, and the child-side call that offers
// it. The node entry (node-main.ts) builds a `NodeProcessApi` and hands it to
// `exposeNodeProcess`; the launcher (node-launcher.ts) forks the entry, waits for 'ready' and
// calls `start`. The lifecycle protocol on the channel is:
//
//   child → parent  'ready'  the API is exposed; the parent may call it
//   parent → child  'exit'   the parent is done with the process: it exits at once (code 0)
//   (channel closed)         the parent died: the node stops, bounded in time, then exits

import * as Comlink from 'comlink';
import type { LogLevel } from '../common/log.js';
import type { NodeConfig, NodeInfo } from '../node/config.js';
import { orphanStopWaitMs } from './limits.js';
import {
  childEndpoint,
  onParentEvent,
  processParentChannel,
  sendProcessEvent,
  type ParentChannel,
} from './process-endpoint.js';

/**
 * What a node process is started with: the node's configuration plus what only the process
 * needs (the node itself never sees these).
 */
export interface NodeProcessConfig extends NodeConfig {
  /** The least severe level written to <dir>/node.log; info by default. */
  logLevel?: LogLevel;
}

/**
 * The API of one node process. An implementation may add methods (admin calls, test hooks);
 * they are reachable through the launcher's `api` the same way.
 */
export interface NodeProcessApi {
  /** Opens storage, binds the HTTP and peer listeners, joins; reports the real addresses. */
  start(config: NodeProcessConfig): Promise<NodeInfo>;
  /**
   * Closes listeners and storage. Must be idempotent and must tolerate being called on a node
   * that never started: it also runs when the parent dies at any moment.
   */
  stop(): Promise<void>;
}

/** The process event a child sends once its API is exposed. */
export const readyEventType = 'ready';
/** The process event a parent sends when the child should exit now. */
export const exitEventType = 'exit';

/**
 * Child side: exposes `api` to the parent over the process channel and announces 'ready'.
 * Call it once, at the end of the node entry's module body. The process then lives as long as
 * the channel is open (an open IPC channel keeps Node's event loop alive); it exits when the
 * parent sends 'exit' or goes away.
 */
export function exposeNodeProcess<Api extends NodeProcessApi>(
  api: Api,
  channel: ParentChannel = processParentChannel(),
): void {
  Comlink.expose(api, childEndpoint(channel));
  onParentEvent((event) => {
    if (event.type === exitEventType) process.exit(0);
  }, channel);
  channel.onDisconnect(() => {
    // The parent is gone (it crashed or was killed): stop the node cleanly, but never linger
    // as an orphan holding its ports and data directory.
    const timer = setTimeout(() => process.exit(1), orphanStopWaitMs);
    timer.unref();
    api.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  sendProcessEvent({ type: readyEventType }, channel);
}
