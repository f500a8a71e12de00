// The must/may checker (test/support/history.ts) judges every simulation, so it must itself be
// shown to catch what it exists to catch. First, on histories built by hand: it reports an
// acknowledged write missing from the final read as lost and a value an acknowledged write
// replaced as resurrected, an unwritten value as unknown, and it stays silent on what only an
// unacknowledged write saw (that MAY be gone) and on a clean history. Then on a real
// simulation whose nodes run on a broken disk that keeps the first version of every key and
// silently drops every later write to it: the checker reports both lost and resurrected
// versions, while the same seed on healthy disks passes.

import { describe, expect, it } from 'vitest';
import type { Bytes, KeyValueSpace, SpaceBatchOp, Store } from '../../core/storage/store.js';
import { History } from '../support/history.js';
import { simulateDataPath } from './simulator.js';

describe('must/may checker on histories built by hand', () => {
  it('reports an acknowledged write that the final read lacks as lost', () => {
    const history = new History();
    history.attempt('k', 'x1', []);
    history.acknowledge('k', 'x1', []);
    expect(history.check('k', [])).toEqual([{ key: 'k', kind: 'lost', value: 'x1' }]);
  });

  it('reports a value that an acknowledged write replaced, present again, as resurrected', () => {
    const history = new History();
    history.attempt('k', 'x1', []);
    history.acknowledge('k', 'x1', []);
    history.attempt('k', 'x2', ['x1']);
    history.acknowledge('k', 'x2', ['x1']);
    expect(history.check('k', ['x1', 'x2'])).toEqual([{ key: 'k', kind: 'resurrected', value: 'x1' }]);
  });

  it('reports a value an acknowledged delete replaced as resurrected, and does not require the tombstone', () => {
    const history = new History();
    history.attempt('k', 'x1', []);
    history.acknowledge('k', 'x1', []);
    history.attempt('k', undefined, ['x1']);
    history.acknowledge('k', 'n1:7', ['x1'], true);
    expect(history.check('k', [])).toEqual([]);
    expect(history.check('k', ['x1'])).toEqual([{ key: 'k', kind: 'resurrected', value: 'x1' }]);
  });

  it('reports both at once: the replacing write lost and the replaced one back', () => {
    const history = new History();
    history.attempt('k', 'x1', []);
    history.acknowledge('k', 'x1', []);
    history.attempt('k', 'x2', ['x1']);
    history.acknowledge('k', 'x2', ['x1']);
    expect(history.check('k', ['x1'])).toEqual([
      { key: 'k', kind: 'lost', value: 'x2' },
      { key: 'k', kind: 'resurrected', value: 'x1' },
    ]);
  });

  it('reports a value nobody wrote as unknown, unless told versions are named only on ack', () => {
    const history = new History();
    history.attempt('k', 'x1', []);
    history.acknowledge('k', 'x1', []);
    expect(history.check('k', ['x1', 'forged'])).toEqual([{ key: 'k', kind: 'unknown', value: 'forged' }]);
    expect(history.check('k', ['x1', 'forged'], { unknown: false })).toEqual([]);
  });

  it('lets go of what only an unacknowledged write saw, and keeps the rest of the history to its word', () => {
    // A write that failed may still have been applied: what it saw MAY be gone and MAY stay;
    // its own value MAY appear. Nothing here is a violation.
    const history = new History();
    history.attempt('k', 'x1', []);
    history.acknowledge('k', 'x1', []);
    history.attempt('k', 'x2', ['x1']);
    history.fail();
    expect(history.check('k', [])).toEqual([]);
    expect(history.check('k', ['x1'])).toEqual([]);
    expect(history.check('k', ['x2'])).toEqual([]);
    expect(history.check('k', ['x1', 'x2'])).toEqual([]);
  });

  it('passes a clean history: concurrent acknowledged writes both present, the replaced one gone', () => {
    const history = new History();
    for (const value of ['x1', 'y1']) {
      history.attempt('k', value, []);
      history.acknowledge('k', value, []);
    }
    history.attempt('k', 'x2', ['x1']);
    history.acknowledge('k', 'x2', ['x1']);
    expect(history.check('k', ['x2', 'y1'])).toEqual([]);
    expect(history.check('other', [])).toEqual([]);
  });
});

/**
 * A broken disk: once a data key holds a version, every later write to it is acknowledged and
 * dropped (the replica keeps the first version it stored). Hints and membership are stored
 * faithfully, so the cluster itself runs and settles normally.
 */
function stickyFirstVersion(store: Store): Store {
  const data = store.data;
  const keep = async (key: Bytes) => (await data.get(key)) !== undefined;
  const brokenData: KeyValueSpace = {
    get: (key) => data.get(key),
    put: async (key, value) => {
      if (!(await keep(key))) await data.put(key, value);
    },
    del: (key) => data.del(key),
    batch: async (ops) => {
      const kept = [];
      for (const op of ops) if (op.type === 'del' || !(await keep(op.key))) kept.push(op);
      await data.batch(kept);
    },
    range: (options) => data.range(options),
    clear: (options) => data.clear(options),
  };
  return {
    data: brokenData,
    hints: store.hints,
    meta: store.meta,
    batch: async (ops: SpaceBatchOp[]) => {
      const kept = [];
      for (const op of ops) if (op.space !== 'data' || op.type === 'del' || !(await keep(op.key))) kept.push(op);
      await store.batch(kept);
    },
    open: () => store.open(),
    close: () => store.close(),
  };
}

describe('must/may checker on a simulation with a broken disk', () => {
  it('reports lost and resurrected versions when every replica drops writes to keys it already holds', async () => {
    const seed = 7;
    const healthy = await simulateDataPath({ seed });
    expect(healthy.violations, `seed ${seed} on healthy disks`).toEqual([]);
    const broken = await simulateDataPath({ seed, wrapStore: (_id, store) => stickyFirstVersion(store) });
    const kinds = new Set(broken.violations.map((violation) => violation.kind));
    expect(broken.acked, `seed ${seed}: writes were acknowledged`).toBeGreaterThan(0);
    expect(kinds.has('lost'), `seed ${seed}: ${JSON.stringify(broken.violations.slice(0, 5))}`).toBe(true);
    expect(kinds.has('resurrected'), `seed ${seed}: ${JSON.stringify(broken.violations.slice(0, 5))}`).toBe(true);
  });
});
