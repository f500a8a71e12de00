// Proves the web console's wire (core/console/web-server.ts, core/admin/http-wire.ts) over real
// HTTP on loopback, with a recording AdminApi behind it: the token is required on every request
// (header, or ?token= on the event stream and the page); method names and arguments are checked
// at the edge (400) before anything is called; calls are dispatched with their arguments and
// answer {"result"}; refusals keep their code and status and never carry a stack trace; the SSE
// stream delivers published events and drops a subscriber that stops reading; the built renderer
// is served with a strict CSP and index.html for page paths, or a 503 page naming the build when
// it is missing; and a non-loopback --host without a token is refused.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminApi, ClusterView, ConsoleEvent } from '../../core/admin/admin-api.js';
import { ConsoleError } from '../../core/console/errors.js';
import { EventHub } from '../../core/console/event-hub.js';
import { startWebConsole, type WebConsole } from '../../core/console/web-server.js';
import { waitUntil } from '../support/wait.js';
import { freePorts } from '../support/cluster.js';

const token = 'wire-test-token';
const calls: Array<[string, unknown[]]> = [];
const hub = new EventHub();

/** An AdminApi that records its calls; killNode('boom') fails like a bug, killNode('busy') like a refusal. */
const api: AdminApi = {
  clusterView: async () => ({ mode: 'local', source: 'n1', members: [] }) as unknown as ClusterView,
  killNode: async (id) => {
    calls.push(['killNode', [id]]);
    if (id === 'boom') throw new Error('something broke\n    at secret (/internal/path.js:1:1)');
    if (id === 'busy') throw new ConsoleError('conflict', 'n9 is busy');
  },
  restartNode: async (id) => void calls.push(['restartNode', [id]]),
  leaveNode: async (id) => void calls.push(['leaveNode', [id]]),
  isolateNode: async (id, from) => void calls.push(['isolateNode', [id, from]]),
  healNode: async (id) => void calls.push(['healNode', [id]]),
  planJoin: async () => ({ planId: 'p1', node: 'n6', http: '127.0.0.1:1', moves: [], ownershipAfter: {} }),
  commitJoin: async (id) => void calls.push(['commitJoin', [id]]),
  cancelJoin: async (id) => void calls.push(['cancelJoin', [id]]),
  listBuckets: async () => [{ bucket: 'carts', keys: 3, keysWithSiblings: 1 }],
  listKeys: async (query) => {
    calls.push(['listKeys', [query]]);
    return { keys: [{ bucket: 'carts', key: 'a', siblings: 2 }], progress: { partitionsDone: 4, partitions: 64 } };
  },
  keyDetail: async (bucket, key) => {
    calls.push(['keyDetail', [bucket, key]]);
    return { read: { bucket, key, found: false, versions: [] }, partition: 3, preference: ['n1'], replicas: [], history: [] };
  },
  writeKey: async (write) => {
    calls.push(['writeKey', [{ ...write, value: `${write.value.length} base64 characters` }]]);
    return { after: { bucket: write.bucket, key: write.key, found: true, versions: [] }, raced: false };
  },
  runAntiEntropy: async (target) => {
    calls.push(['runAntiEntropy', [target]]);
    return [];
  },
  antiEntropyRuns: async () => ({ runs: [], unreachable: [] }),
  handoff: async () => ({ at: 0, hints: [], transfers: [], unreachable: [] }),
  metricsHistory: async () => ({ now: 0, windowMs: 900_000, points: [], faults: [] }),
  listTraces: async (query) => {
    calls.push(['listTraces', [query]]);
    return { traces: [], unreachable: [] };
  },
  trace: async (node, id) => {
    calls.push(['trace', [node, id]]);
    throw new ConsoleError('not_found', `${node} keeps no trace ${id}`);
  },
  traceRequest: async (request) => {
    calls.push(['traceRequest', [{ ...request, value: `${request.value?.length ?? 0} characters` }]]);
    return { status: 204, summary: 'written' };
  },
  subscribe: (listener) => hub.subscribe(listener),
};

let web: WebConsole;
let bare: WebConsole;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = await mkdtemp(path.join(os.tmpdir(), 'dynamo-renderer-'));
  await mkdir(path.join(rendererDir, 'assets'));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app");');
  const [port, barePort] = await freePorts(2);
  web = await startWebConsole({ api, port, token, rendererDir });
  bare = await startWebConsole({ api, port: barePort, rendererDir: path.join(rendererDir, 'missing') });
});

afterAll(async () => {
  await web?.close();
  await bare?.close();
  await rm(rendererDir, { recursive: true, force: true });
});

