// Durable writes (a request's `dw`, Riak's DW; a node's --sync) on real DynamoNode instances in
// the simulator. Every node's store is wrapped in a Disk that records, for each write, whether
// the caller asked for a synced one, and that can hold synced writes back (a disk slow to
// flush, or one that never does). The tests prove: a put with dw = 2 syncs the coordinator's
// write and a replica's, and is not answered while the replica's synced write is still under
// way; a put with dw = 0 asks no disk for a sync; a forwarded put carries dw to its
// coordinator; a fallback's durable hint counts toward DW; a replica acks durable when asked and,
// when its store syncs every write (--sync), always; a peer's dw above its w is refused; and a
// put whose W is met with too few durable acks (a replica of an older version that ignores
// the flag) answers `quorum` with the durable count, over HTTP too, at once when DW can no
// longer be met and at the request's time-out when it still could.

import { describe, expect, it } from 'vitest';
import { createHttpServer } from '../../core/api/http-server.js';
import { silentLog } from '../../core/common/log.js';
import type { PeerMessage, RequestHandler, Transport } from '../../core/net/transport.js';
import { TransportError } from '../../core/net/transport.js';
import { contextMac } from '../../core/node/context-mac.js';
import type { DynamoNode, PutRequest } from '../../core/node/dynamo-node.js';
import { encodeRecord } from '../../core/node/record-codec.js';
import type { BatchOp, Bytes, KeyValueSpace, RangeOptions, SpaceBatchOp, Store, WriteOptions } from '../../core/storage/store.js';
import { ContextCodec } from '../../core/version/context.js';
import { coordinatePut } from '../../core/version/sibling-set.js';
import { simNodes } from '../support/sim-nodes.js';

interface DiskWrite {
  /** data, hints, meta (a space's own put, del or batch), or a batch across spaces named by them ("data+meta"). */
  space: string;
  /** The caller asked for a synced write. */
  sync: boolean;
}

/** What a node's store was asked to write, and a way to hold its synced writes back. */
class Disk {
  readonly writes: DiskWrite[] = [];
  /** While set, synced writes (asked for, or all of them on a store that syncs every write) wait in `held`. */
  holdSynced = false;
  private readonly held: Array<() => void> = [];

  constructor(readonly syncsEveryWrite = false) {}

  write(space: string, options: WriteOptions | undefined, apply: () => Promise<void>): Promise<void> {
    const sync = options?.sync === true;
    this.writes.push({ space, sync });
    if (!this.holdSynced || !(sync || this.syncsEveryWrite)) return apply();
    return new Promise((resolve, reject) => this.held.push(() => void apply().then(resolve, reject)));
  }

  /** Synced writes of the data or hints (a data write that changes the key index is a batch across spaces). */
  synced(space: 'data' | 'hints' = 'data'): number {
    return this.writes.filter((w) => w.sync && w.space.split('+').includes(space)).length;
  }

  /** Writes of the data, synced or not. */
  dataWrites(): number {
    return this.writes.filter((w) => w.space.split('+').includes('data')).length;
  }

  heldCount(): number {
    return this.held.length;
  }

  /** Lets the oldest held write go to the disk. */
  releaseOne(): void {
    this.held.shift()?.();
  }
}

function recordedSpace(inner: KeyValueSpace, space: string, disk: Disk): KeyValueSpace {
  return {
    get: (key: Bytes) => inner.get(key),
    put: (key: Bytes, value: Bytes, options?: WriteOptions) => disk.write(space, options, () => inner.put(key, value, options)),
    del: (key: Bytes, options?: WriteOptions) => disk.write(space, options, () => inner.del(key, options)),
    batch: (ops: BatchOp[], options?: WriteOptions) => disk.write(space, options, () => inner.batch(ops, options)),
    range: (options: RangeOptions) => inner.range(options),
    clear: (options: Omit<RangeOptions, 'limit'>) => inner.clear(options),
  };
}

