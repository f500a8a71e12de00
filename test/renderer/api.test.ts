// The renderer's way to the back end, with fakes for fetch, EventSource and the desktop bridge:
// calls carry AdminApi's method and arguments on the wire of core/admin/http-wire.ts with the
// token; failures keep their code and sentence; one event stream serves every listener and is
// closed after the last; a refused stream is reopened later and reported as lost meanwhile; the
// token moves from the address into the session.

import { describe, expect, it } from 'vitest';
import type { ConsoleEvent } from '../../core/admin/admin-api.js';
import type { DesktopBridge } from '../../core/admin/bridge.js';
import { AdminError } from '../../renderer/api/admin-error.js';
import { bridgeError, desktopTransport } from '../../renderer/api/desktop-transport.js';
import { type EventSourceLike, type FetchLike, httpTransport } from '../../renderer/api/http-transport.js';
import { fragmentWithoutToken, takeToken, tokenFromFragment, tokenStorageKey } from '../../renderer/api/token.js';
import { adminApiOver } from '../../renderer/api/transport.js';

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
    this.readyState = 2;
  }
}

function setup(answer: (url: string, body: unknown) => { status: number; body: unknown }) {
  const requests: { url: string; headers: Record<string, string>; body: unknown }[] = [];
  const sources: FakeEventSource[] = [];
  const timers: (() => void)[] = [];
  const fetch: FetchLike = async (url, init) => {
    const body = JSON.parse(init.body);
    requests.push({ url, headers: init.headers, body });
    const reply = answer(url, body);
    return { ok: reply.status < 300, status: reply.status, statusText: '', json: async () => reply.body };
  };
  const transport = httpTransport({
    origin: 'http://127.0.0.1:3000',
    token: 's3cret',
    fetch,
    openEventSource: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source;
    },
    now: () => 42,
    setTimer: (run) => timers.push(run),
    clearTimer: () => undefined,
  });
  return { api: adminApiOver(transport), requests, sources, timers };
}