async function post(base: string, method: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  const response = await request(`${base}/api/admin/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
}

describe('the web console wire', () => {
  it('answers 401 without the token, or with a wrong one', async () => {
    expect((await post(web.url, 'clusterView', { args: [] }, {})).status).toBe(401);
    expect((await post(web.url, 'clusterView', { args: [] }, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await request(`${web.url}/api/events`)).statusCode).toBe(401);
    expect((await request(`${web.url}/`)).statusCode).toBe(401);
    expect((await request(`${web.url}/api/events?token=nope`)).statusCode).toBe(401);
  });

  it('refuses unknown methods and malformed arguments with 400, calling nothing', async () => {
    const before = calls.length;
    expect(await post(web.url, 'dropEverything', { args: [] })).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await post(web.url, 'constructor', { args: [] })).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await post(web.url, 'killNode', { args: [5] })).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    expect(await post(web.url, 'killNode', { args: ['n1', 'n2'] })).toMatchObject({ status: 400 });
    expect(await post(web.url, 'isolateNode', { args: ['n1', 'n2'] })).toMatchObject({ status: 400 });
    expect(await post(web.url, 'killNode', { nodes: ['n1'] })).toMatchObject({ status: 400 });
    expect(await post(web.url, 'killNode', '{"args": [')).toMatchObject({ status: 400, body: { error: 'bad_request' } });
    const textPost = await request(`${web.url}/api/admin/killNode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: '{"args":["n1"]}',
    });
    expect(textPost.statusCode).toBe(415);
    await textPost.body.dump();
    const crossOrigin = await post(web.url, 'killNode', { args: ['n1'] }, { authorization: `Bearer ${token}`, origin: 'http://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect(calls.length).toBe(before);
  });

  it('dispatches calls with their arguments and answers {"result"}', async () => {
    expect(await post(web.url, 'clusterView', { args: [] })).toEqual({ status: 200, body: { result: { mode: 'local', source: 'n1', members: [] } } });
    expect(await post(web.url, 'isolateNode', { args: ['n2', ['n1', 'n3']] })).toEqual({ status: 200, body: { result: null } });
    expect(await post(web.url, 'healNode', { args: ['n2'] })).toEqual({ status: 200, body: { result: null } });
    expect((await post(web.url, 'planJoin', { args: [] })).body).toMatchObject({ result: { planId: 'p1', node: 'n6' } });
    expect(calls.slice(-2)).toEqual([
      ['isolateNode', ['n2', ['n1', 'n3']]],
      ['healNode', ['n2']],
    ]);
  });

  it('carries the keys methods; only writeKey may send a body as large as a value', async () => {
    expect(await post(web.url, 'listBuckets', { args: [] })).toEqual({ status: 200, body: { result: [{ bucket: 'carts', keys: 3, keysWithSiblings: 1 }] } });
    expect((await post(web.url, 'listKeys', { args: [{ bucket: 'carts', prefix: 'a', siblingsOnly: true, limit: 20 }] })).body).toMatchObject({
      result: { keys: [{ key: 'a', siblings: 2 }], progress: { partitionsDone: 4, partitions: 64 } },
    });
    expect((await post(web.url, 'keyDetail', { args: ['carts', 'a/b'] })).body).toMatchObject({ result: { partition: 3 } });
    // A value of 1 MiB: far past the 64 KiB every other method is held to.
    const value = Buffer.alloc(1024 * 1024, 7).toString('base64');
    const write = await post(web.url, 'writeKey', { args: [{ bucket: 'carts', key: 'big', value, contentType: 'application/octet-stream' }] });
    expect(write).toEqual({ status: 200, body: { result: { after: { bucket: 'carts', key: 'big', found: true, versions: [] }, raced: false } } });
    expect(calls.slice(-3)).toEqual([
      ['listKeys', [{ bucket: 'carts', prefix: 'a', siblingsOnly: true, limit: 20 }]],
      ['keyDetail', ['carts', 'a/b']],
      ['writeKey', [{ bucket: 'carts', key: 'big', value: `${value.length} base64 characters`, contentType: 'application/octet-stream' }]],
    ]);
    const before = calls.length;
    expect((await post(web.url, 'listKeys', { args: [{ bucket: 'carts', junk: 'x'.repeat(100 * 1024) }] })).status).toBe(413);
    expect(await post(web.url, 'writeKey', { args: [{ bucket: 'carts', key: 'k', value: 'not base64', contentType: 'text/plain' }] })).toMatchObject({
      status: 400,
      body: { error: 'bad_request', message: 'writeKey a value is its bytes in base64' },
    });
    const tooBig = Buffer.alloc(1024 * 1024 + 1).toString('base64');
    expect((await post(web.url, 'writeKey', { args: [{ bucket: 'carts', key: 'k', value: tooBig, contentType: 'text/plain' }] })).status).toBe(400);
    expect(calls.length).toBe(before);
  });

  it('carries the operations methods; a traced put may send a value as large as a write', async () => {
    expect(await post(web.url, 'runAntiEntropy', { args: [{ node: 'n1', partition: 12 }] })).toEqual({ status: 200, body: { result: [] } });
    expect((await post(web.url, 'handoff', { args: [] })).body).toEqual({ result: { at: 0, hints: [], transfers: [], unreachable: [] } });
    expect(await post(web.url, 'trace', { args: ['n2', 'n2-9'] })).toEqual({ status: 404, body: { error: 'not_found', message: 'n2 keeps no trace n2-9' } });
    const value = 'v'.repeat(1024 * 1024);
    const traced = await post(web.url, 'traceRequest', { args: [{ node: 'n1', op: 'put', bucket: 'carts', key: 'big', value }] });
    expect(traced).toEqual({ status: 200, body: { result: { status: 204, summary: 'written' } } });
    expect(calls.slice(-3)).toEqual([
      ['runAntiEntropy', [{ node: 'n1', partition: 12 }]],
      ['trace', ['n2', 'n2-9']],
      ['traceRequest', [{ node: 'n1', op: 'put', bucket: 'carts', key: 'big', value: `${value.length} characters` }]],
    ]);
    const before = calls.length;
    expect((await post(web.url, 'listTraces', { args: [{ key: 'x'.repeat(100 * 1024) }] })).status).toBe(413);
    expect(await post(web.url, 'listTraces', { args: [{ op: 'post' }] })).toMatchObject({ status: 400, body: { message: 'listTraces op is get, put or delete' } });
    expect(calls.length).toBe(before);
  });

  it('keeps a refusal its code and status, and turns a bug into 500 with its message only', async () => {
    expect(await post(web.url, 'killNode', { args: ['busy'] })).toEqual({ status: 409, body: { error: 'conflict', message: 'n9 is busy' } });
    const bug = await post(web.url, 'killNode', { args: ['boom'] });
    expect(bug).toEqual({ status: 500, body: { error: 'internal', message: 'something broke' } });
  });

  it('streams published events to a subscriber that gives ?token=', async () => {
    const controller = new AbortController();
    const response = await request(`${web.url}/api/events?token=${token}`, { signal: controller.signal });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream');
    const received: ConsoleEvent[] = [];
    let buffer = '';
    response.body.setEncoding('utf8');
    response.body.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line.startsWith('data: ')) received.push(JSON.parse(line.slice(6)));
      }
    });
    response.body.on('error', () => undefined);
    const event: ConsoleEvent = { type: 'process', node: 'n3', at: 1, state: 'crashed', pid: 42, reason: 'crashed' };
    await waitUntil('the stream has its subscriber', () => hub.size === 1);
    hub.publish(event);
    await waitUntil('the event arrives', () => received.length === 1);
    expect(received[0]).toEqual(event);
    controller.abort();
    await waitUntil('the subscriber is gone', () => hub.size === 0);
  });

  it('drops an event subscriber that stops reading, and serves the next', async () => {
    const controller = new AbortController();
    const response = await request(`${web.url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    response.body.pause();
    response.body.on('error', () => undefined);
    await waitUntil('the stream has its subscriber', () => hub.size === 1);
    const big: ConsoleEvent = { type: 'faults', node: 'n1', at: 1, isolated: ['x'.repeat(256 * 1024)] };
    // Far more than the socket buffers hold: the rest waits in the server, past its bound.
    for (let i = 0; i < 200 && web.droppedSubscribers === 0; i++) {
      hub.publish(big);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil('the slow subscriber is dropped', () => web.droppedSubscribers === 1 && hub.size === 0);
    controller.abort();
    const next = await request(`${web.url}/api/events?token=${token}`);
    expect(next.statusCode).toBe(200);
    next.body.destroy();
  });

  it('serves the renderer with a strict CSP, index.html for page paths, and the token cookie', async () => {
    const page = await request(`${web.url}/?token=${token}`);
    expect(page.statusCode).toBe(200);
    expect(await page.body.text()).toContain('/assets/app.js');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    const asset = await request(`${web.url}/assets/app.js`, { headers: { cookie } });
    expect(asset.statusCode).toBe(200);
    expect(await asset.body.text()).toContain('app');
    const deep = await request(`${web.url}/cluster/n3`, { headers: { cookie } });
    expect(deep.statusCode).toBe(200);
    expect(await deep.body.text()).toContain('/assets/app.js');
    // The cookie opens the page's files, never the AdminApi.
    expect((await post(web.url, 'clusterView', { args: [] }, { cookie })).status).toBe(401);
  });

  it('answers 503 naming the build when the renderer is not built, and serves the API all the same', async () => {
    const page = await request(`${bare.url}/`);
    expect(page.statusCode).toBe(503);
    expect(await page.body.text()).toContain('npm run build');
    expect((await post(bare.url, 'clusterView', { args: [] }, {})).status).toBe(200);
    // Without a token it answers only to loopback names (no DNS rebinding).
    const rebound = await request(`${bare.url}/api/admin/clusterView`, {
      method: 'POST',
      headers: { host: 'evil.example', 'content-type': 'application/json' },
      body: '{"args":[]}',
    });
    expect(rebound.statusCode).toBe(403);
    await rebound.body.dump();
  });

  it('refuses a host beyond loopback without a token', async () => {
    await expect(startWebConsole({ api, host: '0.0.0.0', port: 0 })).rejects.toThrow(/--token/);
  });
});
