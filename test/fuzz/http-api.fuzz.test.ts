// Proves that no HTTP request, however malformed, crashes a node, gets an answer outside the
// contract, or changes data it should not: property-based fuzzing (fast-check) of a real
// two-node cluster (one OS process per node) with random and mutated requests sent as raw bytes
// over node:net (methods undici refuses, paths with bad percent-encoding and overlong segments,
// duplicate and mutated X-Dynamo-Context headers, odd Content-Types, large and malformed JSON
// bodies for the admin routes, r/w values outside 1…n, bodies that lie about their length).
// After every case the node still answers /v1/status; every answer is a success status of its
// route or a JSON error {"error": CODE, "message"} whose CODE is one of CONTRACT.md's with that
// code's status (500 internal counts as a failure: it means a bug; what Node's HTTP parser
// refuses is bad_request with HTTP's 431 or 408 where those apply); and the keys written before
// the fuzzing read back unchanged from every node with r = n.
//
// CI runs a bounded number of cases. A long run on demand:
//   FUZZ_RUNS=50 npx vitest run test/fuzz/http-api.fuzz.test.ts
// A failure prints fast-check's seed and path ({ seed: S, path: "P" }) and the counterexample;
// replay it with FUZZ_SEED=S FUZZ_PATH=P npx vitest run <this file> -t '<test name>'.
// Failing cases found are kept below the properties as fixed-input regression tests.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOfCode, type ApiErrorCode } from '../../core/api/errors.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';
import { fuzzParameters, hostPort, rawHttp, type RawAnswer } from './fuzz-support.js';

/** The bucket of the keys that must survive; no generator below makes this name. */
const keepBucket = 'keep-fuzz-guard';
const keepKeys = ['a', 'b', 'ü/ß key', 'x'.repeat(1024)];
/** The key whose real context the mutated contexts start from; fuzzed requests may write it. */
const fuzzBucket = 'fuzz';
const fuzzKey = 'k';

let cluster: TestCluster;
let node: { host: string; port: number };
let fuzzContext = '';
let keepContext = '';
const before = new Map<string, { value: string; context: string }>();

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 2, ringSize: 16, n: 2, r: 1, w: 2 });
  node = hostPort(cluster.endpoints.get('n1')!);
  const client = cluster.client('n1');
  for (const key of keepKeys) {
    const put = await client.put(keepBucket, key, `value of ${key}`, { w: 2, contentType: 'text/plain' });
    expect(put.status).toBe(204);
    if ('context' in put) keepContext = put.context;
  }
  const put = await client.put(fuzzBucket, fuzzKey, 'fuzz', { w: 2 });
  expect(put.status).toBe(204);
  if ('context' in put) fuzzContext = put.context;
  for (const key of keepKeys) before.set(key, await readKept('n1', key));
});

afterAll(async () => {
  await cluster?.stop();
});

async function readKept(id: string, key: string): Promise<{ value: string; context: string }> {
  const got = await cluster.client(id).get(keepBucket, key, { r: 2 });
  expect(got.status, `${id} reads ${keepBucket}/${key}`).toBe(200);
  if (got.status !== 200 || !('value' in got)) throw new Error('unreachable');
  return { value: Buffer.from(got.value).toString(), context: got.context };
}

// ── Generators ──────────────────────────────────────────────────────────────────────────────

const methods = fc.constantFrom('GET', 'GET', 'PUT', 'PUT', 'DELETE', 'POST', 'HEAD', 'OPTIONS', 'PATCH', 'BREW', 'get', 'M-SEARCH');

/** One path segment: percent-encoded text, broken encodings, dot segments, overlong ones. */
const segment = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map((text) => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, 'x'))) },
  { weight: 2, arbitrary: fc.constantFrom('%', '%Z1', '%E0%A4%A', '%00', '%2F', '%2e%2e', '..', '.', '', '%C0%AF', '%FF%FE', '*', 'a;b', 'a?b') },
  { weight: 1, arbitrary: fc.constantFrom(255, 256, 1024, 1025, 3000, 8193, 9000).map((n) => 'a'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(128, 513, 2000).map((n) => '%C3%A9'.repeat(n)) },
  { weight: 2, arbitrary: fc.constant(fuzzKey) },
  { weight: 1, arbitrary: fc.constant(fuzzBucket) },
);

