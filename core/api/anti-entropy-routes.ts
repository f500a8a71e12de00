// Anti-entropy over HTTP (CONTRACT.md): POST /v1/admin/anti-entropy runs an exchange now and
// answers with its report once repaired keys are in place; GET /v1/admin/anti-entropy/runs lists
// the runs the node remembers, manual and background, newest first. A Fastify plugin the HTTP
// server registers. The body is checked here, at the edge; the node checks that the peer is a
// member and that it replicates the partition (`400 bad_request` with a sentence otherwise).
//
//   POST body: {} · {"peer": "n2"} · {"partition": 12} · {"partition": 12, "peer": "n2"}
//   answer (core/admin's AntiEntropyRun):
//     {"runId", "trigger": "manual", "peer"?, "partition"?, "startedAt", "finishedAt" (epoch ms),
//      "partitionsCompared", "segmentsDiffering", "keysRepaired", "bytesSent",
//      "exchanges": [{"partition", "peer", "segmentsDiffering", "keysRepaired", "bytesSent"}], "exchangesOmitted",
//      "repairedKeys": [{"bucket", "key", "partition", "peer", "behind": "local"|"peer"|"both",
//                        "versions": {"local"?: {"before", "after"}, "peer"?: {"before", "after"}}}],
//      "repairedKeysOmitted"}
//     where a version is {"dot": {"node", "counter"}, "clock", "deleted", "size"} (no value).
//   GET /v1/admin/anti-entropy/runs: {"runs": [run, ...]}, each as above ("trigger": "background"
//     for the scheduler's; a run that ended early carries "error").

import type { FastifyPluginAsync } from 'fastify';
import type { AntiEntropyTarget } from '../node/anti-entropy.js';
import type { NodeAdmin } from '../node/admin.js';
import { ApiError } from './errors.js';
import { parseJsonBody } from './http-server.js';

const antiEntropyRoutes: FastifyPluginAsync<{ admin: NodeAdmin }> = async (app, { admin }) => {
  app.post('/v1/admin/anti-entropy', async (request) => admin.runAntiEntropy(antiEntropyTarget(parseJsonBody(request.body))));
  app.get('/v1/admin/anti-entropy/runs', async () => ({ runs: admin.antiEntropyRuns() }));
};

export default antiEntropyRoutes;

/** The body's `peer` and `partition`, type-checked; ApiError('bad_request') when malformed. */
export function antiEntropyTarget(body: Record<string, unknown>): AntiEntropyTarget {
  const { peer, partition } = body;
  const target: AntiEntropyTarget = {};
  if (peer !== undefined) {
    if (typeof peer !== 'string') throw new ApiError('bad_request', 'peer must be the id of a member');
    target.peer = peer;
  }
  if (partition !== undefined) {
    if (typeof partition !== 'number' || !Number.isInteger(partition)) throw new ApiError('bad_request', 'partition must be an integer, the index of a partition');
    target.partition = partition;
  }
  return target;
}
