// Runs the Store conformance suite against both implementations, plus what only classic-level
// has (a lock on the database directory).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LevelStore } from '../../core/storage/level-store.js';
import { MemoryStore } from '../../core/storage/memory-store.js';
import { StoreError, type Store } from '../../core/storage/store.js';
import { storeConformance, type StoreHarness } from './store-conformance.js';

function levelHarness(): StoreHarness {
  const dirs: string[] = [];
  return {
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'dynamo-store-'));
      dirs.push(dir);
      return new LevelStore(join(dir, 'db'));
    },
    async reopen(store: Store) {
      await store.close();
      return new LevelStore((store as LevelStore).location);
    },
    async cleanup() {
      for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
    },
  };
}

function memoryHarness(): StoreHarness {
  return {
    async create() {
      return new MemoryStore();
    },
    async reopen(store: Store) {
      await store.close();
      return store;
    },
    async cleanup() {},
  };
}

storeConformance('classic-level', levelHarness);
storeConformance('memory', memoryHarness);

describe('LevelStore', () => {
  it('says whether it syncs every write (the node\'s --sync), which its acks then rely on', () => {
    expect(new LevelStore('/nonexistent/a').syncsEveryWrite).toBe(false);
    expect(new LevelStore('/nonexistent/b', { sync: true }).syncsEveryWrite).toBe(true);
    expect((new MemoryStore() as Store).syncsEveryWrite).toBeUndefined();
  });

  it('refuses a second open of the same directory with StoreError("locked")', async () => {
    const harness = levelHarness();
    const first = (await harness.create()) as LevelStore;
    await first.open();
    const second = new LevelStore(first.location);
    try {
      const error = await second.open().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('locked');
      // The failed store can be opened once the first one lets go.
      await first.close();
      await second.open();
      await second.data.put(Buffer.from('k'), Buffer.from('v'));
    } finally {
      await second.close();
      await first.close();
      await harness.cleanup();
    }
  });

  it('answers synchronous reads for many concurrent puts, and writes a put in flight at close', async () => {
    // Reads are synchronous (getSync): every concurrent put is readable once it resolves, and a
    // put still in flight when the store closes is written before the database closes.
    const harness = levelHarness();
    const store = (await harness.create()) as LevelStore;
    await store.open();
    try {
      const keys = Array.from({ length: 500 }, (_, i) => Buffer.from(`key-${String(i).padStart(4, '0')}`));
      await Promise.all(keys.map((key, i) => store.data.put(key, Buffer.from(`v${i}`))));
      for (let i = 0; i < keys.length; i++) expect(Buffer.from((await store.data.get(keys[i]))!).toString()).toBe(`v${i}`);
      const late = store.data.put(Buffer.from('late'), Buffer.from('written'));
      const reopened = await harnessReopen(store);
      await late;
      await reopened.open();
      expect(Buffer.from((await reopened.data.get(Buffer.from('late')))!).toString()).toBe('written');
      await reopened.close();
    } finally {
      await store.close();
      await harness.cleanup();
    }
  });
});

describe('LevelStore write groups', () => {
  it('writes one turn\'s puts, deletes and batches together; a refused write fails alone and a closed store refuses', async () => {
    const harness = levelHarness();
    const store = (await harness.create()) as LevelStore;
    await store.open();
    try {
      await store.data.put(Buffer.from('gone'), Buffer.from('x'));
      // One turn: a put per space, a delete, a caller's batch and a write refused before it joins.
      const writes = [
        store.data.put(Buffer.from('a'), Buffer.from('1')),
        store.hints.put(Buffer.from('h'), Buffer.from('2')),
        store.data.del(Buffer.from('gone')),
        store.batch([
          { space: 'data', type: 'put', key: Buffer.from('b'), value: Buffer.from('3') },
          { space: 'meta', type: 'put', key: Buffer.from('m'), value: Buffer.from('4') },
        ]),
      ];
      const refused = store.data.put(Buffer.from('c'), 'not bytes' as unknown as Uint8Array);
      await expect(refused).rejects.toBeInstanceOf(StoreError);
      await Promise.all(writes);
      const text = async (value: Promise<Uint8Array | undefined>) => ((await value) === undefined ? undefined : Buffer.from((await value)!).toString());
      expect(await text(store.data.get(Buffer.from('a')))).toBe('1');
      expect(await text(store.hints.get(Buffer.from('h')))).toBe('2');
      expect(await text(store.data.get(Buffer.from('gone')))).toBeUndefined();
      expect(await text(store.data.get(Buffer.from('b')))).toBe('3');
      expect(await text(store.meta.get(Buffer.from('m')))).toBe('4');
      expect(await text(store.data.get(Buffer.from('c')))).toBeUndefined();
      await store.close();
      await expect(store.data.put(Buffer.from('a'), Buffer.from('late'))).rejects.toMatchObject({ code: 'closed' });
    } finally {
      await store.close();
      await harness.cleanup();
    }
  });
});

async function harnessReopen(store: LevelStore): Promise<LevelStore> {
  await store.close();
  return new LevelStore(store.location);
}
