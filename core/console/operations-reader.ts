// Anti-entropy across the cluster (AdminApi.runAntiEntropy, antiEntropyRuns; handoff is in handoff-reader.ts)
// over each node's HTTP API (CONTRACT.md): a manual run is POST /v1/admin/anti-entropy on the
// members the target names, one after the other, each answering with its report once its repairs are in place; the
// run history is every member's GET /v1/admin/anti-entropy/runs merged. Targets are checked here against the ring the source
// node reports, so a bad one is refused with a sentence before any node is asked. The nodes are
// not trusted to answer in shape: every answer is checked before use.
//
// A whole-cluster run keeps going when one member cannot run: the others' repairs are in place
// by then, and their reports are what the operator needs, so the member that could not run is
// reported as a run with `error` (not asked: it is not running or is down; or it failed) instead
// of failing the whole call. A run that started and ended early (a peer went away mid-run) is
// answered with the node's own record of it, whose figures cover the exchanges done. A run on
// one node or one partition fails the call when that node cannot be asked at all.

import type { AntiEntropyRuns, AntiEntropyRunView, AntiEntropyTarget, NodeProblem } from '../admin/admin-api.js';
import type { ExchangeSummary, RepairedKey, RepairedSide, VersionSummary } from '../admin/events.js';
import type { Clock } from '../common/clock.js';
import { ConsoleError, fail } from './errors.js';
import type { KeyContext } from './key-reader.js';
import { antiEntropyAnswerBytesMax, antiEntropyRunsListedMax, antiEntropyRunTimeoutMs } from './limits.js';
import { field, isAmount, isCount, shapeError } from './node-answer.js';
import { answeredError, nodeBaseUrl, nodeFailure } from './node-http.js';

const runPath = '/v1/admin/anti-entropy';
const runsPath = '/v1/admin/anti-entropy/runs';

// ── Running anti-entropy ──────────────────────────────────────────────────────────────────

/** Who runs what: the members asked (with the body each is sent) and those that cannot be. */
export interface RunPlan {
  asked: Array<{ node: string; body: { peer?: string; partition?: number } }>;
  /** Members of a whole-cluster run that are not asked, with why. */
  skipped: NodeProblem[];
}

/**
 * Checks the target against the cluster the source reports and says who runs: {} every member
 * that is up; {node} that member (with `peer`: that peer only); {partition} on `node`, or on the
 * first member of the partition's preference list that is up. Rejects with a ConsoleError naming
 * the member or partition that is wrong.
 */
export async function planRun(context: KeyContext, target: AntiEntropyTarget): Promise<RunPlan> {
  const { status } = context.source;
  const member = (id: string) => status.members.find((candidate) => candidate.id === id);
  const { node, peer, partition } = target;
  if (node !== undefined && member(node) === undefined) fail('not_found', `${node} is not a member of the cluster`);
  if (peer !== undefined) {
    if (node === undefined) fail('bad_request', 'a peer needs the node that runs with it');
    if (member(peer) === undefined) fail('not_found', `${peer} is not a member of the cluster`);
    if (peer === node) fail('bad_request', `${node} cannot run anti-entropy with itself: choose another member as its peer`);
  }
  const body = { ...(peer === undefined ? {} : { peer }), ...(partition === undefined ? {} : { partition }) };

  if (partition !== undefined) {
    const replicas = await replicasOf(context, partition);
    if (peer !== undefined && !replicas.includes(peer)) {
      fail('bad_request', `${peer} does not replicate partition ${partition}; its replicas are ${joinWords(replicas)}`);
    }
    if (node !== undefined) {
      if (!replicas.includes(node)) fail('bad_request', `${node} does not replicate partition ${partition}; its replicas are ${joinWords(replicas)}`);
      const down = context.notRunning(node);
      if (down !== undefined) fail('unavailable', down);
      return { asked: [{ node, body }], skipped: [] };
    }
    const first = replicas.find((id) => isUp(context, id));
    if (first === undefined) {
      fail('unavailable', `no replica of partition ${partition} is up to run it: ${replicas.map((id) => `${id} ${whyNotUp(context, id)}`).join(', ')}`);
    }
    return { asked: [{ node: first, body }], skipped: [] };
  }

  if (node !== undefined) {
    const down = context.notRunning(node);
    if (down !== undefined) fail('unavailable', down);
    return { asked: [{ node, body }], skipped: [] };
  }

  const plan: RunPlan = { asked: [], skipped: [] };
  for (const { id } of status.members) {
    if (isUp(context, id)) plan.asked.push({ node: id, body: {} });
    else plan.skipped.push({ node: id, message: `${id} ${whyNotUp(context, id)}, so it was not asked to run` });
  }
  if (plan.asked.length === 0) fail('unavailable', 'no member of the cluster is up to run anti-entropy');
  return plan;
}

