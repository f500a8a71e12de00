// The Transport conformance suite: what every Transport must do, run by transport.test.ts
// against TCP on 127.0.0.1 and against the simulated network with no faults.

import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../core/common/clock.js';
import type { NodeId } from '../../core/common/types.js';
import { TransportError, type PeerMessage, type Transport } from '../../core/net/transport.js';

/** A set of transports that can reach each other, and control over their time. */
export interface TransportWorld {
  /** The clock the transports of this world use (to schedule test actions in their time). */
  clock: Clock;
  /** Makes a transport for `id`, reachable by the others. */
  add(id: NodeId): Promise<Transport>;
  /** An id the others know but that nothing answers for (a refused connection). */
  addUnreachable(id: NodeId): Promise<void>;
  /** Waits for `promise`, letting up to `maxMs` of the world's time pass. */
  run<T>(promise: Promise<T>, maxMs?: number): Promise<T>;
  /** Closes everything the world made. */
  close(): Promise<void>;
}

/** Waits for a promise that must reject, and returns the TransportError. */
export async function transportErrorOf(world: TransportWorld, promise: Promise<unknown>): Promise<TransportError> {
  const outcome = await world.run(
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
  );
  if (!('error' in outcome)) throw new Error(`expected a TransportError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(TransportError);
  return outcome.error as TransportError;
}

/** A promise and the functions that settle it. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const timeoutMs = 5000;

export function transportConformance(name: string, makeWorld: () => TransportWorld): void {
  describe(`Transport conformance: ${name}`, () => {
    let world: TransportWorld;

    async function pair(): Promise<[Transport, Transport]> {
      world = makeWorld();
      const a = await world.add('a');
      const b = await world.add('b');
      return [a, b];
    }

    afterEach(async () => {
      await world?.close();
    });

    it('answers a request with the handler reply, naming the sender', async () => {
      const [a, b] = await pair();
      a.onRequest((from, message) => ({ type: 'echo-reply', from, got: message }));
      const reply = await world.run(b.request('a', { type: 'echo', n: 42, s: 'héllo', list: [1, null, true] }, { timeoutMs }));
      expect(reply).toEqual({ type: 'echo-reply', from: 'b', got: { type: 'echo', n: 42, s: 'héllo', list: [1, null, true] } });
      // And the other way round.
      b.onRequest(async () => ({ type: 'pong' }));
      expect(await world.run(a.request('b', { type: 'ping' }, { timeoutMs }))).toEqual({ type: 'pong' });
      expect(b.stats().framesOut).toBeGreaterThan(0);
    });

    it('carries binary values intact, both ways', async () => {
      const [a, b] = await pair();
      const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const big = Buffer.alloc(1024 * 1024 + 17);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
      a.onRequest((_from, message) => ({ type: 'r', values: message.values, nested: { raw: new Uint8Array([0, 0x80, 0xff]) } }));
      const reply = await world.run(b.request('a', { type: 'q', values: [every, big, new Uint8Array(0)] }, { timeoutMs }));
      const values = reply.values as Uint8Array[];
      expect(values.every((value) => value instanceof Uint8Array)).toBe(true);
      expect(Buffer.compare(values[0], every)).toBe(0);
      expect(Buffer.compare(values[1], big)).toBe(0);
      expect(values[2].byteLength).toBe(0);
      expect([...(reply.nested as { raw: Uint8Array }).raw]).toEqual([0, 0x80, 0xff]);
    });

    it('never shares objects between sender and receiver', async () => {
      const [a, b] = await pair();
      const sent = { type: 'q', inner: { n: 1 }, bytes: new Uint8Array([1]) };
      let received: PeerMessage | undefined;
      a.onRequest((_from, message) => {
        received = message;
        return { type: 'ok' };
      });
      await world.run(b.request('a', sent, { timeoutMs }));
      expect(received).toEqual({ type: 'q', inner: { n: 1 }, bytes: Buffer.from([1]) });
      expect(received?.inner).not.toBe(sent.inner);
      expect(received?.bytes).not.toBe(sent.bytes);
    });

    it('matches replies that arrive out of order to their requests', async () => {
      const [a, b] = await pair();
      const count = 100;
      const held: Array<() => void> = [];
      const allArrived = deferred<void>();
      a.onRequest((_from, message) => {
        const reply = deferred<PeerMessage>();
        held.push(() => reply.resolve({ type: 'r', n: message.n }));
        if (held.length === count) allArrived.resolve();
        return reply.promise;
      });
      const order: number[] = [];
      const requests = Array.from({ length: count }, (_, n) =>
        b.request('a', { type: 'q', n }, { timeoutMs }).then((reply) => {
          expect(reply.n).toBe(n);
          order.push(n);
        }),
      );
      await world.run(allArrived.promise);
      for (const release of [...held].reverse()) release(); // answer the last first
      await world.run(Promise.all(requests));
      expect(order).toEqual(Array.from({ length: count }, (_, n) => count - 1 - n));
    });

    it('turns a handler error into TransportError("remote") with its code', async () => {
      const [a, b] = await pair();
      a.onRequest((_from, message) => {
        if (message.type === 'sync') throw Object.assign(new Error('sync failure'), { code: 'not_found' });
        if (message.type === 'async') return Promise.reject(new Error('async failure'));
        if (message.type === 'bad-reply') return { type: 'r', when: new Date(0) } as unknown as PeerMessage;
        return Promise.reject('a string'); // eslint-disable-line prefer-promise-reject-errors
      });
      const sync = await transportErrorOf(world, b.request('a', { type: 'sync' }, { timeoutMs }));
      expect([sync.code, sync.remoteCode]).toEqual(['remote', 'not_found']);
      expect(sync.message).toContain('sync failure');
      const async = await transportErrorOf(world, b.request('a', { type: 'async' }, { timeoutMs }));
      expect([async.code, async.remoteCode]).toEqual(['remote', 'internal']);
      expect(async.message).toContain('async failure');
      const bad = await transportErrorOf(world, b.request('a', { type: 'bad-reply' }, { timeoutMs }));
      expect([bad.code, bad.remoteCode]).toEqual(['remote', 'bad_reply']);
      const odd = await transportErrorOf(world, b.request('a', { type: 'odd' }, { timeoutMs }));
      expect(odd.remoteCode).toBe('internal');
      // The transport still serves after all that.
      a.onRequest(() => ({ type: 'fine' }));
      expect(await world.run(b.request('a', { type: 'q' }, { timeoutMs }))).toEqual({ type: 'fine' });
    });

    it('answers "no_handler" while no handler is installed', async () => {
      const [, b] = await pair();
      const error = await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs }));
      expect([error.code, error.remoteCode]).toEqual(['remote', 'no_handler']);
    });

    it('times out a request that gets no reply, and ignores the late reply', async () => {
      const [a, b] = await pair();
      const release = deferred<void>();
      a.onRequest(async () => {
        await release.promise;
        return { type: 'late' };
      });
      const error = await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs: 50 }));
      expect(error.code).toBe('timeout');
      // The peer got it and may act on it: the caller must not take it as undone.
      expect(error.maybeDelivered).toBe(true);
      release.resolve();
      a.onRequest(() => ({ type: 'on-time' }));
      expect(await world.run(b.request('a', { type: 'q' }, { timeoutMs }))).toEqual({ type: 'on-time' });
    });

    it('fails a request to a peer nobody answers for with "unreachable"', async () => {
      const [, b] = await pair();
      await world.addUnreachable('ghost');
      const error = await transportErrorOf(world, b.request('ghost', { type: 'q' }, { timeoutMs }));
      expect(error.code).toBe('unreachable');
      expect(error.maybeDelivered).toBe(false);
    });

    it('fails an aborted request with "aborted", before or after it is sent', async () => {
      const [a, b] = await pair();
      a.onRequest(() => new Promise<PeerMessage>(() => undefined));
      const before = new AbortController();
      before.abort();
      expect((await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs, signal: before.signal }))).code).toBe('aborted');
      const after = new AbortController();
      const pending = b.request('a', { type: 'q' }, { timeoutMs, signal: after.signal });
      world.clock.setTimeout(() => after.abort(), 20);
      expect((await transportErrorOf(world, pending)).code).toBe('aborted');
    });

    it('refuses messages that are not plain data, or too large, at the sender', async () => {
      const [a, b] = await pair();
      a.onRequest(() => ({ type: 'ok' }));
      const notPlain = await transportErrorOf(world, b.request('a', { type: 'q', at: new Date() }, { timeoutMs }));
      expect(notPlain.code).toBe('bad_message');
      const noType = await transportErrorOf(world, b.request('a', { kind: 'q' } as unknown as PeerMessage, { timeoutMs }));
      expect(noType.code).toBe('bad_message');
      const huge = await transportErrorOf(world, b.request('a', { type: 'q', value: Buffer.alloc(9 * 1024 * 1024) }, { timeoutMs }));
      expect(huge.code).toBe('too_large');
      expect([notPlain, noType, huge].some((error) => error.maybeDelivered)).toBe(false);
      expect(await world.run(b.request('a', { type: 'q' }, { timeoutMs }))).toEqual({ type: 'ok' });
    });

    it('isolates peers on command and heals', async () => {
      const [a, b] = await pair();
      const c = await world.add('c');
      let served = 0;
      const hold = deferred<PeerMessage>();
      a.onRequest(() => {
        served++;
        return served === 1 ? hold.promise : { type: 'ok' };
      });
      c.onRequest(() => ({ type: 'ok' }));
      const inFlight = b.request('a', { type: 'q' }, { timeoutMs });
      await world.run(new Promise<void>((resolve) => world.clock.setTimeout(resolve, 50)));
      b.isolate(['a']);
      expect(b.isolated()).toEqual(['a']);
      const cut = await transportErrorOf(world, inFlight);
      expect(cut.code).toBe('unreachable');
      expect(cut.maybeDelivered).toBe(true); // a took it before the cut
      const refused = await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs }));
      expect(refused.code).toBe('unreachable');
      expect(refused.maybeDelivered).toBe(false); // it never left b
      expect(await world.run(b.request('c', { type: 'q' }, { timeoutMs }))).toEqual({ type: 'ok' }); // others unaffected
      // Traffic from the isolated peer is dropped unseen: its request times out.
      b.onRequest(() => ({ type: 'from-b' }));
      expect((await transportErrorOf(world, a.request('b', { type: 'q' }, { timeoutMs: 100 }))).code).toBe('timeout');
      expect(b.stats().droppedIsolated).toBeGreaterThan(0);
      b.isolate([]);
      hold.resolve({ type: 'ok' });
      expect(await world.run(b.request('a', { type: 'q' }, { timeoutMs }))).toEqual({ type: 'ok' });
      expect(await world.run(a.request('b', { type: 'q' }, { timeoutMs }))).toEqual({ type: 'from-b' });
    });

    it('rejects pending requests with "closed" on close, and every request after', async () => {
      const [a, b] = await pair();
      a.onRequest(() => new Promise<PeerMessage>(() => undefined));
      const pending = b.request('a', { type: 'q' }, { timeoutMs });
      const outcome = pending.then(
        () => undefined,
        (error: unknown) => error,
      );
      await world.run(new Promise<void>((resolve) => world.clock.setTimeout(resolve, 20)));
      await b.close();
      const error = await world.run(outcome);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('closed');
      expect((await transportErrorOf(world, b.request('a', { type: 'q' }, { timeoutMs }))).code).toBe('closed');
      await b.close(); // twice is harmless
    });
  });
}
