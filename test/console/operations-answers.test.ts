// Proves how the console's anti-entropy and handoff (core/console/operations-reader.ts) read what
// nodes answer, against fake nodes that answer in CONTRACT.md's shapes (Fastify on loopback):
// each transfer is listed once, with its sender's figures rather than the bare "waiting" another
// member reports; a node that lists no hint targets (an older node) still shows its counts; a
// member that does not answer, answers out of shape or predates the run list is named with a
// sentence instead of failing the whole reading; a run the node refuses keeps the node's code
// and sentence. The real cluster is in operations-reader.test.ts.

import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceReading } from '../../core/console/cluster-reader.js';
import type { KeyContext } from '../../core/console/key-reader.js';
import { NodeHttp } from '../../core/console/node-http.js';
import { handoff } from '../../core/console/handoff-reader.js';
import { antiEntropyRuns, runAntiEntropy } from '../../core/console/operations-reader.js';
import { freePorts } from '../support/cluster.js';

const clock = { now: () => 42_000, setTimeout: () => 0, clearTimeout: () => {} };
const run = { runId: 'n1-a', trigger: 'manual', startedAt: 1, finishedAt: 2, partitionsCompared: 1, segmentsDiffering: 0, keysRepaired: 0, bytesSent: 8, exchanges: [], exchangesOmitted: 0, repairedKeys: [], repairedKeysOmitted: 0 };

let servers: FastifyInstance[] = [];
let ports: number[];
const http = new NodeHttp();

function fakeNode(id: string): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }));
  if (id === 'n1') {
    // An older node: counts by target only, and no run list.
    app.get('/v1/admin/hints', async () => ({ pending: 3, byTarget: { n4: 3, n5: 0 } }));
    app.get('/v1/admin/transfers', async () => ({ pending: 1, partitions: [{ index: 5, from: 'n2', to: 'n6', keysSent: 0, state: 'waiting' }] }));
    app.post('/v1/admin/anti-entropy', async (_request, reply) => reply.code(400).send({ error: 'bad_request', message: 'peer must be the id of a member' }));
  } else {
    app.get('/v1/admin/hints', async () => ({
      pending: 2,
      byTarget: { n4: 2 },
      targets: [
        { target: 'n4', pending: 2, oldestAgeMs: 1500, delivering: true, deliveredPerSec: 4 },
        { target: 'n5', pending: 0, oldestAgeMs: 0, delivering: false, deliveredPerSec: 1.5 },
      ],
    }));
    app.get('/v1/admin/transfers', async () => ({
      pending: 1,
      partitions: [{ index: 5, from: 'n2', to: 'n6', keysSent: 40, state: 'sending', keysTotal: 100, startedAt: 10, etaMs: 900 }],
    }));
    // One run of an unexpected shape: the node's list cannot be trusted.
    app.get('/v1/admin/anti-entropy/runs', async () => ({ runs: [run, { ...run, runId: 7 }] }));
  }
  return app;
}

function context(): KeyContext {
  const member = (id: string, port: number) => ({ id, http: `127.0.0.1:${port}`, peer: '', state: 'up' as const });
  const source: SourceReading = {
    id: 'n1',
    url: `http://127.0.0.1:${ports[0]}`,
    status: {
      id: 'n1',
      http: `127.0.0.1:${ports[0]}`,
      peer: '',
      pid: 1,
      ringSize: 8,
      n: 3,
      r: 2,
      w: 2,
      // n3 answers nothing (no server on its port).
      members: [member('n1', ports[0]), member('n2', ports[1]), member('n3', ports[2])],
      hintsPending: 0,
      transfersPending: 0,
    },
    ring: undefined,
    membership: undefined,
  };
  return { http, source, notRunning: () => undefined };
}

beforeAll(async () => {
  ports = await freePorts(3);
  servers = [fakeNode('n1'), fakeNode('n2')];
  await Promise.all(servers.map((server, i) => server.listen({ host: '127.0.0.1', port: ports[i] })));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await http.close();
});

describe('what the nodes answer, as the console reads it', () => {
  it('lists each transfer once with its sender’s figures, and every holder’s backlogs', async () => {
    const view = await handoff(context(), clock);
    expect(view.at).toBe(42_000);
    expect(view.transfers).toEqual([{ index: 5, from: 'n2', to: 'n6', keysSent: 40, state: 'sending', keysTotal: 100, startedAt: 10, etaMs: 900 }]);
    expect(view.hints).toEqual([
      { holder: 'n1', target: 'n4', pending: 3, oldestAgeMs: 0, delivering: false, deliveredPerSec: 0 },
      { holder: 'n2', target: 'n4', pending: 2, oldestAgeMs: 1500, delivering: true, deliveredPerSec: 4 },
      { holder: 'n2', target: 'n5', pending: 0, oldestAgeMs: 0, delivering: false, deliveredPerSec: 1.5 },
    ]);
    expect(view.unreachable).toEqual([{ node: 'n3', message: expect.stringMatching(/^n3 does not answer: cannot reach http:\/\/127\.0\.0\.1:\d+/) }]);
  });

  it('names the members whose runs cannot be read, and why', async () => {
    const history = await antiEntropyRuns(context());
    expect(history.runs).toEqual([]);
    expect(history.unreachable.map((problem) => problem.message)).toEqual([
      'n1 keeps no list of anti-entropy runs (its API has no GET /v1/admin/anti-entropy/runs)',
      'n2 answered an anti-entropy report of an unexpected shape',
      expect.stringMatching(/^n3 does not answer: /),
    ]);
  });

  it('keeps the code and sentence of a run the node refuses', async () => {
    await expect(runAntiEntropy(context(), { node: 'n1', peer: 'n2' }, clock)).rejects.toMatchObject({ code: 'bad_request', message: 'n1: peer must be the id of a member' });
  });
});
