// The node process entry: the file the supervisor starts (child_process.fork headless, an
// Electron utilityProcess in the desktop app; see local-cluster.ts's `nodeEntry`). It exposes
// start/stop to the parent over comlink, on the IPC channel of a forked child or on the port a
// utilityProcess receives over `process.parentPort` (process-endpoint.ts, `connectToParent`);
// the parent sends the NodeProcessConfig. Standalone nodes use `dynamo node start`, which runs
// the same assembly (node-process.ts) in the foreground.

import type { NodeInfo } from '../node/config.js';
import { exposeNodeProcess, type NodeProcessConfig } from './node-process-api.js';
import { startNodeProcess } from './node-process.js';
import { connectToParent } from './process-endpoint.js';
import type { RunningNode } from './node-process.js';

let running: RunningNode | undefined;

// Ctrl-C in a terminal signals the whole process group, this node included. The supervisor
// handles it by stopping every node cleanly (each logs its shutdown and closes LevelDB), so the
// node waits for that instead of dying mid-write; should the supervisor die instead, the closed
// channel stops the node (node-process-api.ts).
process.on('SIGINT', () => {
  running?.log.info({ id: running.info.id }, 'SIGINT: waiting for the supervisor to stop this node');
});

// A utilityProcess first waits for its port from the parent; a forked child has its channel.
const parent = await connectToParent();

exposeNodeProcess({
  async start(config: NodeProcessConfig): Promise<NodeInfo> {
    if (running !== undefined) return running.info;
    running = await startNodeProcess(config);
    return running.info;
  },
  async stop(): Promise<void> {
    const node = running;
    running = undefined;
    await node?.stop();
  },
}, parent);
