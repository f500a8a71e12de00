// Shared by the host tests: the fake node entry, node configurations, and a liveness probe.

import { fileURLToPath } from 'node:url';
import type { NodeConfig } from '../../core/node/config.js';

/** The fake node entry; run it with `fakeNodeExecArgv`. */
export const fakeNodeEntry = fileURLToPath(new URL('./fixtures/fake-node.ts', import.meta.url));
/** tsx loads the TypeScript entry in a forked child process (not in a worker thread, on Node 20). */
export const fakeNodeExecArgv = ['--import', 'tsx'];

export function nodeConfig(id: string): NodeConfig {
  return {
    id,
    dir: `/tmp/dynamo-host-test/${id}`,
    host: '127.0.0.1',
    httpPort: 0,
    peerPort: 0,
    seeds: [],
    ringSize: 64,
    n: 3,
    r: 2,
    w: 2,
    hintedHandoff: true,
    allowFaultInjection: false,
    clusterSecret: 'test-secret',
    weight: 1,
  };
}

/** Whether a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Fetches a node's HTTP answer (the fake node answers with its id and pid). */
export async function httpAnswer(http: string): Promise<{ id: string; pid: number }> {
  const response = await fetch(`http://${http}/`);
  return (await response.json()) as { id: string; pid: number };
}
