// AdminApi calls that arrive from outside the process (the web console's POST
// /api/admin/{method}, the desktop shell's IPC): the method name and its arguments are checked
// here, at the edge, before anything reaches the console service, and every outcome is either a
// result or an AdminFailure. Both shells use this one function, so they accept exactly the same.

import {
  adminMethods,
  type AdminApi,
  type AdminFailure,
  type AdminMethod,
  type AntiEntropyTarget,
  type KeyQuery,
  type KeyWrite,
  type TraceListQuery,
  type TraceRequest,
} from '../admin/admin-api.js';
import { bucketBytesMax, contextCharsMax, keyBytesMax, valueBytesMax } from '../common/limits.js';
import { ConsoleError, toAdminFailure } from './errors.js';
import { contentTypeCharsMax, keysCursorCharsMax, keysPageLimitMax, partitionIndexMax, traceIdCharsMax, traceListLimitMax } from './limits.js';

const nodeIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const planIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Most peers one isolate names (a console hosts at most consoleNodesMax nodes; a cluster may have more). */
const isolateFromMax = 1024;

type ArgCheck = (args: unknown[]) => string | undefined;

const noArgs: ArgCheck = (args) => (args.length === 0 ? undefined : 'takes no arguments');
const oneNodeId: ArgCheck = (args) =>
  args.length === 1 && isNodeId(args[0]) ? undefined : 'takes one argument: a node id (1 to 64 letters, digits, _ . or -)';
const onePlanId: ArgCheck = (args) => (args.length === 1 && typeof args[0] === 'string' && planIdPattern.test(args[0]) ? undefined : 'takes one argument: a plan id');

/** What each method accepts. */
const argChecks: Record<AdminMethod, ArgCheck> = {
  clusterView: noArgs,
  killNode: oneNodeId,
  restartNode: oneNodeId,
  leaveNode: oneNodeId,
  healNode: oneNodeId,
  isolateNode: (args) => {
    if (args.length < 1 || args.length > 2 || !isNodeId(args[0])) return 'takes a node id and, optionally, the ids to isolate it from';
    const from = args[1];
    if (from === undefined || from === null) return undefined;
    if (!Array.isArray(from) || from.length > isolateFromMax || !from.every(isNodeId)) return 'the second argument must be a list of node ids';
    return undefined;
  },
  planJoin: noArgs,
  commitJoin: onePlanId,
  cancelJoin: onePlanId,
  listBuckets: noArgs,
  listKeys: (args) => (args.length === 1 ? keyQueryProblem(args[0]) : 'takes one argument: the query {bucket?, prefix?, siblingsOnly?, limit?, cursor?}'),
  keyDetail: (args) => (args.length === 2 ? (bucketProblem(args[0]) ?? keyProblem(args[1])) : 'takes two arguments: a bucket and a key'),
  writeKey: (args) => (args.length === 1 ? keyWriteProblem(args[0]) : 'takes one argument: the write {bucket, key, value, contentType, context?}'),
  runAntiEntropy: (args) => (args.length === 1 ? antiEntropyTargetProblem(args[0]) : 'takes one argument: the target {node?, peer?, partition?}'),
  antiEntropyRuns: noArgs,
  handoff: noArgs,
  metricsHistory: noArgs,
  listTraces: (args) => (args.length === 1 ? traceQueryProblem(args[0]) : 'takes one argument: the query {node?, op?, bucket?, key?, slowest?, limit?}'),
  trace: (args) =>
    args.length === 2 && isNodeId(args[0]) && isTraceId(args[1]) ? undefined : 'takes two arguments: the node that keeps the trace and its id',
  traceRequest: (args) => (args.length === 1 ? traceRequestProblem(args[0]) : 'takes one argument: the request {node, op, bucket, key, value?, contentType?, context?, r?, w?, dw?}'),
};

// ── Operations ──────────────────────────────────────────────────────────────────────────────

const traceOps: readonly unknown[] = ['get', 'put', 'delete'];

function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= traceIdCharsMax && /^[A-Za-z0-9_.:-]+$/.test(value);
}

function optionalNodeProblem(value: unknown, what: string): string | undefined {
  return value === undefined || isNodeId(value) ? undefined : `${what} is a node id (1 to 64 letters, digits, _ . or -)`;
}

function antiEntropyTargetProblem(value: unknown): string | undefined {
  const allowed: Array<keyof AntiEntropyTarget> = ['node', 'peer', 'partition'];
  const shape = objectProblem(value, 'the target', allowed);
  if (shape !== undefined) return shape;
  const target = value as Record<string, unknown>;
  const node = optionalNodeProblem(target.node, 'node') ?? optionalNodeProblem(target.peer, 'peer');
  if (node !== undefined) return node;
  if (target.peer !== undefined && target.node === undefined) return 'a peer needs the node that runs with it';
  if (target.partition !== undefined && !(Number.isInteger(target.partition) && (target.partition as number) >= 0 && (target.partition as number) <= partitionIndexMax)) {
    return 'a partition is a whole number from 0';
  }
  return undefined;
}