function recorded(store: Store, disk: Disk): Store {
  return {
    data: recordedSpace(store.data, 'data', disk),
    hints: recordedSpace(store.hints, 'hints', disk),
    meta: recordedSpace(store.meta, 'meta', disk),
    syncsEveryWrite: disk.syncsEveryWrite,
    batch: (ops: SpaceBatchOp[], options?: WriteOptions) =>
      disk.write([...new Set(ops.map((op) => op.space))].join('+'), options, () => store.batch(ops, options)),
    open: () => store.open(),
    close: () => store.close(),
  };
}

/**
 * A node of the version before durable writes, as its peers see it: it never reads the `d` of
 * a replica.merge (its writes are plain) and never says `d` in its acks.
 */
function olderVersion(transport: Transport): Transport {
  const withoutDurable = (message: PeerMessage): PeerMessage => {
    if (message.type !== 'replica.merge' && message.type !== 'ack') return message;
    const { d: _ignored, ...older } = message;
    return older as PeerMessage;
  };
  return {
    get self() {
      return transport.self;
    },
    request: (to, message, options) => transport.request(to, message, options),
    onRequest: (handler: RequestHandler) =>
      transport.onRequest(async (from, message) => withoutDurable(await handler(from, withoutDurable(message)))),
    setPeerAddress: (id, address) => transport.setPeerAddress(id, address),
    isolate: (ids) => transport.isolate(ids),
    isolated: () => transport.isolated(),
    stats: () => transport.stats(),
    close: () => transport.close(),
  };
}

async function cluster(options: { ids?: string[]; syncing?: string[]; older?: string[]; requestTimeoutMs?: number } = {}) {
  const disks = new Map<string, Disk>();
  const sim = await simNodes({
    ids: options.ids,
    seed: 5,
    delayMs: 2,
    requestTimeoutMs: options.requestTimeoutMs ?? 500,
    wrapStore: (id, store) => {
      const disk = new Disk(options.syncing?.includes(id) ?? false);
      disks.set(id, disk);
      return recorded(store, disk);
    },
    wrapTransport: (id, transport) => (options.older?.includes(id) ? olderVersion(transport) : transport),
  });
  const byId = (id: string): DynamoNode => sim.nodes.find((node) => node.id === id)!;
  const disk = (id: string): Disk => disks.get(id)!;
  return { ...sim, byId, disk };
}

function write(w: number, dw: number, value = 'v'): PutRequest {
  return { context: { vv: {}, dots: [] }, value: Buffer.from(value), contentType: 'text/plain', deleted: false, w, dw };
}

/** A key whose preference list, on `node`'s ring, leaves `outside` out (any key when it is undefined). */
function keyWhere(node: DynamoNode, test: (preference: string[]) => boolean): { key: string; preference: string[] } {
  for (let i = 0; i < 10_000; i++) {
    const key = `k${i}`;
    const { preference } = node.admin.locate('b', key);
    if (test(preference)) return { key, preference };
  }
  throw new Error('no such key');
}

