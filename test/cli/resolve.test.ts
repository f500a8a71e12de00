// Proves `dynamo resolve` as a script runs it (bin/dynamo.js, the build) against a real cluster:
// it keeps sibling N or writes a given value (or standard input) with the read's context, prints
// the one version that remains and exits 0; a key with no versions exits 3, bad arguments 2;
// and when a write races it (a proxy in front of the node lets another client's blind
// write land between its read and its write), what remains is printed and the exit status is 4.

import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { request } from 'undici';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, startTestCluster, type TestCluster } from '../support/cluster.js';

const dynamo = fileURLToPath(new URL('../../bin/dynamo.js', import.meta.url));
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3, ringSize: 16 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [dynamo, ...args, '--endpoint', cluster.endpoints.get('n1')!], { encoding: 'utf8', input });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking this process (the test's proxy must answer meanwhile). */
function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [dynamo, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

/** Two blind writes through two nodes: two siblings. */
async function siblings(key: string, a: string, b: string): Promise<void> {
  expect((await cluster.client('n2').put('carts', key, a, { contentType: 'application/json' })).status).toBe(204);
  expect((await cluster.client('n3').put('carts', key, b, { contentType: 'application/json' })).status).toBe(204);
  const read = await cluster.client('n1').get('carts', key);
  expect(read.status).toBe(300);
}

async function versions(key: string): Promise<string[]> {
  const read = await cluster.client('n2').get('carts', key, { json: true });
  return 'siblings' in read ? read.siblings.map((s) => Buffer.from(s.value).toString()) : [];
}

describe('dynamo resolve', () => {
  it('keeps sibling N as get numbers them', async () => {
    await siblings('keep', '["a"]', '["b"]');
    const listed = spawnSync(process.execPath, [dynamo, 'get', 'carts', 'keep', '--endpoint', cluster.endpoints.get('n1')!], { encoding: 'utf8' });
    const second = listed.stdout.split('\n')[4];
    const resolved = run(['resolve', 'carts', 'keep', '--keep', '2']);
    expect(resolved.status, resolved.stderr).toBe(0);
    expect(resolved.stdout).toContain(second);
    expect(await versions('keep')).toEqual([second]);
  });

  it('writes a given value, or standard input, over every sibling', async () => {
    await siblings('given', '["a"]', '["b"]');
    expect(run(['resolve', 'carts', 'given', '--value', '["a","b"]']).status).toBe(0);
    expect(await versions('given')).toEqual(['["a","b"]']);
    await siblings('piped', '["c"]', '["d"]');
    const piped = run(['resolve', 'carts', 'piped', '-'], '["c","d"]');
    expect(piped.status, piped.stderr).toBe(0);
    expect(await versions('piped')).toEqual(['["c","d"]']);
    const read = await cluster.client('n1').get('carts', 'piped');
    expect('contentType' in read && read.contentType).toBe('application/json');
  });

  it('exits 4 and prints the versions when a write races the resolution', async () => {
    // A proxy in front of n1 lets another client write blindly just before the resolution's PUT
    // goes through: the read's context does not cover that write, so it stays beside it.
    await siblings('raced', '["x"]', '["y"]');
    const target = cluster.endpoints.get('n1')!;
    const proxy = http.createServer(async (incoming, outgoing) => {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      if (incoming.method === 'PUT') await cluster.client('n3').put('carts', 'raced', '["racer"]');
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'x-dynamo-context']) if (typeof incoming.headers[name] === 'string') headers[name] = incoming.headers[name];
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const answer = await request(target + incoming.url, { method: incoming.method as 'GET', headers, body });
      outgoing.writeHead(answer.statusCode, answer.headers as http.OutgoingHttpHeaders);
      outgoing.end(Buffer.from(await answer.body.arrayBuffer()));
    });
    const [port] = await freePorts(1);
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    try {
      const resolved = await runAsync(['resolve', 'carts', 'raced', '--value', '["x","y"]', '--endpoint', `http://127.0.0.1:${port}`]);
      expect(resolved.status, resolved.stderr).toBe(4);
      expect(resolved.stdout).toContain('["racer"]');
      expect(resolved.stdout).toContain('["x","y"]');
      expect((await versions('raced')).sort()).toEqual(['["racer"]', '["x","y"]']);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('exits 3 for a missing key and 2 for bad arguments', () => {
    expect(run(['resolve', 'carts', 'nobody', '--keep', '1']).status).toBe(3);
    expect(run(['resolve', 'carts', 'keep']).status).toBe(2);
    expect(run(['resolve', 'carts', 'keep', '--keep', '1', '--value', 'v']).status).toBe(2);
    expect(run(['resolve', 'carts', 'keep', '--keep', '9']).status).toBe(2);
  });
});