function traceQueryProblem(value: unknown): string | undefined {
  const allowed: Array<keyof TraceListQuery> = ['node', 'op', 'bucket', 'key', 'slowest', 'limit'];
  const shape = objectProblem(value, 'the query', allowed);
  if (shape !== undefined) return shape;
  const query = value as Record<string, unknown>;
  const node = optionalNodeProblem(query.node, 'node');
  if (node !== undefined) return node;
  if (query.op !== undefined && !traceOps.includes(query.op)) return 'op is get, put or delete';
  if (query.bucket !== undefined) {
    const problem = bucketProblem(query.bucket);
    if (problem !== undefined) return problem;
  }
  if (query.key !== undefined) {
    const problem = keyProblem(query.key);
    if (problem !== undefined) return problem;
  }
  if (query.slowest !== undefined && typeof query.slowest !== 'boolean') return 'slowest is true or false';
  if (query.limit !== undefined && !(Number.isInteger(query.limit) && (query.limit as number) >= 1 && (query.limit as number) <= traceListLimitMax)) {
    return `a limit is a whole number from 1 to ${traceListLimitMax}`;
  }
  return undefined;
}

function traceRequestProblem(value: unknown): string | undefined {
  const allowed: Array<keyof TraceRequest> = ['node', 'op', 'bucket', 'key', 'value', 'contentType', 'context', 'r', 'w', 'dw'];
  const shape = objectProblem(value, 'the request', allowed);
  if (shape !== undefined) return shape;
  const request = value as Record<string, unknown>;
  if (!isNodeId(request.node)) return 'node is the id of the member to send it to';
  if (!traceOps.includes(request.op)) return 'op is get, put or delete';
  const placement = bucketProblem(request.bucket) ?? keyProblem(request.key);
  if (placement !== undefined) return placement;
  if (request.value !== undefined) {
    const problem = utf8Problem(request.value, 'a value', 0, valueBytesMax);
    if (problem !== undefined) return problem;
  }
  if (request.op === 'put' && request.value === undefined) return 'a put needs a value';
  if (request.contentType !== undefined && !isContentType(request.contentType)) {
    return `a content type is 1 to ${contentTypeCharsMax} printable ASCII characters (for example text/plain)`;
  }
  if (request.context !== undefined && !isContext(request.context)) return 'a context is the opaque string a read gave';
  for (const name of ['r', 'w'] as const) {
    const quorum = request[name];
    if (quorum !== undefined && !(Number.isInteger(quorum) && (quorum as number) >= 1 && (quorum as number) <= 64)) return `${name} is a whole number from 1 to n`;
  }
  if (request.dw !== undefined) {
    if (request.op === 'get') return 'dw is for a put or a delete';
    if (!(Number.isInteger(request.dw) && (request.dw as number) >= 0 && (request.dw as number) <= 64)) return 'dw is a whole number from 0 to w';
  }
  return undefined;
}

function isContentType(value: unknown): boolean {
  return typeof value === 'string' && value.length <= contentTypeCharsMax && /^[\x21-\x7e][\x20-\x7e]*$/.test(value);
}

function isContext(value: unknown): boolean {
  return typeof value === 'string' && value.length <= contextCharsMax && /^[\x21-\x7e]*$/.test(value);
}

// ── Keys: what CONTRACT.md allows a bucket, key, value and context to be ───────────────────

/** A lone UTF-16 surrogate cannot be UTF-8 (nor percent-encoded). */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function utf8Problem(value: unknown, what: string, bytesMin: number, bytesMax: number): string | undefined {
  const range = `${what} is ${bytesMin} to ${bytesMax} bytes of UTF-8`;
  if (typeof value !== 'string' || loneSurrogate.test(value)) return range;
  const bytes = Buffer.byteLength(value, 'utf8');
  return bytes < bytesMin || bytes > bytesMax ? range : undefined;
}

function bucketProblem(value: unknown): string | undefined {
  return utf8Problem(value, 'a bucket', 1, bucketBytesMax);
}

function keyProblem(value: unknown): string | undefined {
  return utf8Problem(value, 'a key', 1, keyBytesMax);
}

/** Fields of an object argument beyond `allowed`, or a non-object: the refusal. */
function objectProblem(value: unknown, what: string, allowed: readonly string[]): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `takes ${what} as an object`;
  const extra = Object.keys(value).filter((name) => !allowed.includes(name));
  return extra.length === 0 ? undefined : `does not know ${extra.map((name) => JSON.stringify(name.slice(0, 40))).join(', ')} in ${what}`;
}