// Not generated: GET /v1/admin/events (a stream that never ends) and POST /v1/admin/leave (the
// node would legitimately leave); POST /v1/admin/join only with bodies it must refuse (below).
const adminPaths = [
  '/v1/status', '/v1/ring', '/metrics', '/v1/admin/hints', '/v1/admin/transfers', '/v1/admin/faults',
  '/v1/admin/membership', '/v1/admin/partitions', '/v1/admin/anti-entropy', '/v1/admin/keys', '/v1/admin/buckets',
  '/v1/admin/traces', '/v1/admin/anti-entropy/runs', '/v1/status/', '/v1//status', '/V1/STATUS', '/', '*',
];

const paths = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(segment, segment).map(([b, k]) => `/v1/kv/${b}/${k}`) },
  { weight: 2, arbitrary: fc.constant(`/v1/kv/${fuzzBucket}/${fuzzKey}`) },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 4 }).map((segments) => `/v1/kv/${segments.join('/')}`) },
  { weight: 3, arbitrary: fc.constantFrom(...adminPaths) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('local', 'preference', 'history'), segment, segment).map(([route, b, k]) => `/v1/admin/${route}/${b}/${k}`) },
  { weight: 1, arbitrary: fc.array(segment, { maxLength: 5 }).map((segments) => `/${segments.join('/')}`) },
);

const quorumValue = fc.constantFrom('0', '1', '2', '3', '-1', '01', '1.0', '1e0', 'abc', '', '%ZZ', '999', '4294967297', '２');
const queries = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('r', 'w', 'dw'), quorumValue).map(([name, value]) => `?${name}=${value}`) },
  { weight: 1, arbitrary: fc.constantFrom('?format=json', '?trace=1', '?r=1&r=2', '?w=1&w=1', '?%ZZ', '?r', '?format=json&r=0', '?&&=&', '?cursor=%FF&limit=-1') },
);

/** A real context, mutated: characters changed, cut, extended, or from another key. */
const contexts = fc.oneof(
  // Read when a case is generated, after beforeAll has written the keys.
  fc.constant(null).map(() => fuzzContext),
  fc.constant(null).map(() => keepContext),
  fc.tuple(fc.nat(), fc.constantFrom(...'ABCxyz019-_=+/.')).map(([at, char]) => {
    const i = at % fuzzContext.length;
    return fuzzContext.slice(0, i) + char + fuzzContext.slice(i + 1);
  }),
  fc.nat().map((at) => fuzzContext.slice(0, at % fuzzContext.length)),
  fc.string({ maxLength: 40 }).map((tail) => fuzzContext + tail.replace(/[\r\n]/g, '')),
  fc.constantFrom('', ' ', 'AAAA', 'x'.repeat(9000), '\u00ff\u00fe', '=='),
);

const contentTypes = fc.option(
  fc.constantFrom('application/json', 'text/plain; charset=utf-8', '', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'a/b/c', 'x'.repeat(4000)),
);

