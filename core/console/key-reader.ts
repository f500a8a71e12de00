// The console's keys (AdminApi.listBuckets, listKeys, keyDetail, writeKey) over the nodes' HTTP
// API (CONTRACT.md): buckets and key pages from the source node's admin listing; a key's detail
// as a quorum read (the sibling envelope), its preference list, each preference-list node's own
// copy side by side (GET /v1/admin/local, no quorum, no forwarding) with the copies that differ
// from the quorum read marked, and its bounded version history; a write as a PUT with the read's
// context followed by a quorum read of what remains. Buckets and keys are percent-encoded path
// segments. The node is not trusted to answer in shape: every answer is checked before use.

import type {
  BucketView,
  HistoryEntry,
  KeyDetail,
  KeyListing,
  KeyPage,
  KeyQuery,
  KeyRead,
  KeyWrite,
  KeyWriteResult,
  ReplicaCopy,
  VersionView,
} from '../admin/admin-api.js';
import type { SourceReading } from './cluster-reader.js';
import { ConsoleError } from './errors.js';
import { keyAnswerBytesMax, nodeActionTimeoutMs } from './limits.js';
import { field, header, isCount, shapeError } from './node-answer.js';
import { answeredError, nodeBaseUrl, nodeFailure, NodeRequestError, type NodeAnswer, type NodeHttp } from './node-http.js';

/** What a key operation needs: the HTTP client, the node the cluster is read from, and which members cannot answer. */
export interface KeyContext {
  http: NodeHttp;
  source: SourceReading;
  /** Why member `id` cannot answer (its process is not running), or undefined when it may. */
  notRunning(id: string): string | undefined;
}

const contextHeader = 'x-dynamo-context';

/** `/v1/kv/{bucket}/{key}`-style path segments, percent-encoded. */
export function keyPath(prefix: string, bucket: string, key: string): string {
  return `${prefix}/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`;
}

// ── Listing ───────────────────────────────────────────────────────────────────────────────

/** GET /v1/admin/buckets on the source node. */
export async function listBuckets(context: KeyContext): Promise<BucketView[]> {
  const { http, source } = context;
  const answer = await http.get<unknown>(source.url, '/v1/admin/buckets').catch((error) => {
    throw keysFailure(source.id, 'list buckets', error);
  });
  const buckets = field(answer, 'buckets');
  if (!Array.isArray(buckets)) throw shapeError(source.id, 'bucket list');
  return buckets.map((entry) => {
    const bucket = field(entry, 'bucket');
    const keys = field(entry, 'keys');
    const withSiblings = field(entry, 'keysWithSiblings');
    if (typeof bucket !== 'string' || !isCount(keys)) throw shapeError(source.id, 'bucket list');
    return { bucket, keys, keysWithSiblings: isCount(withSiblings) ? withSiblings : 0 };
  });
}

/** The query string of GET /v1/admin/keys for a KeyQuery. */
export function keysQueryString(query: KeyQuery): string {
  const params = new URLSearchParams();
  if (query.bucket !== undefined) params.set('bucket', query.bucket);
  if (query.prefix !== undefined && query.prefix !== '') params.set('prefix', query.prefix);
  if (query.siblingsOnly === true) params.set('siblings', 'only');
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor !== undefined) params.set('cursor', query.cursor);
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** GET /v1/admin/keys on the source node, the query passed through. */
export async function listKeys(context: KeyContext, query: KeyQuery): Promise<KeyPage> {
  const { http, source } = context;
  const answer = await http.get<unknown>(source.url, `/v1/admin/keys${keysQueryString(query)}`).catch((error) => {
    throw keysFailure(source.id, 'list keys', error);
  });
  const keys = field(answer, 'keys');
  if (!Array.isArray(keys)) throw shapeError(source.id, 'key listing');
  const listed: KeyListing[] = keys.map((entry) => {
    const bucket = field(entry, 'bucket');
    const key = field(entry, 'key');
    const siblings = field(entry, 'siblings');
    const lastModified = field(entry, 'lastModified');
    if (typeof bucket !== 'string' || typeof key !== 'string' || !isCount(siblings)) throw shapeError(source.id, 'key listing');
    return typeof lastModified === 'number' && Number.isFinite(lastModified) ? { bucket, key, siblings, lastModified } : { bucket, key, siblings };
  });
  // The listing's own filter, applied again: a node that ignored one (an older node without
  // `prefix`) still never shows the operator a key outside what was asked for.
  const page: KeyPage = { keys: listed.filter((entry) => matches(entry, query)) };
  const cursor = field(answer, 'cursor');
  if (typeof cursor === 'string' && cursor !== '') page.cursor = cursor;
  const progress = field(answer, 'progress');
  const done = field(progress, 'partitionsDone');
  const partitions = field(progress, 'partitions');
  if (isCount(done) && isCount(partitions)) page.progress = { partitionsDone: done, partitions };
  return page;
}