function keyQueryProblem(value: unknown): string | undefined {
  const allowed: Array<keyof KeyQuery> = ['bucket', 'prefix', 'siblingsOnly', 'limit', 'cursor'];
  const shape = objectProblem(value, 'the query', allowed);
  if (shape !== undefined) return shape;
  const query = value as Record<string, unknown>;
  if (query.bucket !== undefined) {
    const problem = bucketProblem(query.bucket);
    if (problem !== undefined) return problem;
  }
  if (query.prefix !== undefined) {
    const problem = utf8Problem(query.prefix, 'a prefix', 0, keyBytesMax);
    if (problem !== undefined) return problem;
  }
  if (query.siblingsOnly !== undefined && typeof query.siblingsOnly !== 'boolean') return 'siblingsOnly is true or false';
  if (query.limit !== undefined && !(Number.isInteger(query.limit) && (query.limit as number) >= 1 && (query.limit as number) <= keysPageLimitMax)) {
    return `a limit is a whole number from 1 to ${keysPageLimitMax}`;
  }
  if (query.cursor !== undefined && !(typeof query.cursor === 'string' && query.cursor.length <= keysCursorCharsMax && /^[\x21-\x7e]*$/.test(query.cursor))) {
    return `a cursor is the one a previous page gave (at most ${keysCursorCharsMax} printable characters)`;
  }
  return undefined;
}

function keyWriteProblem(value: unknown): string | undefined {
  const allowed: Array<keyof KeyWrite> = ['bucket', 'key', 'value', 'contentType', 'context'];
  const shape = objectProblem(value, 'the write', allowed);
  if (shape !== undefined) return shape;
  const write = value as Record<string, unknown>;
  const placement = bucketProblem(write.bucket) ?? keyProblem(write.key);
  if (placement !== undefined) return placement;
  if (typeof write.value !== 'string' || !base64.test(write.value)) return 'a value is its bytes in base64';
  const padding = write.value.endsWith('==') ? 2 : write.value.endsWith('=') ? 1 : 0;
  if ((write.value.length / 4) * 3 - padding > valueBytesMax) return `a value is at most ${valueBytesMax} bytes`;
  if (!isContentType(write.contentType)) return `a content type is 1 to ${contentTypeCharsMax} printable ASCII characters (for example text/plain)`;
  if (write.context !== undefined && !isContext(write.context)) return 'a context is the opaque string a read gave';
  return undefined;
}

export function isAdminMethod(name: unknown): name is AdminMethod {
  return typeof name === 'string' && (adminMethods as readonly string[]).includes(name);
}

/** Why `args` do not fit `method`, or undefined when they do. */
export function checkAdminArgs(method: AdminMethod, args: unknown): string | undefined {
  if (!Array.isArray(args)) return 'args must be a list';
  const problem = adminArgsProblem(method, args);
  return problem === undefined ? undefined : `${method} ${problem}`;
}

/** The refusal of `args` for `method` without the method's name ("takes two arguments: …"), or undefined. */
export function adminArgsProblem(method: AdminMethod, args: unknown[]): string | undefined {
  return argChecks[method](args);
}

/**
 * Calls `method` on `api` with `args` after checking both; resolves with the result (undefined
 * for actions) or rejects with a ConsoleError (an AdminFailure: code and message).
 */
export async function invokeAdmin(api: AdminApi, method: unknown, args: unknown): Promise<unknown> {
  if (!isAdminMethod(method)) throw new ConsoleError('bad_request', `no AdminApi method ${JSON.stringify(String(method)).slice(0, 80)}`);
  const problem = checkAdminArgs(method, args);
  if (problem !== undefined) throw new ConsoleError('bad_request', problem);
  const list = args as unknown[];
  try {
    switch (method) {
      case 'clusterView':
        return await api.clusterView();
      case 'killNode':
        return await api.killNode(list[0] as string);
      case 'restartNode':
        return await api.restartNode(list[0] as string);
      case 'leaveNode':
        return await api.leaveNode(list[0] as string);
      case 'isolateNode':
        return await api.isolateNode(list[0] as string, (list[1] ?? undefined) as string[] | undefined);
      case 'healNode':
        return await api.healNode(list[0] as string);
      case 'planJoin':
        return await api.planJoin();
      case 'commitJoin':
        return await api.commitJoin(list[0] as string);
      case 'cancelJoin':
        return await api.cancelJoin(list[0] as string);
      case 'listBuckets':
        return await api.listBuckets();
      case 'listKeys':
        return await api.listKeys(list[0] as KeyQuery);
      case 'keyDetail':
        return await api.keyDetail(list[0] as string, list[1] as string);
      case 'writeKey':
        return await api.writeKey(list[0] as KeyWrite);
      case 'runAntiEntropy':
        return await api.runAntiEntropy(list[0] as AntiEntropyTarget);
      case 'antiEntropyRuns':
        return await api.antiEntropyRuns();
      case 'handoff':
        return await api.handoff();
      case 'metricsHistory':
        return await api.metricsHistory();
      case 'listTraces':
        return await api.listTraces(list[0] as TraceListQuery);
      case 'trace':
        return await api.trace(list[0] as string, list[1] as string);
      case 'traceRequest':
        return await api.traceRequest(list[0] as TraceRequest);
    }
  } catch (error) {
    const failure: AdminFailure = toAdminFailure(error);
    throw new ConsoleError(failure.code, failure.message, { cause: error });
  }
}

function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && nodeIdPattern.test(value);
}
