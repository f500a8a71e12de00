// Runs the Transport conformance suite over TCP and over the simulated network, then proves
// what only one of them does: TCP survives hostile bytes and strangers; the simulator's faults
// behave and a seed replays a run exactly.

import net from 'node:net';
import fc from 'fast-check';
import { pack } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import { encodeFrame, FrameDecoder, FrameKind } from '../../core/net/frame.js';
import {
  handshakeProof,
  helloMessage,
  makeNonce,
  parseChallenge,
  proofMessage,
} from '../../core/net/handshake.js';
import { formatSimEvent, SimNetwork } from '../../core/net/sim-network.js';
import { TcpTransport, type TcpTransportStats } from '../../core/net/tcp-transport.js';
import { TransportError, type PeerMessage } from '../../core/net/transport.js';
import { VirtualClock } from '../../core/net/virtual-clock.js';
import { transportConformance, transportErrorOf } from './transport-conformance.js';
import { clusterSecret, closedPort, realClock, simWorld, tcpWorld, type SimWorld, type TcpWorld } from './worlds.js';

transportConformance('tcp', tcpWorld);
transportConformance('sim', () => simWorld());

const timeoutMs = 5000;

/** Resolves once `condition` holds, polling on real time; fails after `maxMs`. */
async function eventually(condition: () => boolean, maxMs = 2000): Promise<void> {
  const start = realClock.now();
  while (!condition()) {
    if (realClock.now() - start > maxMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A raw client socket to `port`, with its received bytes and its closing observable. */
async function rawSocket(port: number): Promise<{ socket: net.Socket; closed: Promise<void>; received: Buffer[] }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, closed, received };
}

/** Performs the dialer's side of the handshake by hand on a raw socket. */
async function authenticate(socket: net.Socket, self: string, listener: string, secret = clusterSecret): Promise<void> {
  const nonce = makeNonce();
  const decoder = new FrameDecoder(1024);
  const challenge = new Promise<PeerMessage>((resolve) => {
    socket.on('data', (chunk: Buffer) => decoder.push(chunk, (envelope) => resolve(envelope.m)));
  });
  socket.write(encodeFrame(FrameKind.hello, 0, helloMessage(self, nonce)));
  const parsed = parseChallenge(await challenge);
  if (!parsed) throw new Error('no challenge');
  const proof = handshakeProof(secret, 'dialer', nonce, parsed.nonce, self, listener);
  socket.write(encodeFrame(FrameKind.hello, 0, proofMessage(proof)));
}

function withHeader(body: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.byteLength, 0);
  return Buffer.concat([header, body]);
}

function rejections(stats: TcpTransportStats): number {
  return stats.framesRejected + stats.handshakeFailures;
}

