// Request traces across the cluster (AdminApi.listTraces, trace, traceRequest) over the nodes'
// HTTP API (CONTRACT.md: GET /v1/admin/traces, GET /v1/admin/traces/{id}, the X-Dynamo-Trace
// header). Each node keeps the traces of the requests it coordinated (core/node/tracing.ts), so a
// listing asks every member and merges; a trace is read from the member that keeps it; a traced
// request is an ordinary data request with X-Dynamo-Trace: 1, whose answer names its trace. A
// put sent to a node outside the key's preference list is forwarded, and the coordinator keeps
// its own trace of it: that one is read too. Every node answer is checked before use
// (core/admin/trace-shape.ts).

import type {
  NodeProblem,
  TraceJson,
  TraceListing,
  TraceListingPage,
  TraceListQuery,
  TraceOp,
  TraceRequest,
  TraceRequestResult,
  TraceView,
} from '../admin/admin-api.js';
import { traceJsonProblem, traceSummaryProblem } from '../admin/trace-shape.js';
import { ConsoleError } from './errors.js';
import { keyPath, type KeyContext } from './key-reader.js';
import { keyAnswerBytesMax, nodeActionTimeoutMs } from './limits.js';
import { field, header, shapeError } from './node-answer.js';
import { answeredError, nodeBaseUrl, nodeFailure, type NodeAnswer, type SendOptions } from './node-http.js';

const traceHeader = 'x-dynamo-trace';
const traceIdHeader = 'x-dynamo-trace-id';
const contextHeader = 'x-dynamo-context';
/** Traces a listing shows when the query names no limit. */
export const traceListLimitDefault = 50;
/** What a traced PUT's value is sent as when the request names no content type (the form's value is text). */
const textContentType = 'text/plain; charset=utf-8';
/** Characters of a node's error message a summary keeps. */
const summaryMessageCharsMax = 200;

interface Member {
  id: string;
  url: string;
}

// ── Listing ───────────────────────────────────────────────────────────────────────────────

/**
 * Trace summaries of one member (query.node) or of every member, merged: newest first, or
 * slowest first (unanswered last), cut to the limit. Every member whose process is running is
 * asked, whatever state gossip gives it: a node isolated from its peers is `down` to them, yet
 * answers the console and keeps the traces of what it coordinated meanwhile. A member that cannot
 * be read is named in `unreachable` with the reason.
 */
export async function listTraces(context: KeyContext, query: TraceListQuery): Promise<TraceListingPage> {
  const limit = query.limit ?? traceListLimitDefault;
  const members = query.node === undefined ? context.source.status.members.map((member) => memberAt(member)) : [memberOf(context, query.node, false)];
  const unreachable: NodeProblem[] = [];
  const lists = await Promise.all(
    members.map(async (member): Promise<TraceListing[]> => {
      const down = context.notRunning(member.id);
      if (down !== undefined) {
        unreachable.push({ node: member.id, message: down });
        return [];
      }
      try {
        return await memberTraces(context, member, query, limit);
      } catch (error) {
        unreachable.push({ node: member.id, message: nodeFailure(member.id, error).message });
        return [];
      }
    }),
  );
  unreachable.sort((a, b) => a.node.localeCompare(b.node, 'en', { numeric: true }));
  return { traces: mergeListings(lists.flat(), query.slowest === true).slice(0, limit), unreachable };
}

/** The query string of GET /v1/admin/traces: the filter, the order and the limit. */
export function traceQueryString(query: TraceListQuery, limit: number): string {
  const params = new URLSearchParams();
  if (query.op !== undefined) params.set('op', query.op);
  if (query.bucket !== undefined) params.set('bucket', query.bucket);
  if (query.key !== undefined) params.set('key', query.key);
  if (query.slowest === true) params.set('slowest', '1');
  params.set('limit', String(limit));
  return `?${params.toString()}`;
}

/**
 * Listings of several members as one: newest first (by the start time each node gives), or
 * slowest first with unanswered ones last and equally slow ones newest first. Node clocks are
 * not synchronised, so "newest" across nodes is as good as their clocks.
 */