describe('a put with dw', () => {
  it('dw=2: syncs the coordinator’s write and a replica’s, and answers only once a replica’s is done', async () => {
    const sim = await cluster();
    const n1 = sim.byId('n1');
    sim.disk('n2').holdSynced = true;
    sim.disk('n3').holdSynced = true;
    let answered = false;
    const putting = n1.put('b', 'k', write(2, 2));
    void putting.then(() => (answered = true));

    // Both replicas received the durable write and are flushing it; the coordinator's own is done.
    expect(await sim.clock.runUntil(() => sim.disk('n2').heldCount() === 1 && sim.disk('n3').heldCount() === 1, 200)).toBe(true);
    expect(sim.disk('n1').synced()).toBe(1);
    // W = 2 could be met by any ack, but no durable replica ack has come: no answer, however long
    // the flush takes (short of the request's time-out).
    await sim.clock.runUntil(() => answered, 300);
    expect(answered).toBe(false);

    sim.disk('n2').releaseOne();
    const outcome = await sim.settle(putting);
    expect(outcome.kind).toBe('ok');
    expect(sim.disk('n2').synced()).toBe(1);
    sim.disk('n3').releaseOne();
    await sim.stop();
  });

  it('dw=0: no node’s disk is asked for a sync', async () => {
    const sim = await cluster();
    const outcome = await sim.settle(sim.byId('n1').put('b', 'k', write(2, 0)));
    expect(outcome.kind).toBe('ok');
    // Every replica has stored it (the third one after the answer).
    expect(await sim.clock.runUntil(() => ['n1', 'n2', 'n3'].every((id) => sim.disk(id).dataWrites() >= 1), 1_000)).toBe(true);
    for (const id of ['n1', 'n2', 'n3']) expect(sim.disk(id).writes.filter((w) => w.sync), id).toEqual([]);
    await sim.stop();
  });

  it('is carried to the coordinator when a node outside the preference list forwards it', async () => {
    const sim = await cluster({ ids: ['n1', 'n2', 'n3', 'n4'] });
    const { key, preference } = keyWhere(sim.nodes[0], (p) => !p.includes('n4'));
    const outcome = await sim.settle(sim.byId('n4').put('b', key, write(3, 3)));
    expect(outcome.kind).toBe('ok');
    for (const id of preference) expect(sim.disk(id).synced(), id).toBe(1);
    expect(sim.byId('n4').admin.figures().requests.forwardedPuts).toBe(1);

    const plain = await sim.settle(sim.byId('n4').put('b', `${key}-plain`, write(3, 0)));
    expect(plain.kind).toBe('ok');
    for (const id of preference) expect(sim.disk(id).synced(), id).toBe(1);
    await sim.stop();
  });

  it('counts a fallback’s durable hint toward DW for the primary it stands in for', async () => {
    const sim = await cluster({ ids: ['n1', 'n2', 'n3', 'n4'] });
    const { key, preference } = keyWhere(sim.nodes[0], (p) => !p.includes('n4'));
    const [coordinator, , down] = preference;
    sim.network.crash(down);
    const outcome = await sim.settle(sim.byId(coordinator).put('b', key, write(3, 3)));
    expect(outcome.kind).toBe('ok');
    // n4 kept the write as a hint for the crashed primary, synced: the third durable ack.
    expect(sim.disk('n4').synced('hints')).toBe(1);
    expect(sim.byId('n4').admin.hints().byTarget).toEqual({ [down]: 1 });
    await sim.stop();
  });
});