describe('TcpTransport', () => {
  let world: TcpWorld;
  const sockets: net.Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await world?.close();
  });

  async function served(): Promise<{ a: TcpTransport; b: TcpTransport; port: number }> {
    world = tcpWorld();
    const a = await world.add('a');
    const b = await world.add('b');
    a.onRequest((from, message) => ({ type: 'ok', from, n: message.n }));
    const port = Number((a.address() as string).split(':')[1]);
    return { a, b, port };
  }

  it('closes and counts connections that send random bytes, and keeps serving', async () => {
    const { a, b, port } = await served();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 3000 }), async (garbage) => {
        const before = rejections(a.stats());
        const { socket, closed } = await rawSocket(port);
        sockets.push(socket);
        socket.end(garbage);
        await closed;
        await eventually(() => rejections(a.stats()) === before + 1);
        expect(await b.request('a', { type: 'q', n: garbage.length }, { timeoutMs })).toEqual({ type: 'ok', from: 'b', n: garbage.length });
      }),
      { numRuns: 40 },
    );
  });

  it('closes a connection at once when a length prefix is too large, before or after the handshake', async () => {
    const { a, b, port } = await served();
    const header = (length: number) => {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(length, 0);
      return bytes;
    };
    // Before the handshake only small hello frames are allowed.
    const early = await rawSocket(port);
    sockets.push(early.socket);
    early.socket.write(header(4096));
    await early.closed;
    await eventually(() => a.stats().framesRejected === 1);
    // After it, up to frameBytesMax: one byte more closes the connection without reading on.
    const late = await rawSocket(port);
    sockets.push(late.socket);
    await authenticate(late.socket, 'intruder-with-secret', 'a');
    late.socket.write(header(8 * 1024 * 1024 - 3));
    await late.closed;
    await eventually(() => a.stats().framesRejected === 2);
    expect(a.stats().handshakeFailures).toBe(0);
    expect(await b.request('a', { type: 'q', n: 1 }, { timeoutMs })).toMatchObject({ type: 'ok' });
  });

  it('closes a connection that sends a bad envelope after the handshake', async () => {
    const { a, port } = await served();
    const cases: Buffer[] = [
      Buffer.from([0, 0, 0, 1, 0xc1]), // not msgpack (0xc1 is never used)
      withHeader(pack({ k: 0, i: -1, m: { type: 'q' } })), // a negative request id
      withHeader(pack({ k: 0, i: 1, m: { type: 'q' }, x: 1 })), // an unknown envelope field
      withHeader(pack({ k: 0, i: 1, m: { type: 'q', when: new Date(0) } })), // not plain data
      encodeFrame(FrameKind.reply, 1, { type: 'wrong-direction' }), // replies never go this way
      withHeader(Buffer.from([0x93, 0x00, 0x01, 0x02])), // an array, not a map
    ];
    for (const [index, bytes] of cases.entries()) {
      const { socket, closed } = await rawSocket(port);
      sockets.push(socket);
      await authenticate(socket, `peer-${index}`, 'a');
      socket.write(bytes);
      await closed;
      await eventually(() => a.stats().framesRejected === index + 1);
    }
    expect(a.stats().handshakeFailures).toBe(0);
  });

  it('refuses requests before the handshake and connections that never complete it', async () => {
    world = tcpWorld();
    const a = await world.add('a', { handshakeTimeoutMs: 100 });
    let handled = 0;
    a.onRequest(() => {
      handled++;
      return { type: 'ok' };
    });
    const port = Number((a.address() as string).split(':')[1]);
    const eager = await rawSocket(port);
    sockets.push(eager.socket);
    eager.socket.write(encodeFrame(FrameKind.request, 1, { type: 'q' }));
    await eager.closed;
    const silent = await rawSocket(port);
    sockets.push(silent.socket);
    await silent.closed; // closed by the handshake deadline
    // A dialer whose proof was made with another secret.
    const forged = await rawSocket(port);
    sockets.push(forged.socket);
    await authenticate(forged.socket, 'forger', 'a', 'not-the-secret');
    await forged.closed;
    await eventually(() => a.stats().handshakeFailures === 3);
    expect(handled).toBe(0);
  });

  it('fails the handshake both ways when the secrets differ', async () => {
    const { a, b } = await served();
    const stranger = await world.add('s', { clusterSecret: 'another-secret' });
    stranger.setPeerAddress('a', a.address() as string);
    const error = await transportErrorOf(world, stranger.request('a', { type: 'q' }, { timeoutMs }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain('cluster secret');
    expect(stranger.stats().handshakeFailures).toBe(1);
    await eventually(() => a.stats().handshakeFailures === 1);
    // And a stranger's listener is refused by a member, which learns nothing from it.
    b.setPeerAddress('s', stranger.address() as string);
    stranger.onRequest(() => ({ type: 'leak' }));
    expect((await transportErrorOf(world, b.request('s', { type: 'q' }, { timeoutMs }))).code).toBe('unreachable');
    expect(await b.request('a', { type: 'q', n: 2 }, { timeoutMs })).toMatchObject({ type: 'ok' });
  });

  it('refuses a peer that is not the node it dialed', async () => {
    const { a, b } = await served();
    b.setPeerAddress('x', a.address() as string);
    const error = await transportErrorOf(world, b.request('x', { type: 'q' }, { timeoutMs }));
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain('is a, not x');
  });

  it('reconnects on the next request after the peer restarts', async () => {
    const { a, b } = await served();
    expect(await b.request('a', { type: 'q', n: 1 }, { timeoutMs })).toMatchObject({ type: 'ok' });
    const address = a.address() as string;
    const port = Number(address.split(':')[1]);
    await a.close();
    expect((await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs }))).code).toBe('unreachable');
    const again = await world.add('a', { port });
    again.onRequest(() => ({ type: 'ok-again' }));
    expect(await b.request('a', { type: 'q' }, { timeoutMs })).toEqual({ type: 'ok-again' });
    // The first connection, then at least one new dial after it failed.
    expect(b.stats().connectionsDialed).toBeGreaterThanOrEqual(2);
  });

  it('fails a request with "unreachable" when connecting takes too long', async () => {
    world = tcpWorld();
    // A listener that accepts but never answers the hello.
    const mute = net.createServer((socket) => {
      socket.on('error', () => undefined);
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    try {
      const b = await world.add('b', { connectTimeoutMs: 100 });
      b.setPeerAddress('m', `127.0.0.1:${(mute.address() as net.AddressInfo).port}`);
      const error = await transportErrorOf(world, b.request('m', { type: 'q' }, { timeoutMs }));
      expect(error.code).toBe('unreachable');
      expect(error.message).toContain('timed out');
    } finally {
      for (const socket of sockets.splice(0)) socket.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });

  it('refuses requests past the in-flight and queued-bytes limits with "overloaded"', async () => {
    world = tcpWorld();
    const a = await world.add('a', { limits: { requestsInFlightMax: 3 } });
    const held: Array<() => void> = [];
    a.onRequest(
      () =>
        new Promise<PeerMessage>((resolve) => {
          held.push(() => resolve({ type: 'ok' }));
        }),
    );
    const b = await world.add('b', { limits: { requestsInFlightMax: 2, queueBytesMax: 64 * 1024 } });
    const c = await world.add('c', { limits: { requestsInFlightMax: 10 } });
    const first = [b.request('a', { type: 'q' }, { timeoutMs }), b.request('a', { type: 'q' }, { timeoutMs })];
    expect((await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs }))).code).toBe('overloaded');
    // The queued-bytes limit: one frame bigger than the queue can hold.
    const big = await transportErrorOf(world, b.request('c', { type: 'q', v: Buffer.alloc(70 * 1024) }, { timeoutMs }));
    expect(big.code).toBe('overloaded');
    // The receiver's own limit: it runs at most 3 handlers for one connection, answering
    // 'overloaded' past that, which the caller sees as the same code.
    const fromC = [1, 2, 3].map(() => c.request('a', { type: 'q' }, { timeoutMs }));
    await eventually(() => held.length === 5);
    const refused = await transportErrorOf(world, c.request('a', { type: 'q' }, { timeoutMs }));
    expect([refused.code, refused.remoteCode]).toEqual(['overloaded', 'overloaded']);
    for (const release of held) release();
    await Promise.all([...first, ...fromC]);
  });

  it('survives a request to a bad address and to an unknown peer', async () => {
    world = tcpWorld();
    const b = await world.add('b');
    b.setPeerAddress('bad', 'not-an-address');
    expect((await transportErrorOf(world, b.request('bad', { type: 'q' }, { timeoutMs }))).code).toBe('unreachable');
    expect((await transportErrorOf(world, b.request('nobody', { type: 'q' }, { timeoutMs }))).code).toBe('unreachable');
    b.setPeerAddress('gone', `127.0.0.1:${await closedPort()}`);
    expect((await transportErrorOf(world, b.request('gone', { type: 'q' }, { timeoutMs }))).code).toBe('unreachable');
  });

  it('binds the port it is given and reports it', async () => {
    const port = await closedPort();
    const transport = new TcpTransport({ self: 'p', host: '127.0.0.1', port, clock: realClock, clusterSecret });
    try {
      expect(await transport.listen()).toEqual({ host: '127.0.0.1', port });
      expect(transport.address()).toBe(`127.0.0.1:${port}`);
    } finally {
      await transport.close();
    }
  });
});