export function mergeListings(listings: readonly TraceListing[], slowest: boolean): TraceListing[] {
  const newestFirst = (a: TraceListing, b: TraceListing) => b.startedAt - a.startedAt || a.node.localeCompare(b.node) || b.id.localeCompare(a.id);
  const sorted = [...listings];
  if (slowest) sorted.sort((a, b) => (b.durationMs ?? -1) - (a.durationMs ?? -1) || newestFirst(a, b));
  else sorted.sort(newestFirst);
  return sorted;
}

async function memberTraces(context: KeyContext, member: Member, query: TraceListQuery, limit: number): Promise<TraceListing[]> {
  const answer = await context.http.send('GET', member.url, `/v1/admin/traces${traceQueryString(query, limit)}`);
  if (answer.status !== 200) throw noTraces(member.id, answer);
  const traces = field(answer.body, 'traces');
  if (!Array.isArray(traces)) throw shapeError(member.id, 'trace list', 'traces must be a list');
  return traces.map((summary, i) => {
    const problem = traceSummaryProblem(summary);
    if (problem !== undefined) throw shapeError(member.id, 'trace list', `traces[${i}]: ${problem}`);
    const { id, op, bucket, key, startedAt, durationMs, status, messages } = summary as TraceListing;
    return { id, node: member.id, op, bucket, key, startedAt, durationMs, status, messages };
  });
}

// ── One trace ─────────────────────────────────────────────────────────────────────────────

/** The whole trace `id` from the member that keeps it. */
export async function trace(context: KeyContext, node: string, id: string): Promise<TraceView> {
  const member = memberOf(context, node, true);
  const answer = await context.http.send('GET', member.url, `/v1/admin/traces/${encodeURIComponent(id)}`).catch((error) => {
    throw nodeFailure(node, error);
  });
  if (answer.status === 404 && !answeredNoRoute(answer)) {
    throw new ConsoleError('not_found', `${node} keeps no trace ${id}: a node keeps only its most recent traces, in memory, and forgets them when it restarts`);
  }
  if (answer.status !== 200) throw noTraces(node, answer);
  const problem = traceJsonProblem(answer.body);
  if (problem !== undefined) throw shapeError(node, 'trace', problem);
  return traceView(node, answer.body as TraceJson);
}

/** The trace with the member that keeps it, field by field (anything else a node adds is left out). */
function traceView(node: string, json: TraceJson): TraceView {
  return {
    id: json.id,
    node,
    op: json.op,
    bucket: json.bucket,
    key: json.key,
    partition: json.partition,
    coordinator: json.coordinator,
    forwardedTo: json.forwardedTo,
    coordinatorTraceId: json.coordinatorTraceId,
    r: json.r,
    w: json.w,
    reason: json.reason,
    startedAt: json.startedAt,
    durationMs: json.durationMs,
    states: json.states,
    events: json.events,
    messages: json.messages,
    answer: json.answer,
    dropped: json.dropped,
  };
}

// ── A traced request ──────────────────────────────────────────────────────────────────────

/**
 * Sends the request to its member with X-Dynamo-Trace: 1 and answers with the node's status, a
 * summary of it and the trace the answer names (with the coordinator's, when the member forwarded
 * a put). An error answer (400, 404, 503 …) is a result like any other, with its trace where the
 * node kept one; only a member that cannot be reached rejects.
 */
export async function traceRequest(context: KeyContext, request: TraceRequest): Promise<TraceRequestResult> {
  const member = memberOf(context, request.node, true);
  const { method, path, options } = dataRequest(request);
  const answer = await context.http.send(method, member.url, path, options).catch((error) => {
    throw nodeFailure(request.node, error);
  });
  const result: TraceRequestResult = { status: answer.status, summary: answerSummary(request.op, answer) };
  const written = header(answer, contextHeader);
  if (written !== undefined) result.context = written;
  const traceId = header(answer, traceIdHeader);
  if (traceId === undefined) return result;
  result.trace = await trace(context, request.node, traceId).catch((error: unknown) => {
    const failure = nodeFailure(request.node, error);
    throw new ConsoleError(failure.code, `${request.node} answered ${result.summary}, but its trace ${traceId} could not be read: ${failure.message}`, { cause: error });
  });
  const { forwardedTo, coordinatorTraceId } = result.trace;
  if (forwardedTo !== null && coordinatorTraceId !== null) {
    // The request has run and its own trace is read: a coordinator that cannot be read now
    // leaves its trace out (the page offers to read it again and says why it cannot).
    const coordinatorTrace = await trace(context, forwardedTo, coordinatorTraceId).catch(() => undefined);
    if (coordinatorTrace !== undefined) result.coordinatorTrace = coordinatorTrace;
  }
  return result;
}