/**
 * Runs anti-entropy now as the target says and answers with each member's report once all have
 * finished (see the module's comment for what a member that cannot run becomes).
 */
export async function runAntiEntropy(context: KeyContext, target: AntiEntropyTarget, clock: Clock): Promise<AntiEntropyRunView[]> {
  const plan = await planRun(context, target);
  const wholeCluster = target.node === undefined && target.partition === undefined;
  // One member after the other: run at once, members that share a partition would exchange it
  // twice at the same moment and each push the same repair to the replica behind, so the report
  // would count every key repaired once per member that saw it. In turn, a later member finds
  // what an earlier one repaired already in sync.
  const runs: AntiEntropyRunView[] = [];
  for (const { node, body } of plan.asked) {
    runs.push(
      await runOn(context, node, body).catch((error: unknown) => {
        const failure = nodeFailure(node, error);
        if (!wholeCluster) throw failure;
        return notRun(node, failure.message, clock.now());
      }),
    );
  }
  const now = clock.now();
  return [...runs, ...plan.skipped.map((skipped) => notRun(skipped.node, skipped.message, now))];
}

/** POST /v1/admin/anti-entropy on one member; a run that ended early is answered with the node's record of it. */
async function runOn(context: KeyContext, node: string, body: { peer?: string; partition?: number }): Promise<AntiEntropyRunView> {
  const url = memberUrl(context, node);
  // The runs the node remembers before this one: after a failure, the new one is its record.
  const before = await readRuns(context, node, url).then(
    (runs) => new Set(runs.map((run) => run.runId)),
    () => undefined,
  );
  let answer: unknown;
  try {
    answer = await context.http.post<unknown>(url, runPath, body, antiEntropyRunTimeoutMs);
  } catch (error) {
    const failure = nodeFailure(node, error);
    // A run that started and then failed (a peer went away) answers 500; the node keeps it with
    // its error and the figures of the exchanges done, which say more than the error alone.
    if (failure.code === 'internal' && before !== undefined) {
      const kept = await readRuns(context, node, url).catch(() => []);
      const ended = kept.find((run) => !before.has(run.runId) && run.trigger === 'manual' && run.error !== undefined && sameScope(run, body));
      if (ended !== undefined) return ended;
    }
    throw failure;
  }
  return runView(node, answer);
}

function sameScope(run: AntiEntropyRunView, body: { peer?: string; partition?: number }): boolean {
  return run.peer === body.peer && run.partition === body.partition;
}

/** A member that did not run: a run with nothing compared and `error` saying why. */
function notRun(node: string, message: string, at: number): AntiEntropyRunView {
  return {
    node,
    runId: `${node}-not-run-${at.toString(36)}`,
    trigger: 'manual',
    startedAt: at,
    finishedAt: at,
    partitionsCompared: 0,
    segmentsDiffering: 0,
    keysRepaired: 0,
    bytesSent: 0,
    exchanges: [],
    exchangesOmitted: 0,
    repairedKeys: [],
    repairedKeysOmitted: 0,
    error: message,
  };
}

/** The preference list of `partition` from the source's ring (read again if the source gave none). */
async function replicasOf(context: KeyContext, partition: number): Promise<string[]> {
  const { source, http } = context;
  const ringSize = source.ring?.ringSize ?? source.status.ringSize;
  if (!Number.isInteger(partition) || partition < 0 || partition >= ringSize) {
    fail('bad_request', `partition ${partition} is not on the ring: it has ${ringSize} partitions, 0 to ${ringSize - 1}`);
  }
  const ring =
    source.ring ??
    (await http.get<unknown>(source.url, '/v1/ring').catch((error) => {
      throw nodeFailure(source.id, error);
    }));
  const partitions = field(ring, 'partitions');
  const entry = Array.isArray(partitions) ? partitions.find((candidate) => field(candidate, 'index') === partition) : undefined;
  const preference = field(entry, 'preference');
  if (!Array.isArray(preference) || preference.length === 0 || !preference.every((id) => typeof id === 'string')) {
    throw new ConsoleError('unavailable', `${source.id} does not say which members replicate partition ${partition} (has the cluster a ring yet?)`);
  }
  return preference as string[];
}

