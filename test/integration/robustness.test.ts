// Proves that bad input never crashes a node or alters what it stores: random bytes, oversized
// and malformed frames on a node's peer port, and malformed HTTP on its API port, sent to a
// real node process; afterwards the process is still up, still serves, and the data written
// before the attack reads back unchanged.

import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../../core/common/random.js';
import { startTestCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ nodes: 3, ringSize: 16 });
});
afterAll(async () => {
  await cluster?.stop();
});

/** Opens a connection, writes `bytes`, and resolves when the server closes it or after it drains. */
function send(address: string, bytes: Uint8Array | string): Promise<string> {
  const [host, port] = address.replace(/^http:\/\//, '').split(':');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => {
      socket.write(bytes);
      // Half-close: the server sees the end of input and must answer or close, not hang.
      socket.end();
    });
  });
}

function nodesUp(): string[] {
  return cluster.supervisor.snapshot().filter((node) => node.state === 'up').map((node) => node.id);
}

async function readsBack(value: string): Promise<void> {
  for (const id of cluster.ids) {
    const result = await cluster.client(id).get('safe', 'key', { r: 3 });
    expect(result.status, id).toBe(200);
    if ('value' in result) expect(Buffer.from(result.value).toString()).toBe(value);
  }
}

describe('a node under bad input', () => {
  it('survives garbage on its peer port', async () => {
    const client = cluster.client('n1');
    const before = await client.put('safe', 'key', 'before', { w: 3 });
    expect(before.status).toBe(204);
    const peer = cluster.peers.get('n2')!;
    const random = new SeededRandom(7);
    const attacks: Array<Uint8Array | string> = [
      Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]), // a length far over the frame limit
      Buffer.from([0, 0, 0, 5, 0xc1, 0xc1, 0xc1, 0xc1, 0xc1]), // msgpack's never-used byte
      Buffer.from([0, 0, 0, 1, 0x90]), // an empty array, not an envelope
      'GET / HTTP/1.1\r\nHost: x\r\n\r\n', // the wrong protocol
      Buffer.alloc(0),
    ];
    for (let i = 0; i < 40; i++) {
      const bytes = new Uint8Array(1 + random.int(2048));
      for (let j = 0; j < bytes.length; j++) bytes[j] = random.int(256);
      attacks.push(bytes);
    }
    await Promise.all(attacks.map((bytes) => send(peer, bytes)));
    expect(nodesUp()).toEqual(cluster.ids);
    // The attacked node still replicates: a W = 3 write needs it.
    const context = 'context' in before ? before.context : undefined;
    expect((await client.put('safe', 'key', 'after', { w: 3, context })).status).toBe(204);
    await readsBack('after');
  });

  it('survives malformed HTTP', async () => {
    const endpoint = cluster.endpoints.get('n3')!;
    const requests = [
      'GARBAGE\r\n\r\n',
      'GET /v1/kv/b/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n',
      'PUT /v1/kv/safe/key HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\n\r\nshort',
      'PUT /v1/kv/safe/key HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot hex\r\n',
      `GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      'BREW /v1/status HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /v1/admin/faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"isol',
      'GET /v1/kv/safe/key?r=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n',
      'PUT /v1/kv/safe/key HTTP/1.1\r\nHost: x\r\nX-Dynamo-Context: \u00ff\u00fe\r\nContent-Length: 1\r\n\r\nx',
    ];
    const answers = await Promise.all(requests.map((request) => send(endpoint, request)));
    const statuses = answers.map((answer) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0));
    // Each gets a 4xx answer (431 for the oversized header), never a success or a 5xx.
    expect(statuses).toEqual([400, 400, 400, 400, 431, 400, 400, 400, 400]);
    expect(nodesUp()).toEqual(cluster.ids);
    await readsBack('after');
  });
});