/** A long run of one text, printed short in a counterexample. */
class Repeat {
  constructor(
    readonly text: string,
    readonly count: number,
  ) {}
  toString(): string {
    return this.text.repeat(this.count);
  }
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.text)} x ${this.count}`;
  }
}

/** JSON-ish bodies for the admin routes, and values for the data routes. */
const bodies: fc.Arbitrary<string | Repeat> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 3, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.record({ isolate: fc.array(fc.oneof(fc.constantFrom('n1', 'n2', 'n9', ''), fc.integer(), fc.constant(null)), { maxLength: 3 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.record({ peer: fc.oneof(fc.constantFrom('n2', 'n1', 'nobody', ''), fc.integer(), fc.boolean(), fc.constant(null)), partition: fc.oneof(fc.integer(), fc.string()) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.constantFrom('{"isol', '{', 'nul', '\u00ff\u00fe', '[]', '"text"', '42', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}') },
  { weight: 1, arbitrary: fc.constantFrom(new Repeat('[', 20_000), new Repeat('{"a":', 5_000)) },
  { weight: 1, arbitrary: fc.constantFrom(1024 * 1024, 1024 * 1024 + 1, 2 * 1024 * 1024).map((n) => new Repeat('v', n)) },
);

/** How the body is framed: truthfully, not at all, short of its Content-Length, chunked, or with two lengths. */
const framings = fc.constantFrom('length', 'length', 'length', 'none', 'short', 'chunked', 'chunked-bad', 'two-lengths');

const extraHeaders = fc.array(
  fc.oneof(
    fc.constantFrom('Expect: 100-continue', 'Content-Length: -1', 'Authorization: Bearer x', 'X-Dynamo-Trace: 1', 'Host:', 'X-Big: ' + 'b'.repeat(20_000)),
    fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ maxLength: 30 })).map(([name, value]) => `${name}: ${value.replace(/[\r\n]/g, ' ')}`),
  ),
  { maxLength: 3 },
);

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  context: string | null;
  duplicateContext: boolean;
  contentType: string | null;
  body: string | Repeat;
  framing: string;
  headers: string[];
}

const requests: fc.Arbitrary<FuzzRequest> = fc.record({
  method: methods,
  path: paths,
  query: queries,
  context: fc.option(contexts, { freq: 2 }),
  duplicateContext: fc.boolean(),
  contentType: contentTypes,
  body: bodies,
  framing: framings,
  headers: extraHeaders,
});

/** POST /v1/admin/join bodies it must refuse (no seed string, so it never joins anything). */
const refusedJoins = fc.constantFrom('{"seed":42}', '{"seed":[]}', '{"seed":{}}', '{"seed":true}', '[1]', '"x"', '{', '\u00ff');

function encodeRequest(request: FuzzRequest): Buffer {
  const lines = [`${request.method} ${request.path}${request.query} HTTP/1.1`, `Host: ${node.host}:${node.port}`, 'Connection: close'];
  if (request.context !== null) {
    lines.push(`X-Dynamo-Context: ${request.context}`);
    if (request.duplicateContext) lines.push(`X-Dynamo-Context: ${request.context}`);
  }
  if (request.contentType !== null) lines.push(`Content-Type: ${request.contentType}`);
  lines.push(...request.headers);
  const body = Buffer.from(String(request.body), 'latin1');
  let payload = Buffer.alloc(0);
  switch (request.framing) {
    case 'length':
      lines.push(`Content-Length: ${body.length}`);
      payload = body;
      break;
    case 'short':
      lines.push(`Content-Length: ${body.length + 10}`);
      payload = body;
      break;
    case 'chunked':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from(body.length > 0 ? '\r\n0\r\n\r\n' : '\r\n')]);
      break;
    case 'two-lengths':
      lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
      payload = body;
      break;
    case 'chunked-bad':
      lines.push('Transfer-Encoding: chunked');
      payload = Buffer.concat([Buffer.from('zz\r\n'), body]);
      break;
  }
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), payload]);
}

// ── Judging an answer ───────────────────────────────────────────────────────────────────────

const codes = new Set(Object.keys(statusOfCode));

/** The success statuses of the route `method path` names (empty where no route is). */
function successStatuses(method: string, path: string): number[] {
  const get = method === 'GET' || method === 'HEAD';
  if (method === 'POST' && (path === '/v1/admin/anti-entropy' || path === '/v1/admin/faults')) return [200];
  if (method === 'POST' && path === '/v1/admin/join') return [202];
  if (/^\/v1\/kv\/[^/]+\/[^/]+$/.test(path)) {
    if (get) return [200, 300];
    return method === 'PUT' || method === 'DELETE' ? [204] : [];
  }
  if (/^\/v1\/admin\/(local|preference|history)\/[^/]+\/[^/]+$/.test(path)) return get ? [200] : [];
  if (['/v1/status', '/v1/ring', '/metrics', '/v1/admin/hints', '/v1/admin/transfers', '/v1/admin/faults', '/v1/admin/membership', '/v1/admin/partitions', '/v1/admin/keys', '/v1/admin/buckets', '/v1/admin/anti-entropy/runs', '/v1/admin/traces'].includes(path)) {
    return get ? [200] : [];
  }
  return [];
}

/** What is wrong with `answer` to a request of `method` on `path`, or undefined. */
function answerProblem(method: string, path: string, answer: RawAnswer): string | undefined {
  if (answer.status === 0) return 'no answer: the connection closed without a status line';
  if (successStatuses(method, path).includes(answer.status)) return undefined;
  if (method === 'HEAD') {
    return [...Object.values(statusOfCode), 400, 431].includes(answer.status) ? undefined : `HEAD answered ${answer.status}`;
  }
  let parsed: { error?: unknown; message?: unknown };
  try {
    parsed = JSON.parse(answer.body.toString('utf8'));
  } catch {
    return `status ${answer.status} with a body that is not JSON: ${JSON.stringify(answer.body.subarray(0, 200).toString('latin1'))}`;
  }
  if (typeof parsed.error !== 'string' || !codes.has(parsed.error)) return `status ${answer.status} with unknown error code ${JSON.stringify(parsed.error)}`;
  if (typeof parsed.message !== 'string') return `error ${parsed.error} without a message`;
  if (parsed.error === 'internal') return `500 internal: ${parsed.message}`;
  const expected = statusOfCode[parsed.error as ApiErrorCode];
  // HTTP's own statuses for what the parser refuses before any route runs (http-server.ts).
  if (parsed.error === 'bad_request' && (answer.status === 431 || answer.status === 408)) return undefined;
  if (answer.status !== expected) return `error ${parsed.error} with status ${answer.status}, not ${expected}`;
  return undefined;
}

async function stillServes(): Promise<void> {
  const status = await cluster.client('n1').json('GET', '/v1/status');
  expect(status.status).toBe(200);
  expect(status.body.id).toBe('n1');
}

async function heal(): Promise<void> {
  for (const id of cluster.ids) expect((await cluster.client(id).json('POST', '/v1/admin/faults', { isolate: [] })).status).toBe(200);
}

async function check(request: FuzzRequest): Promise<void> {
  // Only a request that never completes half-closes its side: Node's server stops a response
  // in progress when the client ends its side first, even though HTTP allows a half-close.
  const halfClose = request.framing === 'short' || request.framing === 'chunked-bad';
  const bytes = encodeRequest(request);
  const answer = await rawHttp(node.host, node.port, bytes, { halfClose });
  // A server that answers before reading a large body (413, or 404 for a method it does not
  // route) and closes makes the kernel reset the connection over the unread bytes, and a reset
  // may discard its answer before we read it: TCP's behaviour, not the node's. The node must
  // still be up (stillServes below).
  const refusedUpload = answer.status === 0 && answer.reset && bytes.length > 64 * 1024;
  const problem = refusedUpload ? undefined : answerProblem(request.method, request.path, answer);
  if (request.method === 'POST' && request.path === '/v1/admin/faults') await heal();
  await stillServes();
  expect(problem, `${request.method} ${request.path.slice(0, 200)}${request.query}`).toBeUndefined();
}

// ── Properties ──────────────────────────────────────────────────────────────────────────────

describe('HTTP API fuzzing', () => {
  it('answers random and mutated requests within the contract, and keeps running', async () => {
    await fc.assert(fc.asyncProperty(requests, check), fuzzParameters(800));
  });

  it('answers admin routes with random JSON bodies within the contract', async () => {
    const adminRequests: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.constantFrom('POST', 'POST', 'PUT', 'GET'),
      path: fc.constantFrom('/v1/admin/anti-entropy', '/v1/admin/faults', '/v1/admin/faults', '/v1/admin/join'),
      query: fc.constant(''),
      context: fc.constant(null),
      duplicateContext: fc.constant(false),
      contentType: fc.constantFrom('application/json', 'text/plain', null),
      body: bodies,
      framing: fc.constantFrom('length', 'length', 'chunked', 'none'),
      headers: fc.constant([]),
    });
    const safe: fc.Arbitrary<FuzzRequest> = fc.oneof(
      adminRequests.filter((r) => r.path !== '/v1/admin/join'),
      fc.tuple(adminRequests, refusedJoins).map(([r, body]) => ({ ...r, method: 'POST', path: '/v1/admin/join', body, framing: 'length' })),
    );
    await fc.assert(fc.asyncProperty(safe, check), fuzzParameters(200));
  });

  it('writes that reuse a mutated real context are accepted or refused bad_context', async () => {
    await fc.assert(
      fc.asyncProperty(contexts, fc.boolean(), async (context, duplicate) => {
        await check({ method: 'PUT', path: `/v1/kv/${fuzzBucket}/${fuzzKey}`, query: '', context, duplicateContext: duplicate, contentType: 'text/plain', body: 'v', framing: 'length', headers: [] });
      }),
      fuzzParameters(150),
    );
  });

  // Regressions: cases the fuzzer found, kept as fixed inputs (the fixes are in http-server.ts).

  it('regression: a request the HTTP parser refuses gets the JSON bad_request, not Fastify\'s "Bad Request"', async () => {
    const request = { method: 'POST', path: '/v1/admin/anti-entropy', query: '', context: null, duplicateContext: false, contentType: null, body: '[1]', framing: 'chunked-bad', headers: [] };
    const answer = await rawHttp(node.host, node.port, encodeRequest(request), { halfClose: true });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'bad_request', message: expect.any(String) });
  });

  it('regression: oversized headers get 431 with the JSON bad_request', async () => {
    const request = { method: 'GET', path: '/v1/status', query: '', context: null, duplicateContext: false, contentType: null, body: '', framing: 'none', headers: [`X-Big: ${'b'.repeat(70_000)}`] };
    const answer = await rawHttp(node.host, node.port, encodeRequest(request));
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'bad_request' });
  });

  it('regression: a path segment that is not valid percent-encoding gets the JSON bad_request, not FST_ERR_BAD_URL', async () => {
    await check({ method: 'POST', path: '/v1/kv/%E0%A4%A/%00', query: '?r=1', context: null, duplicateContext: false, contentType: '', body: 'v', framing: 'length', headers: [] });
    const answer = await rawHttp(node.host, node.port, encodeRequest({ method: 'GET', path: '/v1/kv/%E0%A4%A/k', query: '', context: null, duplicateContext: false, contentType: null, body: '', framing: 'none', headers: [] }));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'bad_request' });
  });

  it('regression: a key past the router\'s parameter limit gets 400 bad_key, not 414 "Bad Request"', async () => {
    for (const path of [`/v1/kv/b/${'a'.repeat(9000)}`, `/v1/kv/b/${'%C3%A9'.repeat(2000)}`, `/v1/admin/preference/b/${'a'.repeat(9000)}`]) {
      const answer = await rawHttp(node.host, node.port, encodeRequest({ method: 'GET', path, query: '', context: null, duplicateContext: false, contentType: null, body: '', framing: 'none', headers: [] }));
      expect(answer.status, path.slice(0, 40)).toBe(400);
      expect(JSON.parse(answer.body.toString())).toMatchObject({ error: 'bad_key' });
    }
  });

  it('keeps the data written before the fuzzing, on every node', async () => {
    await heal();
    for (const id of cluster.ids) {
      for (const key of keepKeys) expect(await readKept(id, key), `${id} ${key}`).toEqual(before.get(key));
    }
    expect(cluster.supervisor.snapshot().map((n) => n.state)).toEqual(['up', 'up']);
  });
});