/** Up as the source sees it, and running where the console runs the processes. */
function isUp(context: KeyContext, id: string): boolean {
  const member = context.source.status.members.find((candidate) => candidate.id === id);
  return member !== undefined && member.state !== 'down' && context.notRunning(id) === undefined;
}

/** "is not running (its process is stopped)", "is down as n1 sees it". */
function whyNotUp(context: KeyContext, id: string): string {
  const down = context.notRunning(id);
  if (down !== undefined) return down.startsWith(`${id} `) ? down.slice(id.length + 1) : down;
  return `is down as ${context.source.id} sees it`;
}

export function memberUrl(context: KeyContext, id: string): string {
  const member = context.source.status.members.find((candidate) => candidate.id === id);
  if (member === undefined) fail('not_found', `${id} is not a member of the cluster`);
  return nodeBaseUrl(member.http);
}

// ── The runs the members remember ─────────────────────────────────────────────────────────

/** Every member's recent runs, manual and background, merged newest first; members that could not be read are named. */
export async function antiEntropyRuns(context: KeyContext): Promise<AntiEntropyRuns> {
  const readings = await Promise.all(
    context.source.status.members.map(async ({ id }): Promise<{ runs: AntiEntropyRunView[] } | { problem: NodeProblem }> => {
      const down = context.notRunning(id);
      if (down !== undefined) return { problem: { node: id, message: down } };
      try {
        return { runs: await readRuns(context, id, memberUrl(context, id)) };
      } catch (error) {
        return { problem: { node: id, message: runsFailure(id, error).message } };
      }
    }),
  );
  const runs: AntiEntropyRunView[] = [];
  const unreachable: NodeProblem[] = [];
  for (const reading of readings) {
    if ('runs' in reading) runs.push(...reading.runs);
    else unreachable.push(reading.problem);
  }
  runs.sort((a, b) => b.startedAt - a.startedAt || b.finishedAt - a.finishedAt || a.node.localeCompare(b.node, 'en', { numeric: true }));
  return { runs: runs.slice(0, antiEntropyRunsListedMax), unreachable };
}

/** GET /v1/admin/anti-entropy/runs on one member, each run checked. */
async function readRuns(context: KeyContext, node: string, url: string): Promise<AntiEntropyRunView[]> {
  const answer = await context.http.send('GET', url, runsPath, { bytesMax: antiEntropyAnswerBytesMax });
  if (answer.status !== 200) throw answeredError(url, answer.status, answer.body);
  const runs = field(answer.body, 'runs');
  if (!Array.isArray(runs)) throw shapeError(node, 'list of anti-entropy runs');
  return runs.map((run) => runView(node, run));
}

/** A node that predates the run list says so plainly; any other failure as nodeFailure says it. */
function runsFailure(node: string, error: unknown): ConsoleError {
  const failure = nodeFailure(node, error);
  if (failure.code === 'not_found' && failure.message.includes('no route')) {
    return new ConsoleError('unavailable', `${node} keeps no list of anti-entropy runs (its API has no GET ${runsPath})`, { cause: error });
  }
  return failure;
}

// ── Answers in shape ──────────────────────────────────────────────────────────────────────

