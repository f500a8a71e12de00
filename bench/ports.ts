// Free loopback ports for the servers the tests and benchmarks start (dynamo-desk nodes, etcd
// members, consoles), all below 32768: the kernel hands out ephemeral ports (outgoing
// connections, port 0) from 32768 up on this machine, so a port chosen below that cannot be
// taken by a connection between the check and the bind. Each port is checked by binding it.

import net from 'node:net';
import { realRandom } from '../core/runtime/real-clock.js';

const low = 20_000;
const high = 32_767;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports below 32768 that were free a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempt = 0; ports.length < count; attempt++) {
    if (attempt > count * 50) throw new Error(`found only ${ports.length} of ${count} free ports below 32768`);
    const port = low + realRandom.int(high - low);
    if (!ports.includes(port) && (await bindable(port))) ports.push(port);
  }
  return ports;
}

/** A base port b such that b+1 … b+count are all free and below 32768 (node i uses b+i). */
export async function freeBasePort(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = low + realRandom.int(high - low - count - 1);
    let free = true;
    for (let i = 1; i <= count && free; i++) free = await bindable(base + i);
    if (free) return base;
  }
  throw new Error(`found no ${count} consecutive free ports below 32768`);
}