describe('SimNetwork', () => {
  let world: SimWorld;

  afterEach(async () => {
    await world?.close();
  });

  async function three(options: Parameters<typeof simWorld>[0] = {}) {
    world = simWorld(options);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => world.add(id)));
    let handled = 0;
    for (const transport of [a, b, c]) {
      transport.onRequest((from, message) => {
        handled++;
        return { type: 'ok', by: transport.self, from, n: message.n };
      });
    }
    return { a, b, c, handled: () => handled };
  }

  it('drops every message at dropRate 1, so requests time out', async () => {
    const { a } = await three({ faults: { dropRate: 1 } });
    expect((await transportErrorOf(world, a.request('b', { type: 'q' }, { timeoutMs: 100 }))).code).toBe('timeout');
    expect(world.clock.now()).toBe(100);
  });

  it('delivers each message twice at duplicateRate 1, and settles a request once', async () => {
    const { a, handled } = await three({ faults: { duplicateRate: 1 } });
    expect(await world.run(a.request('b', { type: 'q', n: 1 }, { timeoutMs }))).toMatchObject({ by: 'b', n: 1 });
    await world.clock.runUntilIdle(1000);
    expect(handled()).toBe(2); // the request arrived twice; two replies came back, one counted
  });

  it('cuts partitions both ways, leaves the rest alone, and heals', async () => {
    const { a, c } = await three();
    world.network.partition(['a', 'b'], ['c']);
    expect((await transportErrorOf(world, a.request('c', { type: 'q' }, { timeoutMs: 100 }))).code).toBe('timeout');
    expect((await transportErrorOf(world, c.request('b', { type: 'q' }, { timeoutMs: 100 }))).code).toBe('timeout');
    expect(await world.run(a.request('b', { type: 'q' }, { timeoutMs }))).toMatchObject({ by: 'b' });
    world.network.heal();
    expect(await world.run(a.request('c', { type: 'q' }, { timeoutMs }))).toMatchObject({ by: 'c' });
    world.network.isolate('b');
    expect((await transportErrorOf(world, a.request('b', { type: 'q' }, { timeoutMs: 100 }))).code).toBe('timeout');
    expect(await world.run(a.request('c', { type: 'q' }, { timeoutMs }))).toMatchObject({ by: 'c' });
  });

  it('cuts a message already on its way when a partition starts', async () => {
    const { a } = await three({ faults: { delayMsMin: 50, delayMsMax: 50 } });
    const pending = a.request('b', { type: 'q' }, { timeoutMs: 500 });
    await world.clock.advance(10);
    world.network.partition(['a'], ['b']);
    expect((await transportErrorOf(world, pending)).code).toBe('timeout');
  });

  it('crashes a node: its requests fail "closed", requests to it "unreachable"; restart makes a new one', async () => {
    world = simWorld();
    const a = await world.add('a');
    const b = await world.add('b');
    a.onRequest(() => new Promise<PeerMessage>(() => undefined));
    b.onRequest(() => new Promise<PeerMessage>(() => undefined));
    const toA = b.request('a', { type: 'q' }, { timeoutMs });
    const fromA = a.request('b', { type: 'q' }, { timeoutMs });
    await world.clock.advance(10);
    world.network.crash('a');
    expect((await transportErrorOf(world, toA)).code).toBe('unreachable');
    expect((await transportErrorOf(world, fromA)).code).toBe('closed');
    expect((await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs }))).code).toBe('unreachable');
    expect(() => world.network.transport('a')).toThrow(/crashed/);
    const reborn = world.network.restart('a');
    expect(reborn).not.toBe(a);
    reborn.onRequest(() => ({ type: 'reborn' }));
    expect(await world.run(b.request('a', { type: 'q' }, { timeoutMs }))).toEqual({ type: 'reborn' });
    await reborn.close();
  });

  it('reorders messages through random delays', async () => {
    world = simWorld({ seed: 3, faults: { delayMsMin: 1, delayMsMax: 50 } });
    const a = await world.add('a');
    const b = await world.add('b');
    const arrived: number[] = [];
    b.onRequest((_from, message) => {
      arrived.push(message.n as number);
      return { type: 'ok' };
    });
    const requests = Array.from({ length: 20 }, (_, n) => a.request('b', { type: 'q', n }, { timeoutMs }));
    await world.run(Promise.all(requests));
    expect([...arrived].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(arrived).not.toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('replays the same trace from the same seed, and another from another seed', async () => {
    async function traceOf(seed: number): Promise<string[]> {
      const trace: string[] = [];
      const clock = new VirtualClock();
      const network = new SimNetwork({
        random: new SeededRandom(seed),
        clock,
        faults: { dropRate: 0.2, duplicateRate: 0.2, delayMsMin: 1, delayMsMax: 30 },
        onEvent: (event) => trace.push(formatSimEvent(event)),
      });
      const ids = ['n1', 'n2', 'n3', 'n4'];
      const transports = ids.map((id) => network.transport(id));
      for (const transport of transports) {
        // Handlers that take simulated time and run async steps, like a node's would.
        transport.onRequest(async (from, message) => {
          await new Promise<void>((resolve) => clock.setTimeout(resolve, 1 + ((message.n as number) % 7)));
          await Promise.resolve();
          return { type: 'ok', from, n: message.n };
        });
      }
      const outcomes: string[] = [];
      const requests = [];
      for (let n = 0; n < 60; n++) {
        const from = transports[n % 4];
        const to = ids[(n * 7 + 1) % 4];
        if (to === from.self) continue;
        requests.push(
          from.request(to, { type: 'q', n }, { timeoutMs: 200 }).then(
            (reply) => outcomes.push(`${n} ok ${reply.n}`),
            (error: TransportError) => outcomes.push(`${n} ${error.code}`),
          ),
        );
      }
      await clock.runUntilIdle(10_000);
      await Promise.all(requests);
      return [...trace, ...outcomes];
    }
    const first = await traceOf(7);
    expect(first.length).toBeGreaterThan(100);
    expect(first.some((line) => line.includes('(random)'))).toBe(true);
    expect(first.some((line) => line.includes('delays=') && line.split('delays=')[1].includes(','))).toBe(true);
    expect(await traceOf(7)).toEqual(first);
    expect(await traceOf(8)).not.toEqual(first);
  });

  it('lets a node isolate peers through its own transport', async () => {
    const { a, b } = await three();
    a.isolate(['b']);
    expect((await transportErrorOf(world, a.request('b', { type: 'q' }, { timeoutMs }))).code).toBe('unreachable');
    expect((await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs: 100 }))).code).toBe('timeout');
    a.isolate([]);
    expect(await world.run(b.request('a', { type: 'q' }, { timeoutMs }))).toMatchObject({ by: 'a' });
  });

  it('counts messages and bytes', async () => {
    const { a, b } = await three();
    await world.run(a.request('b', { type: 'q', v: Buffer.alloc(100) }, { timeoutMs }));
    expect(a.stats()).toMatchObject({ framesOut: 1, framesIn: 1 });
    expect(b.stats()).toMatchObject({ framesOut: 1, framesIn: 1 });
    expect(a.stats().bytesOut).toBeGreaterThan(100);
  });
});

describe('error shapes', () => {
  it('keeps the remote code on TransportError', () => {
    const error = new TransportError('remote', 'n1: not_found: gone', { remoteCode: 'not_found' });
    expect(error.remoteCode).toBe('not_found');
    expect(new TransportError('timeout', 'x').remoteCode).toBeUndefined();
  });
});