function matches(entry: KeyListing, query: KeyQuery): boolean {
  if (query.bucket !== undefined && entry.bucket !== query.bucket) return false;
  if (query.prefix !== undefined && !entry.key.startsWith(query.prefix)) return false;
  if (query.siblingsOnly === true && entry.siblings < 2) return false;
  return true;
}

// ── One key ───────────────────────────────────────────────────────────────────────────────

/** A quorum read of the key through the source node: GET /v1/kv/{bucket}/{key}?format=json. */
export async function readKey(context: KeyContext, bucket: string, key: string): Promise<KeyRead> {
  const { http, source } = context;
  const answer = await http
    .send('GET', source.url, `${keyPath('/v1/kv', bucket, key)}?format=json`, { timeoutMs: nodeActionTimeoutMs, bytesMax: keyAnswerBytesMax })
    .catch((error) => {
      throw nodeFailure(source.id, error);
    });
  return keyRead(source.id, bucket, key, answer);
}

/** The sibling envelope (200) or a 404 (a tombstone's context in its header, when known) as a KeyRead. */
function keyRead(node: string, bucket: string, key: string, answer: NodeAnswer): KeyRead {
  if (answer.status === 404) {
    const tombstone = header(answer, contextHeader);
    return tombstone === undefined ? { bucket, key, found: false, versions: [] } : { bucket, key, found: false, context: tombstone, versions: [] };
  }
  if (answer.status !== 200 && answer.status !== 300) throw nodeFailure(node, answeredError(node, answer.status, answer.body));
  const versions = envelopeVersions(node, answer.body);
  const context = field(answer.body, 'context');
  if (typeof context !== 'string') throw shapeError(node, 'sibling envelope');
  return { bucket, key, found: versions.some((version) => !version.deleted), context, versions };
}

/** The versions of a sibling envelope, numbered from 1. */
function envelopeVersions(node: string, envelope: unknown): VersionView[] {
  const siblings = field(envelope, 'siblings');
  if (!Array.isArray(siblings)) throw shapeError(node, 'sibling envelope');
  return siblings.map((sibling, i) => {
    const value = field(sibling, 'value');
    const contentType = field(sibling, 'contentType');
    const dot = dotOf(field(sibling, 'dot'));
    const clock = clockOf(field(sibling, 'clock'));
    const lastModified = field(sibling, 'lastModified');
    if (typeof value !== 'string' || typeof contentType !== 'string' || dot === undefined || clock === undefined || typeof lastModified !== 'string') {
      throw shapeError(node, 'sibling envelope');
    }
    const past = pastOf(field(sibling, 'past'), clock, dot);
    return { index: i + 1, value, contentType, clock, dot, past, lastModified, deleted: field(sibling, 'deleted') === true };
  });
}

/** Everything the key page shows: the quorum read, placement, every replica's copy and the history. */
export async function keyDetail(context: KeyContext, bucket: string, key: string): Promise<KeyDetail> {
  const { http, source } = context;
  const [read, placement, hints, history] = await Promise.all([
    readKey(context, bucket, key),
    http.get<unknown>(source.url, keyPath('/v1/admin/preference', bucket, key)).catch((error) => {
      throw nodeFailure(source.id, error);
    }),
    hintsHeld(context),
    readHistory(context, bucket, key),
  ]);
  const partition = field(placement, 'partition');
  const preference = field(placement, 'preference');
  if (!isCount(partition) || !Array.isArray(preference) || !preference.every((id) => typeof id === 'string')) throw shapeError(source.id, 'preference list');
  const replicas = await Promise.all(preference.map((id) => readReplica(context, id, bucket, key, read)));
  const notes = [...hintNotes(hints, preference), ...history.notes];
  const detail: KeyDetail = { read, partition, preference, replicas, history: history.entries };
  if (notes.length > 0) detail.notes = notes;
  return detail;
}

