// The node process entry: run by the supervisor (child_process.fork now, Electron's
// utilityProcess later). It exposes start/stop to the parent over comlink; the parent sends
// the NodeConfig. Standalone nodes use `dynamo node start`, which runs the same assembly.

import { exposeNodeProcess } from '../host/node-process-api.js';
import type { NodeConfig, NodeInfo } from './config.js';
import { startNodeProcess } from './node-process.js';
import type { RunningNode } from './node-process.js';

let running: RunningNode | undefined;

exposeNodeProcess({
  async start(config: NodeConfig): Promise<NodeInfo> {
    if (running !== undefined) return running.info;
    running = await startNodeProcess(config);
    return running.info;
  },
  async stop(): Promise<void> {
    const node = running;
    running = undefined;
    await node?.stop();
  },
});