describe('http transport', () => {
  it('posts each call with its arguments and the bearer token', async () => {
    const { api, requests } = setup(() => ({ status: 200, body: { result: null } }));
    await api.isolateNode('n2', ['n1']);
    await api.killNode('n3');
    expect(requests[0]).toMatchObject({ url: 'http://127.0.0.1:3000/api/admin/isolateNode', body: { args: ['n2', ['n1']] } });
    expect(requests[0].headers.authorization).toBe('Bearer s3cret');
    expect(requests[1].body).toEqual({ args: ['n3'] });
  });

  it('carries the keys methods with their arguments, leaving out fields that are not set', async () => {
    const { api, requests } = setup((url) => ({ status: 200, body: { result: url.endsWith('listBuckets') ? [] : { keys: [] } } }));
    await api.listBuckets();
    await api.listKeys({ bucket: 'carts', prefix: undefined, siblingsOnly: true, limit: 10 });
    await api.keyDetail('carts', 'a/b');
    await api.writeKey({ bucket: 'carts', key: 'k', value: 'aGk=', contentType: 'text/plain', context: undefined });
    expect(requests.map((r) => [r.url.replace('http://127.0.0.1:3000/api/admin/', ''), r.body])).toEqual([
      ['listBuckets', { args: [] }],
      ['listKeys', { args: [{ bucket: 'carts', siblingsOnly: true, limit: 10 }] }],
      ['keyDetail', { args: ['carts', 'a/b'] }],
      ['writeKey', { args: [{ bucket: 'carts', key: 'k', value: 'aGk=', contentType: 'text/plain' }] }],
    ]);
  });

  it('rejects with the failure\'s code and sentence', async () => {
    const { api } = setup(() => ({ status: 409, body: { error: 'conflict', message: 'n3 is already down' } }));
    const error = await api.killNode('n3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminError);
    expect(error).toMatchObject({ code: 'conflict', message: 'n3 is already down', method: 'killNode' });
  });

  it('says when the console wants a token', async () => {
    const { api } = setup(() => ({ status: 401, body: { error: 'unauthorized', message: 'missing token' } }));
    await expect(api.clusterView()).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('shares one event stream, reports losing it, and reopens a refused one later', () => {
    const { api, sources, timers } = setup(() => ({ status: 200, body: { result: null } }));
    const seen: ConsoleEvent[][] = [[], []];
    const stopA = api.subscribe((event) => seen[0].push(event));
    const stopB = api.subscribe((event) => seen[1].push(event));
    expect(sources).toHaveLength(1);
    expect(sources[0].url).toBe('http://127.0.0.1:3000/api/events?token=s3cret');
    sources[0].onopen?.({});
    sources[0].onmessage?.({ data: JSON.stringify({ type: 'process', node: 'n3', at: 1, state: 'up' }) });
    sources[0].onmessage?.({ data: 'not json' });
    expect(seen[1].map((e) => e.type)).toEqual(['connection', 'process']);
    sources[0].readyState = 2;
    sources[0].onerror?.({});
    expect(seen[0].at(-1)).toMatchObject({ type: 'connection', node: 'console', connected: false });
    expect(timers).toHaveLength(1);
    timers[0]();
    expect(sources).toHaveLength(2);
    stopA();
    expect(sources[1].closed).toBe(false);
    stopB();
    expect(sources[1].closed).toBe(true);
  });
});

describe('desktop transport', () => {
  it('recovers the code and sentence from an IPC rejection', async () => {
    const bridge: DesktopBridge = {
      invoke: async () => {
        throw new Error("Error invoking remote method 'dynamo-admin:killNode': Error: unavailable: n3 is not running");
      },
      subscribe: () => () => undefined,
    };
    const error = await adminApiOver(desktopTransport(bridge)).killNode('n3').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable', message: 'n3 is not running', method: 'killNode' });
    expect(bridgeError('planJoin', { code: 'conflict', message: 'a join is already planned' })).toMatchObject({ code: 'conflict', message: 'a join is already planned' });
  });

  it('invokes the keys methods with the same arguments as the web, without unset fields', async () => {
    const invoked: Array<[string, unknown[]]> = [];
    const bridge: DesktopBridge = {
      invoke: async (method, args) => void invoked.push([method, args]),
      subscribe: () => () => undefined,
    };
    const api = adminApiOver(desktopTransport(bridge));
    await api.listKeys({ bucket: undefined, cursor: 'c1' });
    await api.keyDetail('b', 'k');
    expect(invoked).toEqual([
      ['listKeys', [{ cursor: 'c1' }]],
      ['keyDetail', ['b', 'k']],
    ]);
  });
});

describe('token', () => {
  it('reads the token from the fragment and leaves the rest of it', () => {
    expect(tokenFromFragment('#token=a%20b')).toBe('a b');
    expect(tokenFromFragment('#/cluster&token=abc')).toBe('abc');
    expect(tokenFromFragment('#/cluster')).toBeUndefined();
    expect(fragmentWithoutToken('#token=abc')).toBe('');
    expect(fragmentWithoutToken('#/cluster&token=abc')).toBe('#/cluster');
  });

  it('keeps the token for the session and takes it out of the address', () => {
    const stored = new Map<string, string>();
    const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
    const urls: string[] = [];
    const fromFragment = takeToken({ location: { hash: '#token=abc', pathname: '/', search: '' }, storage, replaceUrl: (u) => urls.push(u) });
    expect(fromFragment).toBe('abc');
    expect(stored.get(tokenStorageKey)).toBe('abc');
    expect(urls).toEqual(['/']);
    expect(takeToken({ location: { hash: '#/cluster', pathname: '/', search: '' }, storage, replaceUrl: (u) => urls.push(u) })).toBe('abc');
    const fromQuery = takeToken({ location: { hash: '', pathname: '/', search: '?token=xyz&x=1' }, storage, replaceUrl: (u) => urls.push(u) });
    expect(fromQuery).toBe('xyz');
    expect(urls.at(-1)).toBe('/?x=1');
  });
});