/** One preference-list node's own copy (GET /v1/admin/local), marked when it differs from the read. */
async function readReplica(context: KeyContext, node: string, bucket: string, key: string, read: KeyRead): Promise<ReplicaCopy> {
  const copy: ReplicaCopy = { node, role: 'primary', versions: [], differs: false };
  const down = context.notRunning(node);
  if (down !== undefined) return { ...copy, error: down };
  const member = context.source.status.members.find((candidate) => candidate.id === node);
  if (member === undefined) return { ...copy, error: `${node} is not a member the cluster reports` };
  try {
    const answer = await context.http.send('GET', nodeBaseUrl(member.http), keyPath('/v1/admin/local', bucket, key), { bytesMax: keyAnswerBytesMax });
    const versions = answer.status === 404 ? [] : keyRead(node, bucket, key, answer).versions;
    return { ...copy, versions, differs: !sameVersions(versions, read.versions) };
  } catch (error) {
    return { ...copy, error: nodeFailure(node, error).message };
  }
}

/** Whether two sets of versions hold the same writes: a dot names one write, so equal dots mean equal versions. */
export function sameVersions(a: readonly VersionView[], b: readonly VersionView[]): boolean {
  const dots = (versions: readonly VersionView[]) => new Set(versions.map((version) => `${version.dot.node}\u0000${version.dot.counter}`));
  const left = dots(a);
  const right = dots(b);
  return left.size === right.size && [...left].every((dot) => right.has(dot));
}

interface HintHolding {
  node: string;
  byTarget: Record<string, number>;
}

/** GET /v1/admin/hints on every member that may answer; a member that does not is left out. */
async function hintsHeld(context: KeyContext): Promise<HintHolding[]> {
  const held = await Promise.all(
    context.source.status.members.map(async (member): Promise<HintHolding | undefined> => {
      if (context.notRunning(member.id) !== undefined) return undefined;
      const answer = await context.http.get<unknown>(nodeBaseUrl(member.http), '/v1/admin/hints').catch(() => undefined);
      const byTarget = field(answer, 'byTarget');
      if (typeof byTarget !== 'object' || byTarget === null) return undefined;
      const counts = Object.fromEntries(Object.entries(byTarget).filter(([, count]) => isCount(count) && count > 0)) as Record<string, number>;
      return { node: member.id, byTarget: counts };
    }),
  );
  return held.filter((holding): holding is HintHolding => holding !== undefined);
}

/**
 * Members that hold hints for one of the key's preference-list nodes may hold a copy of this key
 * for it. A node offers no endpoint that reads one hinted copy, so they are named, not shown.
 */
export function hintNotes(held: readonly HintHolding[], preference: readonly string[]): string[] {
  const notes: string[] = [];
  for (const holding of held) {
    for (const target of preference) {
      const count = holding.byTarget[target] ?? 0;
      if (count === 0 || holding.node === target) continue;
      notes.push(
        `${holding.node} holds ${count} ${count === 1 ? 'hint' : 'hints'} for ${target}, possibly a copy of this key; ` +
          'a hinted copy cannot be read (no node endpoint gives one), so only the preference list’s own copies are shown.',
      );
    }
  }
  return notes;
}

