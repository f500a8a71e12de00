// Proves that an authenticated peer cannot crash a node or corrupt what it stores by sending
// malformed messages: property-based fuzzing (fast-check) of a real three-node cluster (one OS
// process per node). The fuzzer dials a node's peer port and completes the real cluster-secret
// handshake with the project's own handshake and frame code, as a dialing node would; then it
// sends (1) well-framed msgpack requests made by mutating real replica.get, replica.merge,
// replica.reap, replica.hinted, replica.keys, replica.buckets, coord.put, ae.*, transfer.batch
// and membership.* messages (fields dropped, replaced by wrong types, huge arrays, deep nesting,
// corrupted records, changed message types), each of which must get a reply or an error reply with a code on the
// same request id, or, when the frame breaks the envelope rules of core/net/frame.ts, the
// closing of that one connection; and (2) malformed frames (other kinds after the handshake,
// bad msgpack, bad envelopes, lengths past the limit), which close that one connection. After
// every case each node still answers /v1/status; at the end every node's own replica of the keys
// written before the fuzzing is unchanged and the cluster still writes and reads with W = R = 3.
//
// The fuzzed requests address only the bucket "fuzz": an authenticated peer is trusted to write,
// so a well-formed merge there is allowed to change that bucket; membership messages carry a
// foreign cluster id (a peer of this cluster may legitimately change membership), so they test
// validation, not authority.
//
// CI runs a bounded number of cases. A long run on demand:
//   FUZZ_RUNS=50 npx vitest run test/fuzz/peer-frames.fuzz.test.ts
// A failure prints fast-check's seed and path ({ seed: S, path: "P" }) and the counterexample;
// replay it with FUZZ_SEED=S FUZZ_PATH=P npx vitest run <this file> -t '<test name>'.
// Failing cases found are kept below the properties as fixed-input regression tests.

import net from 'node:net';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameBytesMax, handshakeFrameBytesMax, treeSegmentsDefault, treeWidthDefault } from '../../core/common/limits.js';
import { decodeBody, encodeFrame, FrameDecoder, FrameKind, type Envelope } from '../../core/net/frame.js';
import { handshakeProof, helloMessage, makeNonce, parseChallenge, proofMatches, proofMessage } from '../../core/net/handshake.js';
import type { PeerMessage } from '../../core/net/transport.js';
import { encodeDataKey } from '../../core/storage/keys.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { fuzzParameters, hostPort } from './fuzz-support.js';

const secret = 'test-secret'; // startTestCluster's
const fuzzerId = 'fuzzer';
const keepBucket = 'keep-fuzz-guard';
const keepKeys = ['a', 'b', 'c'];
const fuzzBucket = 'fuzz';
const fuzzKey = 'k';
/** Bound on waiting for an answer: a node that never answers a request is as wrong as one that crashes. */
const answerTimeoutMs = 15_000;

// Packs any value as a frame body, without the checks encodeFrame makes, so the fuzzer can send
// what a well-behaved sender never would. Same options as core/net/frame.ts.
const packr = new Packr({ useRecords: false, structuredClone: false, moreTypes: false, bundleStrings: false });

function rawFrame(body: Uint8Array): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.byteLength, 0);
  return Buffer.concat([header, body]);
}

type Answer = { kind: 'reply' | 'error'; message: PeerMessage } | { kind: 'closed' };