/** The data request (CONTRACT.md, "Data") a TraceRequest sends: GETs ask for the sibling envelope, so siblings can be counted. */
export function dataRequest(request: TraceRequest): { method: 'GET' | 'PUT' | 'DELETE'; path: string; options: SendOptions } {
  const params = new URLSearchParams();
  const headers: Record<string, string> = { [traceHeader]: '1' };
  if (request.context !== undefined && request.context !== '') headers[contextHeader] = request.context;
  const options: SendOptions = { headers, timeoutMs: nodeActionTimeoutMs, bytesMax: keyAnswerBytesMax };
  let method: 'GET' | 'PUT' | 'DELETE';
  if (request.op === 'get') {
    method = 'GET';
    params.set('format', 'json');
    if (request.r !== undefined) params.set('r', String(request.r));
  } else {
    method = request.op === 'put' ? 'PUT' : 'DELETE';
    if (request.w !== undefined) params.set('w', String(request.w));
    if (request.dw !== undefined) params.set('dw', String(request.dw));
    if (request.op === 'put') {
      headers['content-type'] = request.contentType ?? textContentType;
      options.body = Buffer.from(request.value ?? '', 'utf8');
    }
  }
  const query = params.toString();
  return { method, path: `${keyPath('/v1/kv', request.bucket, request.key)}${query === '' ? '' : `?${query}`}`, options };
}

/**
 * What came back, in a few words after the status: "200 · 2 siblings", "404 not found",
 * "204 stored", "503 quorum: 1 of 2 acks", "400 bad_context: the context is malformed…".
 */
export function answerSummary(op: TraceOp, answer: NodeAnswer): string {
  const { status, body } = answer;
  if (status === 200 && op === 'get') {
    const siblings = field(body, 'siblings');
    if (Array.isArray(siblings)) return `200 · ${siblings.length === 1 ? '1 version' : `${siblings.length} siblings`}`;
  }
  if (status === 204) return `204 ${op === 'delete' ? 'deleted' : 'stored'}`;
  const code = field(body, 'error');
  if (status === 404 && (code === 'not_found' || op === 'get')) return header(answer, contextHeader) === undefined ? '404 not found' : '404 not found (deleted)';
  if (code === 'quorum') {
    const got = field(body, op === 'get' ? 'replies' : 'acks') ?? field(body, 'acks');
    const required = field(body, 'required');
    if (typeof got === 'number' && typeof required === 'number') return `${status} quorum: ${got} of ${required} ${op === 'get' ? 'replies' : 'acks'}`;
  }
  const message = field(body, 'message');
  const said = typeof message === 'string' && message !== '' ? `: ${message.slice(0, summaryMessageCharsMax)}` : '';
  return typeof code === 'string' ? `${status} ${code}${said}` : `${status}${said}`;
}

// ── Members and answers ───────────────────────────────────────────────────────────────────

function memberAt(member: { id: string; http: string }): Member {
  return { id: member.id, url: nodeBaseUrl(member.http) };
}

/** The member `id` as the cluster reports it; `running`: also refuse one whose process is known not to run. */
function memberOf(context: KeyContext, id: string, running: boolean): Member {
  const member = context.source.status.members.find((candidate) => candidate.id === id);
  if (member === undefined) {
    const known = context.source.status.members.map((candidate) => candidate.id).join(', ');
    throw new ConsoleError('not_found', `${id} is not a member of the cluster (its members are ${known})`);
  }
  const down = running ? context.notRunning(id) : undefined;
  if (down !== undefined) throw new ConsoleError('unavailable', down);
  return memberAt(member);
}

/** A node that predates the trace endpoints answers "no route for …". */
function answeredNoRoute(answer: NodeAnswer): boolean {
  const message = field(answer.body, 'message');
  return answer.status === 404 && typeof message === 'string' && message.startsWith('no route');
}

function noTraces(node: string, answer: NodeAnswer): ConsoleError {
  if (answeredNoRoute(answer)) return new ConsoleError('unavailable', `${node} keeps no traces: its API has no trace endpoints (it answered 404 for GET /v1/admin/traces)`);
  return nodeFailure(node, answeredError(node, answer.status, answer.body));
}