/** GET /v1/admin/history/{bucket}/{key}; a node without it leaves the history empty and says so. */
async function readHistory(context: KeyContext, bucket: string, key: string): Promise<{ entries: HistoryEntry[]; notes: string[] }> {
  const { http, source } = context;
  let answer: NodeAnswer;
  try {
    answer = await http.send('GET', source.url, keyPath('/v1/admin/history', bucket, key));
  } catch (error) {
    return { entries: [], notes: [`The version history could not be read: ${nodeFailure(source.id, error).message}.`] };
  }
  if (answer.status === 404) {
    const message = field(answer.body, 'message');
    // "no route for GET …": the node predates the history endpoint. Any other 404: no history.
    const missing = typeof message === 'string' && message.startsWith('no route');
    return { entries: [], notes: missing ? [`${source.id} does not serve version histories (GET /v1/admin/history answered 404).`] : [] };
  }
  if (answer.status !== 200) {
    const failure = nodeFailure(source.id, answeredError(source.id, answer.status, answer.body));
    return { entries: [], notes: [`The version history could not be read: ${failure.message}.`] };
  }
  const versions = field(answer.body, 'versions');
  if (!Array.isArray(versions)) return { entries: [], notes: [`${source.id} answered a version history of an unexpected shape.`] };
  const entries: HistoryEntry[] = [];
  for (const version of versions) {
    const dot = dotOf(field(version, 'dot'));
    const clock = clockOf(field(version, 'clock'));
    const node = field(version, 'node');
    const lastModified = field(version, 'lastModified');
    const size = field(version, 'size');
    const hash = field(version, 'hash');
    if (dot === undefined || clock === undefined || typeof lastModified !== 'string' || !isCount(size)) continue;
    entries.push({
      dot,
      clock,
      past: pastOf(field(version, 'past'), clock, dot),
      node: typeof node === 'string' ? node : dot.node,
      lastModified,
      size,
      hash: typeof hash === 'string' ? hash : '',
      deleted: field(version, 'deleted') === true,
      current: field(version, 'current') === true,
    });
  }
  const skipped = versions.length - entries.length;
  return { entries, notes: skipped > 0 ? [`${skipped} history ${skipped === 1 ? 'entry' : 'entries'} of an unexpected shape left out.`] : [] };
}

// ── Writing ───────────────────────────────────────────────────────────────────────────────

/** PUT /v1/kv/{bucket}/{key} with the context and content type, then a quorum read of what remains. */
export async function writeKey(context: KeyContext, write: KeyWrite): Promise<KeyWriteResult> {
  const { http, source } = context;
  const headers: Record<string, string> = { 'content-type': write.contentType };
  if (write.context !== undefined && write.context !== '') headers[contextHeader] = write.context;
  const answer = await http
    .send('PUT', source.url, keyPath('/v1/kv', write.bucket, write.key), { headers, body: Buffer.from(write.value, 'base64'), timeoutMs: nodeActionTimeoutMs })
    .catch((error) => {
      throw nodeFailure(source.id, error);
    });
  if (answer.status !== 204 && answer.status !== 200) throw nodeFailure(source.id, answeredError(source.id, answer.status, answer.body));
  const after = await readKey(context, write.bucket, write.key);
  return { after, raced: after.versions.length > 1 };
}

// ── Answers in shape ──────────────────────────────────────────────────────────────────────

function dotOf(value: unknown): { node: string; counter: number } | undefined {
  const node = field(value, 'node');
  const counter = field(value, 'counter');
  return typeof node === 'string' && isCount(counter) ? { node, counter } : undefined;
}

function clockOf(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  return entries.every(([, counter]) => isCount(counter)) ? Object.fromEntries(entries) : undefined;
}

/**
 * A version's past as the node gives it; from a node that gives none, its clock without its own
 * dot (the dot's entry one lower), which is the same whenever its writer had seen that node's
 * previous write.
 */
function pastOf(given: unknown, clock: Record<string, number>, dot: { node: string; counter: number }): Record<string, number> {
  const past = clockOf(given);
  if (past !== undefined) return past;
  const derived = { ...clock };
  if (dot.counter <= 1) delete derived[dot.node];
  else derived[dot.node] = dot.counter - 1;
  return derived;
}

/** A listing the node refused; one whose node predates the endpoint ("no route for …") says so plainly. */
function keysFailure(node: string, what: string, error: unknown): ConsoleError {
  if (error instanceof NodeRequestError && error.status === 404 && error.message.startsWith('no route')) {
    return new ConsoleError('unavailable', `${node} cannot ${what}: its API has no such endpoint (${error.message})`, { cause: error });
  }
  return nodeFailure(node, error);
}