/** A client connection to a node's peer port, past the cluster-secret handshake. */
class PeerConnection {
  private readonly decoder = new FrameDecoder(handshakeFrameBytesMax);
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private challenge: ((envelope: Envelope) => void) | undefined;
  private nextId = 1;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk, (envelope) => this.onEnvelope(envelope));
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const resolve of this.waiting.values()) resolve({ kind: 'closed' });
      this.waiting.clear();
    });
  }

  static async open(address: string): Promise<PeerConnection> {
    const { host, port } = hostPort(address);
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const connection = new PeerConnection(socket);
    await connection.handshake();
    return connection;
  }

  /** The dialer's side of core/net/handshake.ts. */
  private async handshake(): Promise<void> {
    const nonce = makeNonce();
    const challenged = new Promise<Envelope>((resolve, reject) => {
      this.challenge = resolve;
      this.socket.once('close', () => reject(new Error('the node closed the connection during the handshake')));
    });
    this.socket.write(encodeFrame(FrameKind.hello, 0, helloMessage(fuzzerId, nonce), handshakeFrameBytesMax));
    const challenge = parseChallenge((await challenged).m);
    if (challenge === undefined) throw new Error('not a challenge');
    const expected = handshakeProof(secret, 'listener', nonce, challenge.nonce, fuzzerId, challenge.node);
    if (!proofMatches(challenge.proof, expected)) throw new Error('the node does not know the secret');
    const proof = handshakeProof(secret, 'dialer', nonce, challenge.nonce, fuzzerId, challenge.node);
    this.socket.write(encodeFrame(FrameKind.hello, 0, proofMessage(proof), handshakeFrameBytesMax));
    this.decoder.frameBytesMax = frameBytesMax;
  }

  private onEnvelope(envelope: Envelope): void {
    if (this.challenge !== undefined) {
      const resolve = this.challenge;
      this.challenge = undefined;
      resolve(envelope);
      return;
    }
    const resolve = this.waiting.get(envelope.i);
    this.waiting.delete(envelope.i);
    resolve?.({ kind: envelope.k === FrameKind.error ? 'error' : 'reply', message: envelope.m });
  }

  /** Sends `message` (anything msgpack packs) as a request frame; resolves with its answer. */
  request(message: unknown, kind: number = FrameKind.request): Promise<Answer> {
    const id = this.nextId++;
    return this.send(rawFrame(packr.pack({ k: kind, i: id, m: message })), id);
  }

  /** Writes `bytes`; resolves with the answer to request `id`, or when the node closes. */
  send(bytes: Uint8Array, id = -1): Promise<Answer> {
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${answerTimeoutMs} ms`)), answerTimeoutMs);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.socket.write(bytes);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

// ── The cluster and the real messages ───────────────────────────────────────────────────────

let cluster: TestCluster;
let fuzzPartition = 0;
let fuzzRecord: Uint8Array = new Uint8Array(0);
const keptReplicas = new Map<string, unknown>();

async function localReplicas(): Promise<Map<string, unknown>> {
  const replicas = new Map<string, unknown>();
  for (const id of cluster.ids) {
    for (const key of keepKeys) {
      const local = await cluster.client(id).json('GET', `/v1/admin/local/${keepBucket}/${key}`);
      expect(local.status, `${id} holds ${key}`).toBe(200);
      replicas.set(`${id}/${key}`, local.body);
    }
  }
  return replicas;
}

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3, ringSize: 16, n: 3, r: 2, w: 2 });
  const client = cluster.client('n1');
  for (const key of keepKeys) expect((await client.put(keepBucket, key, `value of ${key}`, { w: 3 })).status).toBe(204);
  expect((await client.put(fuzzBucket, fuzzKey, 'fuzz', { w: 3 })).status).toBe(204);
  for (const [key, value] of await localReplicas()) keptReplicas.set(key, value);
  fuzzPartition = (await client.json('GET', `/v1/admin/preference/${fuzzBucket}/${fuzzKey}`)).body.partition;
  const connection = await PeerConnection.open(cluster.peers.get('n1')!);
  const state = await connection.request({ type: 'replica.get', b: fuzzBucket, k: fuzzKey });
  connection.close();
  if (state.kind !== 'reply' || !(state.message.rec instanceof Uint8Array)) throw new Error(`replica.get answered ${JSON.stringify(state)}`);
  fuzzRecord = new Uint8Array(state.message.rec);
});

afterAll(async () => {
  await cluster?.stop();
});

/** Real messages of every type the peer router serves, for the fuzz key. */
function realMessages(): Array<Record<string, unknown>> {
  const dataKey = encodeDataKey(fuzzPartition, fuzzBucket, fuzzKey);
  const header = { from: fuzzerId, cluster: 'foreign-cluster', ringSize: 16, n: 3 };
  return [
    { type: 'replica.get', b: fuzzBucket, k: fuzzKey },
    { type: 'replica.get', b: fuzzBucket, k: fuzzKey, h: 'n2' },
    { type: 'replica.merge', b: fuzzBucket, k: fuzzKey, rec: fuzzRecord },
    { type: 'replica.merge', b: fuzzBucket, k: fuzzKey, rec: fuzzRecord, h: 'n3' },
    { type: 'replica.reap', b: fuzzBucket, k: fuzzKey, rec: fuzzRecord },
    { type: 'replica.hinted', b: fuzzBucket, k: fuzzKey },
    { type: 'coord.put', b: fuzzBucket, k: fuzzKey, ctx: { vv: {}, dots: [] }, v: Buffer.from('v'), ct: 'text/plain', del: false, w: 2 },
    { type: 'replica.keys', p: fuzzPartition, a: dataKey, b: fuzzBucket, pre: 'k', sib: false, lim: 10, scan: 100 },
    { type: 'replica.keys', p: fuzzPartition, sib: true, lim: 1, scan: 1 },
    { type: 'replica.buckets', ps: [0, fuzzPartition] },
    { type: 'ping' },
    { type: 'ae.hashes', p: fuzzPartition, req: { segments: treeSegmentsDefault, width: treeWidthDefault, depth: 0, indices: [0] } },
    { type: 'ae.keys', p: fuzzPartition, segs: [0, 1, 2] },
    { type: 'ae.fetch', p: fuzzPartition, keys: [dataKey.toString('latin1')] },
    { type: 'transfer.batch', p: fuzzPartition, items: [[dataKey, fuzzRecord]], last: false },
    { type: 'transfer.batch', p: fuzzPartition, items: [], last: true },
    { ...header, type: 'membership.syn', ids: ['n1'], versions: [1], generations: [1], beats: [1], membersDigest: 0, ringDigest: null },
    { ...header, type: 'membership.ack', records: [], allRecords: false, ids: [], generations: [], beats: [], known: null, versions: null, membersDigest: 0, ring: null, ringDigest: null },
    { ...header, type: 'membership.ack2', records: [], ring: null },
  ];
}

// ── Mutations ───────────────────────────────────────────────────────────────────────────────

/** Arrays nested `depth` deep around `inner`. */
function nested(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const weirdValues: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 31), 0xffffffff + 1, '', 'n2', 'fuzzer'),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(256, 766, 3073, 70_000).map((n) => 'x'.repeat(n)),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(10_000, 200_000).map((n) => new Array(n).fill(7)),
  fc.constantFrom(1_000, 20_000).map((n) => new Array(n).fill('key')),
  fc.integer({ min: 1, max: 40 }).map((depth) => nested(depth, 1)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
  fc.constant({ __proto__: { polluted: true } }),
);

/** A record corrupted: bits flipped, cut, extended, or replaced by other msgpack. */
const corruptRecord = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => (rec: Uint8Array) => {
    const copy = Buffer.from(rec);
    if (copy.length > 0) copy[at % copy.length] ^= mask;
    return copy;
  }),
  fc.nat().map((at) => (rec: Uint8Array) => Buffer.from(rec.subarray(0, at % Math.max(1, rec.length)))),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((tail) => (rec: Uint8Array) => Buffer.concat([rec, tail])),
  fc.jsonValue({ maxDepth: 3 }).map((value) => () => packr.pack(value)),
  fc.constant(() => packr.pack([1, {}, [['n1', 1, Buffer.from('v'), 'text/plain', 0, false]]])),
  fc.constant(() => packr.pack([1, { n1: 1 }, new Array(5000).fill(['n1', 1, Buffer.alloc(0), '', 0, false])])),
);

const messageTypes = fc.constantFrom(
  'replica.get', 'replica.merge', 'replica.reap', 'replica.hinted', 'coord.put', 'ping', 'ae.hashes', 'ae.keys', 'ae.fetch',
  'transfer.batch', 'membership.syn', 'membership.ack', 'membership.ack2', 'membership.ok', 'error', 'hello', 'replica.state', '__proto__', 'constructor', 'toString',
);

type Mutation = (message: Record<string, unknown>) => void;

const fieldNames = fc.constantFrom('b', 'k', 'h', 'rec', 'v', 'ct', 'del', 'w', 'ctx', 'p', 'req', 'segs', 'keys', 'items', 'last', 'ids', 'versions', 'records', 'ring', 'from', 'ringSize', 'n', 'x');

const mutations: fc.Arbitrary<Mutation> = fc.oneof(
  // A field of the message (or a new one) set to a value of the wrong type or size.
  fc.tuple(fieldNames, weirdValues).map(([field, value]): Mutation => (message) => {
    message[field] = value;
  }),
  // A field dropped.
  fieldNames.map((field): Mutation => (message) => {
    delete message[field];
  }),
  // The record corrupted.
  corruptRecord.map((corrupt): Mutation => (message) => {
    if (message.rec instanceof Uint8Array) message.rec = corrupt(message.rec);
    if (Array.isArray(message.items) && Array.isArray(message.items[0]) && message.items[0][1] instanceof Uint8Array) message.items = [[message.items[0][0], corrupt(message.items[0][1] as Uint8Array)]];
  }),
  // Another type on the same fields.
  messageTypes.map((type): Mutation => (message) => {
    message.type = type;
  }),
  // Fields inside the nested structures: the hash request, the causal context, transfer items.
  fc.tuple(fc.constantFrom('segments', 'width', 'depth', 'indices'), weirdValues).map(([field, value]): Mutation => (message) => {
    if (typeof message.req === 'object' && message.req !== null) message.req = { ...(message.req as object), [field]: value };
  }),
  fc.tuple(fc.constantFrom('vv', 'dots', 'x'), weirdValues).map(([field, value]): Mutation => (message) => {
    if (typeof message.ctx === 'object' && message.ctx !== null) message.ctx = { ...(message.ctx as object), [field]: value };
  }),
  weirdValues.map((value): Mutation => (message) => {
    if (Array.isArray(message.items)) message.items = [value, ...message.items];
  }),
);

/** Keeps the fuzz inside its bucket and membership messages foreign (see the opening comment). */
function confine(message: Record<string, unknown>): Record<string, unknown> {
  if (typeof message.type === 'string' && message.type.startsWith('membership.')) message.cluster = 'foreign-cluster';
  if (message.b === keepBucket) message.b = fuzzBucket;
  return message;
}

const fuzzedMessages: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.nat(), fc.array(mutations, { maxLength: 3 }))
  .map(([index, applied]) => {
    const reals = realMessages();
    const message = { ...reals[index % reals.length] };
    for (const mutate of applied) mutate(message);
    return confine(message);
  });

// ── Checks ──────────────────────────────────────────────────────────────────────────────────

/** Whether the node must accept the frame carrying `message` (core/net/frame.ts's rules). */
function wellFramed(message: unknown): boolean {
  try {
    decodeBody(packr.pack({ k: FrameKind.request, i: 1, m: message }));
    return true;
  } catch {
    return false;
  }
}

const errorCodes = new Set<string>();

async function allServe(): Promise<void> {
  for (const id of cluster.ids) {
    const status = await cluster.client(id).json('GET', '/v1/status');
    expect(status.status, `${id} answers /v1/status`).toBe(200);
  }
}

describe('peer frame fuzzing, after the handshake', () => {
  it('answers every well-framed mutated request with a reply or a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...['n1', 'n2', 'n3']), fc.array(fuzzedMessages, { minLength: 1, maxLength: 4 }), async (target, messages) => {
        const connection = await PeerConnection.open(cluster.peers.get(target)!);
        try {
          for (const message of messages) {
            const answer = await connection.request(message);
            if (!wellFramed(message)) {
              expect(answer.kind, 'a frame that breaks the envelope rules closes the connection').toBe('closed');
              break;
            }
            expect(answer.kind, `answer to ${String(message.type)}`).not.toBe('closed');
            if (answer.kind === 'error') {
              const { code } = answer.message;
              expect(typeof code === 'string' && code.length > 0, 'an error reply carries a code').toBe(true);
              errorCodes.add(code as string);
              expect(code, `error ${String(answer.message.message)}`).not.toBe('internal');
            }
          }
        } finally {
          connection.close();
        }
        await allServe();
      }),
      fuzzParameters(120),
    );
  });

  it('closes the one connection on a malformed frame after the handshake, and keeps serving', async () => {
    const malformed = fc.oneof(
      // Frames of the other kinds: a dialer only sends requests once ready.
      fc.constantFrom(FrameKind.reply, FrameKind.error, FrameKind.hello).map((kind) => ({ frame: rawFrame(packr.pack({ k: kind, i: 9, m: { type: 'ping' } })) })),
      // Bodies that are not msgpack, or not one value.
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ frame: rawFrame(Buffer.concat([Buffer.from([0xc1]), bytes])) })),
      fc.constant({ frame: rawFrame(Buffer.concat([packr.pack({ k: 0, i: 1, m: { type: 'ping' } }), Buffer.from([0x90])])) }),
      // Envelopes that break the rules: extra fields, bad ids and kinds, messages without a type.
      fc.record({ k: weirdValues, i: weirdValues, m: fc.oneof(weirdValues, fc.constant({ type: 'ping' })), extra: fc.option(weirdValues) }).map((envelope) => ({ frame: rawFrame(packr.pack(envelope)) })),
      fc.constantFrom(-1, 2 ** 32, 1.5).map((i) => ({ frame: rawFrame(packr.pack({ k: 0, i, m: { type: 'ping' } })) })),
      fc.constant({ frame: rawFrame(packr.pack({ k: 0, i: 1, m: nested(40, { type: 'ping' }) })) }),
      fc.constant({ frame: rawFrame(packr.pack({ k: 0, i: 1, m: { type: 'ping', deep: nested(40, 1) } })) }),
      // A length past the limit, and an empty body.
      fc.constant({ frame: Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]) }),
      fc.constant({ frame: Buffer.from([0, 0, 0, 0]) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('n1', 'n2', 'n3'), malformed, async (target, { frame }) => {
        const connection = await PeerConnection.open(cluster.peers.get(target)!);
        try {
          // A ping before proves the connection was up; the malformed frame must end it.
          expect((await connection.request({ type: 'ping' })).kind).toBe('reply');
          // Generated envelopes may by chance be a valid request: then its answer comes on its id.
          let requestId: number | undefined;
          try {
            const envelope = decodeBody(frame.subarray(4));
            if (envelope.k === FrameKind.request && frame.readUInt32BE(0) === frame.length - 4) requestId = envelope.i;
          } catch {
            requestId = undefined;
          }
          const envelopeOk = requestId !== undefined;
          const answer = await connection.send(frame, requestId);
          // Only a frame that is in fact a valid request may be answered; every other one closes.
          if (!envelopeOk) expect(answer.kind).toBe('closed');
        } finally {
          connection.close();
        }
        await allServe();
      }),
      fuzzParameters(50),
    );
  });

  it('keeps the data written before the fuzzing, and the cluster still writes and reads', async () => {
    expect(cluster.supervisor.snapshot().map((node) => node.state)).toEqual(['up', 'up', 'up']);
    expect(await localReplicas()).toEqual(keptReplicas);
    const client = cluster.client('n2');
    expect((await client.put('after', 'fuzz', 'still writes', { w: 3 })).status).toBe(204);
    for (const id of cluster.ids) {
      const got = await cluster.client(id).get('after', 'fuzz', { r: 3 });
      expect(got.status, id).toBe(200);
      if ('value' in got) expect(Buffer.from(got.value).toString()).toBe('still writes');
    }
    // The codes seen, for whoever reads the log of a long run.
    console.log(`peer error codes seen: ${[...errorCodes].sort().join(', ')}`);
  });
});
