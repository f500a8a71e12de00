// The two worlds the transport suite runs in: real TCP on 127.0.0.1 with the real clock, and
// the simulated network on a virtual clock.

import net from 'node:net';
import type { Clock } from '../../core/common/clock.js';
import { SeededRandom } from '../../core/common/random.js';
import type { NodeId } from '../../core/common/types.js';
import { SimNetwork, type SimNetworkOptions } from '../../core/net/sim-network.js';
import { TcpTransport, type TcpTransportOptions } from '../../core/net/tcp-transport.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';
import type { Transport } from '../../core/net/transport.js';
import type { TransportWorld } from './transport-conformance.js';

/** The real clock, as a node process would inject it. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const clusterSecret = 'test-cluster-secret';

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TcpWorld extends TransportWorld {
  transports: Map<NodeId, TcpTransport>;
  add(id: NodeId, options?: Partial<TcpTransportOptions>): Promise<TcpTransport>;
}

export function tcpWorld(): TcpWorld {
  const transports = new Map<NodeId, TcpTransport>();
  const addresses = new Map<NodeId, string>();
  const introduce = (id: NodeId, address: string) => {
    addresses.set(id, address);
    for (const [other, transport] of transports) if (other !== id) transport.setPeerAddress(id, address);
  };
  return {
    clock: realClock,
    transports,
    async add(id, options = {}) {
      const transport = new TcpTransport({ self: id, host: '127.0.0.1', port: 0, clock: realClock, clusterSecret, ...options });
      await transport.listen();
      for (const [other, address] of addresses) transport.setPeerAddress(other, address);
      transports.set(id, transport);
      introduce(id, transport.address() as string);
      return transport;
    },
    async addUnreachable(id) {
      introduce(id, `127.0.0.1:${await closedPort()}`);
    },
    run: (promise) => promise,
    async close() {
      await Promise.all([...transports.values()].map((transport) => transport.close()));
      transports.clear();
    },
  };
}

export interface SimWorld extends TransportWorld {
  network: SimNetwork;
  clock: VirtualClock;
}

export function simWorld(options: Partial<SimNetworkOptions> & { seed?: number } = {}): SimWorld {
  const clock = options.clock ?? new VirtualClock();
  const network = new SimNetwork({ random: new SeededRandom(options.seed ?? 1), ...options, clock });
  const transports: Transport[] = [];
  return {
    clock,
    network,
    async add(id) {
      const transport = network.transport(id);
      transports.push(transport);
      return transport;
    },
    async addUnreachable() {
      // The simulator routes by id: an id without a transport is unreachable already.
    },
    async run<T>(promise: Promise<T>, maxMs = 600_000): Promise<T> {
      let settled = false;
      promise.then(
        () => (settled = true),
        () => (settled = true),
      );
      if (!(await clock.runUntil(() => settled, maxMs))) {
        throw new Error(`still pending after ${maxMs} ms of simulated time`);
      }
      return promise;
    },
    async close() {
      for (const transport of transports.splice(0)) await transport.close();
    },
  };
}