/** A node's run (POST answer, or one of its list) as the console's view, every field checked. */
function runView(node: string, value: unknown): AntiEntropyRunView {
  const bad = () => shapeError(node, 'anti-entropy report');
  const runId = field(value, 'runId');
  const trigger = field(value, 'trigger');
  const startedAt = field(value, 'startedAt');
  const finishedAt = field(value, 'finishedAt');
  const figures = ['partitionsCompared', 'segmentsDiffering', 'keysRepaired', 'bytesSent'].map((name) => field(value, name));
  if (typeof runId !== 'string' || (trigger !== 'manual' && trigger !== 'background') || !isAmount(startedAt) || !isAmount(finishedAt) || !figures.every(isCount)) {
    throw bad();
  }
  const [partitionsCompared, segmentsDiffering, keysRepaired, bytesSent] = figures as number[];
  const exchanges = listOf(field(value, 'exchanges'), (entry) => exchangeOf(entry), bad);
  const repairedKeys = listOf(field(value, 'repairedKeys'), (entry) => repairedKeyOf(entry), bad);
  const run: AntiEntropyRunView = {
    node,
    runId,
    trigger,
    startedAt,
    finishedAt,
    partitionsCompared,
    segmentsDiffering,
    keysRepaired,
    bytesSent,
    exchanges,
    exchangesOmitted: countOr0(field(value, 'exchangesOmitted')),
    repairedKeys,
    repairedKeysOmitted: countOr0(field(value, 'repairedKeysOmitted')),
  };
  const peer = field(value, 'peer');
  const partition = field(value, 'partition');
  const error = field(value, 'error');
  if (typeof peer === 'string') run.peer = peer;
  if (isCount(partition)) run.partition = partition;
  if (typeof error === 'string' && error !== '') run.error = error;
  const failed = field(value, 'peersFailed');
  if (Array.isArray(failed) && failed.length > 0) {
    const listed = failed.flatMap((entry) => {
      const peer = field(entry, 'peer');
      const message = field(entry, 'error');
      return typeof peer === 'string' && typeof message === 'string' ? [{ peer, error: message }] : [];
    });
    if (listed.length > 0) run.peersFailed = listed;
  }
  return run;
}

function exchangeOf(value: unknown): ExchangeSummary | undefined {
  const partition = field(value, 'partition');
  const peer = field(value, 'peer');
  const segmentsDiffering = field(value, 'segmentsDiffering');
  const keysRepaired = field(value, 'keysRepaired');
  const bytesSent = field(value, 'bytesSent');
  if (!isCount(partition) || typeof peer !== 'string' || !isCount(segmentsDiffering) || !isCount(keysRepaired) || !isCount(bytesSent)) return undefined;
  return { partition, peer, segmentsDiffering, keysRepaired, bytesSent };
}

const behindSides: ReadonlySet<unknown> = new Set(['local', 'peer', 'both']);

function repairedKeyOf(value: unknown): RepairedKey | undefined {
  const bucket = field(value, 'bucket');
  const key = field(value, 'key');
  const partition = field(value, 'partition');
  const peer = field(value, 'peer');
  const behind = field(value, 'behind');
  const versions = field(value, 'versions');
  if (typeof bucket !== 'string' || typeof key !== 'string' || !isCount(partition) || typeof peer !== 'string' || !behindSides.has(behind)) return undefined;
  const local = sideOf(field(versions, 'local'));
  const remote = sideOf(field(versions, 'peer'));
  if (local === null || remote === null) return undefined;
  const sides: RepairedKey['versions'] = {};
  if (local !== undefined) sides.local = local;
  if (remote !== undefined) sides.peer = remote;
  return { bucket, key, partition, peer, behind: behind as RepairedKey['behind'], versions: sides };
}

/** A repaired side; undefined when absent, null when malformed. */
function sideOf(value: unknown): RepairedSide | undefined | null {
  if (value === undefined) return undefined;
  const before = field(value, 'before');
  const after = field(value, 'after');
  if (!Array.isArray(before) || !Array.isArray(after)) return null;
  const summaries = (list: unknown[]) => list.map(versionOf);
  const sides = { before: summaries(before), after: summaries(after) };
  if (sides.before.includes(undefined) || sides.after.includes(undefined)) return null;
  return sides as RepairedSide;
}

function versionOf(value: unknown): VersionSummary | undefined {
  const dot = field(value, 'dot');
  const dotNode = field(dot, 'node');
  const counter = field(dot, 'counter');
  const clock = field(value, 'clock');
  const size = field(value, 'size');
  if (typeof dotNode !== 'string' || !isCount(counter) || !isCount(size)) return undefined;
  if (typeof clock !== 'object' || clock === null || Array.isArray(clock) || !Object.values(clock).every(isCount)) return undefined;
  return { dot: { node: dotNode, counter }, clock: { ...(clock as Record<string, number>) }, deleted: field(value, 'deleted') === true, size };
}

/** Every entry of a list read by `read`; the whole answer is malformed when one entry is. */
function listOf<T>(value: unknown, read: (entry: unknown) => T | undefined, bad: () => Error): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad();
  return value.map((entry) => {
    const checked = read(entry);
    if (checked === undefined) throw bad();
    return checked;
  });
}

function countOr0(value: unknown): number {
  return isCount(value) ? value : 0;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