describe('a replica', () => {
  const state = coordinatePut(undefined, {}, 'n1', { value: Buffer.from('x'), contentType: 'text/plain', lastModified: 1, deleted: false }, [], 0);
  if (!state.ok) throw new Error('coordinatePut refused');
  const rec = encodeRecord(state.state);

  it('acks durable when asked (and syncs), plain when not; a --sync replica always acks durable', async () => {
    const sim = await cluster({ syncing: ['n3'] });
    const from = sim.network.transport('n1');
    const ask = (to: string, message: PeerMessage) => sim.settle(from.request(to, message, { timeoutMs: 100 }));

    expect(await ask('n2', { type: 'replica.merge', b: 'b', k: 'plain', rec })).toEqual({ type: 'ack' });
    expect(sim.disk('n2').dataWrites()).toBe(1);
    expect(sim.disk('n2').synced()).toBe(0);

    expect(await ask('n2', { type: 'replica.merge', b: 'b', k: 'durable', rec, d: true })).toEqual({ type: 'ack', d: true });
    expect(sim.disk('n2').synced()).toBe(1);
    // The same state again, durably: nothing changes, but the ack may not lean on the earlier
    // plain write, so the state is written again, synced.
    expect(await ask('n2', { type: 'replica.merge', b: 'b', k: 'plain', rec, d: true })).toEqual({ type: 'ack', d: true });
    expect(sim.disk('n2').synced()).toBe(2);

    // n3 syncs every write: it was not asked to, and says its write is durable.
    expect(await ask('n3', { type: 'replica.merge', b: 'b', k: 'plain', rec })).toEqual({ type: 'ack', d: true });
    expect(sim.disk('n3').synced()).toBe(0);
    await sim.stop();
  });

  it('refuses a malformed durable flag, and a forwarded put whose dw is above its w', async () => {
    const sim = await cluster();
    const from = sim.network.transport('n1');
    const refusal = async (message: PeerMessage) => {
      const error = await sim.settle(from.request('n2', message, { timeoutMs: 100 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      return (error as TransportError).remoteCode;
    };
    expect(await refusal({ type: 'replica.merge', b: 'b', k: 'k', rec, d: 'yes' })).toBe('bad_message');
    const forwarded = { type: 'coord.put', b: 'b', k: 'k', ctx: { vv: {}, dots: [] }, v: Buffer.from('x'), ct: 'text/plain', del: false, w: 2 };
    expect(await refusal({ ...forwarded, dw: 3 })).toBe('bad_message');
    expect(await refusal({ ...forwarded, dw: -1 })).toBe('bad_message');
    expect(sim.disk('n2').dataWrites()).toBe(0);
    await sim.stop();
  });
});

describe('a put whose W is met with too few durable acks', () => {
  it('answers quorum with the durable count once DW can no longer be met, over HTTP too', async () => {
    // n2 predates durable writes (its ack is plain), n3 is cut off from the coordinator n1.
    const sim = await cluster({ older: ['n2'] });
    sim.network.partition(['n1'], ['n3']);
    const outcome = await sim.settle(sim.byId('n1').put('b', 'k', write(2, 2)));
    expect(outcome).toMatchObject({ kind: 'quorum', acks: 2, required: 2, durable: 1, requiredDurable: 2 });

    const app = createHttpServer({
      node: sim.byId('n1'),
      contexts: new ContextCodec(contextMac('secret')),
      httpAddress: () => 'n1',
      peerAddress: 'n1',
      seeds: [],
      log: silentLog,
    });
    await app.ready();
    let done = false;
    const answering = app.inject({ method: 'PUT', url: '/v1/kv/b/k2?w=2&dw=2', payload: 'v', headers: { 'content-type': 'text/plain' } });
    void answering.finally(() => (done = true));
    // Fastify answers on the event loop, the node on the virtual clock: turn both until it answers.
    for (let turn = 0; turn < 1_000 && !done; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      await sim.clock.runUntil(() => done, 10);
    }
    const answer = await answering;
    expect(answer.statusCode).toBe(503);
    expect(answer.json()).toMatchObject({ error: 'quorum', acks: 2, required: 2, durable: 1, requiredDurable: 2 });

    // Without dw the same put is fine: W = 2 needs no durable ack.
    expect((await sim.settle(sim.byId('n1').put('b', 'k3', write(2, 0)))).kind).toBe('ok');
    await app.close();
    await sim.stop();
  });

  it('waits for a durable ack until the request’s time-out, then answers quorum', async () => {
    // n2 predates durable writes; n3's disk never finishes flushing.
    const sim = await cluster({ older: ['n2'], requestTimeoutMs: 400 });
    sim.disk('n3').holdSynced = true;
    const started = sim.clock.now();
    const outcome = await sim.settle(sim.byId('n1').put('b', 'k', write(2, 2)));
    expect(outcome).toMatchObject({ kind: 'quorum', acks: 2, required: 2, durable: 1, requiredDurable: 2 });
    expect(sim.clock.now() - started).toBeGreaterThanOrEqual(400);
    expect(sim.disk('n3').heldCount()).toBe(1);
    // The flush ends at last, so that the node can stop (it finishes what it is answering).
    sim.disk('n3').releaseOne();
    await sim.stop();
  });
});
