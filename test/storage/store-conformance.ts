// The Store conformance suite: one set of tests that every Store implementation must pass
// (abstract-level's habit), run by store.test.ts against classic-level and the in-memory store.

import { afterEach, describe, expect, it } from 'vitest';
import { encodeDataKey, partitionRange } from '../../core/storage/keys.js';
import { StoreError, type Bytes, type KeyValueSpace, type Store } from '../../core/storage/store.js';

export interface StoreHarness {
  /** A new, unopened, empty store. */
  create(): Promise<Store>;
  /** Closes `store` if needed and returns a store over the same contents, unopened. */
  reopen(store: Store): Promise<Store>;
  /** Releases everything the harness made (stores are closed by the suite). */
  cleanup(): Promise<void>;
}

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const text = (value: string): Buffer => Buffer.from(value, 'utf8');

async function collect(iterable: AsyncIterable<[Bytes, Bytes]>): Promise<Array<[number[], string]>> {
  const out: Array<[number[], string]> = [];
  for await (const [key, value] of iterable) out.push([[...key], Buffer.from(value).toString('utf8')]);
  return out;
}

async function expectStoreError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe(code);
}

export function storeConformance(name: string, makeHarness: () => StoreHarness): void {
  describe(`Store conformance: ${name}`, () => {
    let harness: StoreHarness;
    const opened: Store[] = [];

    async function openStore(): Promise<Store> {
      harness = makeHarness();
      const store = await harness.create();
      await store.open();
      opened.push(store);
      return store;
    }

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await harness?.cleanup();
    });

    it('gets what was put, overwrites, and deletes', async () => {
      const store = await openStore();
      expect(await store.data.get(text('a'))).toBeUndefined();
      await store.data.put(text('a'), text('1'));
      expect(Buffer.from((await store.data.get(text('a'))) as Bytes).toString()).toBe('1');
      await store.data.put(text('a'), text('2'));
      expect(Buffer.from((await store.data.get(text('a'))) as Bytes).toString()).toBe('2');
      await store.data.del(text('a'));
      expect(await store.data.get(text('a'))).toBeUndefined();
      await store.data.del(text('missing')); // deleting a missing key is not an error
    });

    it('stores binary keys and values intact, including empty ones and every byte', async () => {
      const store = await openStore();
      const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.data.put(every, every);
      await store.data.put(b(), b());
      expect(Buffer.compare((await store.data.get(every)) as Bytes, every)).toBe(0);
      expect(((await store.data.get(b())) as Bytes).byteLength).toBe(0);
      // A plain Uint8Array (not a Buffer) works as well.
      await store.data.put(new Uint8Array([1, 2, 3]), new Uint8Array([9]));
      expect([...((await store.data.get(new Uint8Array([1, 2, 3]))) as Bytes)]).toEqual([9]);
    });

    it('is not affected when the caller mutates buffers after a put or a get', async () => {
      const store = await openStore();
      const key = text('k');
      const value = text('abc');
      await store.data.put(key, value);
      value[0] = 0x7a;
      key[0] = 0x7a;
      const read = (await store.data.get(text('k'))) as Bytes;
      expect(Buffer.from(read).toString()).toBe('abc');
      read[0] = 0x78;
      expect(Buffer.from((await store.data.get(text('k'))) as Bytes).toString()).toBe('abc');
    });

    it('applies a batch in order, and a batch with a bad operation not at all', async () => {
      const store = await openStore();
      await store.data.put(text('old'), text('x'));
      await store.data.batch([
        { type: 'put', key: text('a'), value: text('1') },
        { type: 'put', key: text('b'), value: text('2') },
        { type: 'del', key: text('a') },
        { type: 'del', key: text('old') },
        { type: 'put', key: text('c'), value: text('3') },
      ]);
      expect(await collect(store.data.range({}))).toEqual([
        [[...text('b')], '2'],
        [[...text('c')], '3'],
      ]);
      await expectStoreError(
        store.data.batch([
          { type: 'put', key: text('d'), value: text('4') },
          { type: 'put', key: text('e') } as never,
        ]),
        'bad_value',
      );
      await expectStoreError(store.data.batch([{ type: 'put', key: 'f' as never, value: text('5') }]), 'bad_key');
      expect(await store.data.get(text('d'))).toBeUndefined();
      expect((await collect(store.data.range({}))).length).toBe(2);
    });

    it('applies a batch across spaces atomically', async () => {
      const store = await openStore();
      await store.hints.put(text('h'), text('hint'));
      await store.batch([
        { space: 'data', type: 'put', key: text('k'), value: text('v') },
        { space: 'hints', type: 'del', key: text('h') },
        { space: 'meta', type: 'put', key: text('m'), value: text('meta') },
      ]);
      expect(Buffer.from((await store.data.get(text('k'))) as Bytes).toString()).toBe('v');
      expect(await store.hints.get(text('h'))).toBeUndefined();
      expect(Buffer.from((await store.meta.get(text('m'))) as Bytes).toString()).toBe('meta');
      await expectStoreError(
        store.batch([
          { space: 'data', type: 'put', key: text('k2'), value: text('v') },
          { space: 'nowhere' as never, type: 'put', key: text('k3'), value: text('v') },
        ]),
        'bad_key',
      );
      expect(await store.data.get(text('k2'))).toBeUndefined();
    });

    it('rejects keys and values that are not bytes', async () => {
      const store = await openStore();
      await expectStoreError(store.data.get('a' as never), 'bad_key');
      await expectStoreError(store.data.put(text('a'), 'v' as never), 'bad_value');
      await expectStoreError(store.data.put(undefined as never, text('v')), 'bad_key');
    });

    it('ranges in unsigned byte order, bytes ≥ 0x80 after bytes < 0x80', async () => {
      const store = await openStore();
      const keys = [b(0xff), b(0x80, 0x01), b(0x00), b(0x7f, 0xff), b(0x80), b(0x01), b(0xff, 0x00), b(0x7f)];
      for (const key of keys) await store.data.put(key, text(key.toString('hex')));
      const got = (await collect(store.data.range({}))).map(([key]) => key);
      expect(got).toEqual([[0x00], [0x01], [0x7f], [0x7f, 0xff], [0x80], [0x80, 0x01], [0xff], [0xff, 0x00]]);
    });

    it('honours gte (inclusive), lt (exclusive) and limit', async () => {
      const store = await openStore();
      for (let i = 0; i < 20; i++) await store.data.put(b(i * 10), text(String(i)));
      const keysOf = async (options: Parameters<KeyValueSpace['range']>[0]) =>
        (await collect(store.data.range(options))).map(([key]) => key[0]);
      expect(await keysOf({ gte: b(50), lt: b(100) })).toEqual([50, 60, 70, 80, 90]);
      expect(await keysOf({ gte: b(55), lt: b(56) })).toEqual([]);
      expect(await keysOf({ gte: b(150) })).toEqual([150, 160, 170, 180, 190]);
      expect(await keysOf({ lt: b(20) })).toEqual([0, 10]);
      expect(await keysOf({ gte: b(30), limit: 3 })).toEqual([30, 40, 50]);
      expect(await keysOf({ limit: 0 })).toEqual([]);
      expect(await keysOf({ limit: -1, gte: b(185) })).toEqual([190]);
      expect(await keysOf({ gte: b(100), lt: b(50) })).toEqual([]);
    });

    it('reads a range from a snapshot and releases it when the loop breaks early', async () => {
      const store = await openStore();
      for (let i = 0; i < 600; i++) await store.data.put(b(i >> 8, i & 0xff), text(String(i)));
      let seen = 0;
      for await (const [key] of store.data.range({})) {
        if (seen === 0) {
          await store.data.put(b(0xff, 0xff), text('late')); // after the snapshot
          await store.data.del(b(0x02, 0x00)); // entry 512, deleted after the snapshot
        }
        seen++;
        expect(key[0]).not.toBe(0xff);
      }
      expect(seen).toBe(600);
      let count = 0;
      for await (const _entry of store.data.range({})) {
        if (++count === 3) break;
      }
      expect(count).toBe(3);
      await store.data.put(text('after-break'), text('ok')); // the store still works
    });

    it('keeps the three spaces independent', async () => {
      const store = await openStore();
      await store.data.put(text('k'), text('data'));
      await store.hints.put(text('k'), text('hints'));
      await store.meta.put(text('k'), text('meta'));
      expect(Buffer.from((await store.hints.get(text('k'))) as Bytes).toString()).toBe('hints');
      await store.hints.del(text('k'));
      expect(Buffer.from((await store.data.get(text('k'))) as Bytes).toString()).toBe('data');
      expect(Buffer.from((await store.meta.get(text('k'))) as Bytes).toString()).toBe('meta');
      expect(await collect(store.meta.range({}))).toEqual([[[...text('k')], 'meta']]);
      await store.data.put(b(0xff, 0xff, 0xff), text('top'));
      expect((await collect(store.hints.range({}))).length).toBe(0);
    });

    it('clears a range', async () => {
      const store = await openStore();
      for (let i = 0; i < 10; i++) await store.data.put(b(i), text(String(i)));
      await store.data.clear({ gte: b(3), lt: b(7) });
      expect((await collect(store.data.range({}))).map(([key]) => key[0])).toEqual([0, 1, 2, 7, 8, 9]);
      await store.data.clear({});
      expect((await collect(store.data.range({}))).length).toBe(0);
    });

    it('scans exactly one partition with partitionRange', async () => {
      const store = await openStore();
      for (const partition of [0, 1, 2, 255, 256, 300]) {
        for (const key of ['a', 'é', '\u{1f600}']) {
          await store.data.put(encodeDataKey(partition, 'bucket', key), text(`${partition}/${key}`));
        }
      }
      const values = (await collect(store.data.range(partitionRange(255)))).map(([, value]) => value);
      expect(values).toEqual(['255/a', '255/é', '255/\u{1f600}']);
      expect((await collect(store.data.range(partitionRange(256)))).length).toBe(3);
      expect((await collect(store.data.range(partitionRange(3)))).length).toBe(0);
    });

    it('keeps its contents across close and reopen', async () => {
      const first = await openStore();
      await first.data.put(text('durable'), text('yes'));
      await first.meta.put(text('ring'), text('r1'));
      await first.close();
      const second = await harness.reopen(first);
      await second.open();
      opened.push(second);
      expect(Buffer.from((await second.data.get(text('durable'))) as Bytes).toString()).toBe('yes');
      expect(Buffer.from((await second.meta.get(text('ring'))) as Bytes).toString()).toBe('r1');
    });

    it('applies writes asked to sync like any other, and keeps them across reopen', async () => {
      // A synced write (a durable write's) is the same write with a flush: same results, same
      // validation; the flush itself is proved on a real process (test/integration/durable-writes).
      const first = await openStore();
      const synced = { sync: true };
      await first.data.put(text('a'), text('1'), synced);
      await first.data.put(text('b'), text('2'), synced);
      await first.data.del(text('b'), synced);
      await first.hints.batch([{ type: 'put', key: text('h'), value: text('3') }], synced);
      await first.batch([{ space: 'data', type: 'put', key: text('c'), value: text('4') }, { space: 'meta', type: 'put', key: text('m'), value: text('5') }], synced);
      await expectStoreError(first.data.put(text('x'), 'not bytes' as unknown as Bytes, synced), 'bad_value');
      await first.close();
      const second = await harness.reopen(first);
      await second.open();
      opened.push(second);
      expect(await collect(second.data.range({}))).toEqual([[[...text('a')], '1'], [[...text('c')], '4']]);
      expect(await collect(second.hints.range({}))).toEqual([[[...text('h')], '3']]);
      expect(Buffer.from((await second.meta.get(text('m'))) as Bytes).toString()).toBe('5');
    });

    it('fails with typed errors before open and after close', async () => {
      harness = makeHarness();
      const store = await harness.create();
      await expectStoreError(store.data.get(text('a')), 'not_open');
      await store.open();
      await store.data.put(text('a'), text('1'));
      await store.close();
      await expectStoreError(store.data.get(text('a')), 'closed');
      await expectStoreError(store.data.put(text('a'), text('2')), 'closed');
      await expectStoreError(store.hints.batch([]), 'closed');
      await expectStoreError(store.batch([]), 'closed');
      await expectStoreError(collect(store.meta.range({})), 'closed');
      await store.close(); // closing twice is harmless
    });

    it('fails a range that is being read when the store closes', async () => {
      const store = await openStore();
      for (let i = 0; i < 2000; i++) await store.data.put(b(i >> 8, i & 0xff), b(i & 0xff));
      const iterator = store.data.range({})[Symbol.asyncIterator]();
      await iterator.next();
      await store.close();
      const outcome = await (async () => {
        try {
          for (let i = 0; i < 2000; i++) {
            const step = await iterator.next();
            if (step.done) return 'done';
          }
          return 'more';
        } catch (error) {
          return error;
        }
      })();
      // Entries already fetched may still be yielded, but the range must then stop with a
      // typed error: never hang, never end as if it had seen everything.
      expect(outcome).toBeInstanceOf(StoreError);
      expect((outcome as StoreError).code).toBe('closed');
    });
  });
}
