// Checks that a value has the shape of a request trace (core/admin/traces.ts) before anyone
// uses it: the console service checks what a node answers (core/console/trace-reader.ts), and
// the Traces page checks a trace file the operator opens. A problem is one sentence that says
// where the value goes wrong ("messages[2].reply.kind is …"), so a wrong file or a wrong answer
// is named, not drawn half. Pure: no Node types.

import type { TraceMessageKind, TraceOp } from './traces.js';

const ops: readonly TraceOp[] = ['get', 'put', 'delete'];
const kinds: readonly TraceMessageKind[] = ['read', 'write', 'forward', 'repair'];
const replyKinds = ['version', 'not_found', 'ack', 'answer', 'timeout', 'error'] as const;
/** A node's trace ids are `<node>-<boot>-<n>`; nothing longer is a trace id (core/api/trace-routes.ts). */
const traceIdPattern = /^[A-Za-z0-9_.-]{1,128}$/;

type Fields = Record<string, unknown>;

/** What is wrong with `value` as a whole trace (GET /v1/admin/traces/{id}), or undefined when nothing is. */
export function traceJsonProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'a trace is a JSON object';
  const problem =
    idProblem(value.id, 'id') ??
    oneOf(value.op, ops, 'op') ??
    text(value.bucket, 'bucket') ??
    text(value.key, 'key') ??
    count(value.partition, 'partition') ??
    text(value.coordinator, 'coordinator') ??
    nullable(value.forwardedTo, 'forwardedTo', text) ??
    nullable(value.coordinatorTraceId, 'coordinatorTraceId', idProblem) ??
    nullable(value.r, 'r', count) ??
    nullable(value.w, 'w', count) ??
    oneOf(value.reason, ['requested', 'sampled'], 'reason') ??
    time(value.startedAt, 'startedAt') ??
    nullable(value.durationMs, 'durationMs', elapsed) ??
    list(value.states, 'states', stateProblem) ??
    list(value.events, 'events', eventProblem) ??
    list(value.messages, 'messages', messageProblem) ??
    nullable(value.answer, 'answer', answerProblem) ??
    droppedProblem(value.dropped);
  return problem;
}

/** What is wrong with `value` as a trace the console shows (a TraceJson with the `node` that keeps it). */
export function traceViewProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'a trace is a JSON object';
  return text(value.node, 'node') ?? traceJsonProblem(value);
}

/** What is wrong with `value` as one entry of GET /v1/admin/traces, or undefined. */
export function traceSummaryProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'a trace summary is a JSON object';
  return (
    idProblem(value.id, 'id') ??
    oneOf(value.op, ops, 'op') ??
    text(value.bucket, 'bucket') ??
    text(value.key, 'key') ??
    time(value.startedAt, 'startedAt') ??
    nullable(value.durationMs, 'durationMs', elapsed) ??
    nullable(value.status, 'status', text) ??
    count(value.messages, 'messages')
  );
}

// ── Parts ───────────────────────────────────────────────────────────────────────────────────

function stateProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} is not an object`;
  return text(value.state, `${at}.state`) ?? elapsed(value.atMs, `${at}.atMs`);
}

function eventProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} is not an object`;
  return text(value.type, `${at}.type`) ?? elapsed(value.atMs, `${at}.atMs`) ?? optional(value.node, `${at}.node`, text);
}

function messageProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} is not an object`;
  const problem =
    oneOf(value.kind, kinds, `${at}.kind`) ??
    text(value.node, `${at}.node`) ??
    oneOf(value.role, ['primary', 'fallback'], `${at}.role`) ??
    optional(value.hintFor, `${at}.hintFor`, text) ??
    (value.future === undefined || value.future === true ? undefined : `${at}.future must be true when present`) ??
    elapsed(value.sentAtMs, `${at}.sentAtMs`) ??
    nullable(value.answeredAtMs, `${at}.answeredAtMs`, elapsed) ??
    nullable(value.reply, `${at}.reply`, replyProblem) ??
    (typeof value.quorum === 'boolean' ? undefined : `${at}.quorum must be true or false`);
  if (problem !== undefined) return problem;
  if (value.answeredAtMs !== null && (value.answeredAtMs as number) < (value.sentAtMs as number)) return `${at} is answered before it was sent`;
  if ((value.answeredAtMs === null) !== (value.reply === null)) return `${at} must have both a reply and the time of it, or neither`;
  return undefined;
}

function replyProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} is not an object`;
  const kind = oneOf(value.kind, replyKinds, `${at}.kind`);
  if (kind !== undefined) return kind;
  switch (value.kind as (typeof replyKinds)[number]) {
    case 'version':
      return count(value.siblings, `${at}.siblings`) ?? count(value.deleted, `${at}.deleted`) ?? list(value.dots, `${at}.dots`, text);
    case 'answer':
      return text(value.status, `${at}.status`) ?? nullable(value.traceId, `${at}.traceId`, idProblem);
    case 'error':
      return text(value.code, `${at}.code`) ?? text(value.message, `${at}.message`);
    case 'ack':
      return value.durable === undefined || value.durable === true ? undefined : `${at}.durable is true when present`;
    default:
      return undefined;
  }
}

function answerProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} is not an object`;
  return text(value.status, `${at}.status`) ?? text(value.summary, `${at}.summary`) ?? elapsed(value.atMs, `${at}.atMs`);
}

function droppedProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'dropped must be an object {messages, events, states}';
  return count(value.messages, 'dropped.messages') ?? count(value.events, 'dropped.events') ?? count(value.states, 'dropped.states');
}

// ── Values ──────────────────────────────────────────────────────────────────────────────────

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, at: string): string | undefined {
  return typeof value === 'string' ? undefined : `${at} must be a string`;
}

function idProblem(value: unknown, at: string): string | undefined {
  return typeof value === 'string' && traceIdPattern.test(value) ? undefined : `${at} must be a trace id (1 to 128 letters, digits, _ . or -)`;
}

function count(value: unknown, at: string): string | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? undefined : `${at} must be a whole number from 0`;
}

/** Milliseconds since the trace began. */
function elapsed(value: unknown, at: string): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? undefined : `${at} must be a number of milliseconds from 0`;
}

/** Epoch milliseconds. */
function time(value: unknown, at: string): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? undefined : `${at} must be a time in epoch milliseconds`;
}

function oneOf(value: unknown, allowed: readonly string[], at: string): string | undefined {
  return typeof value === 'string' && allowed.includes(value) ? undefined : `${at} must be one of ${allowed.join(', ')}`;
}

function nullable(value: unknown, at: string, check: (value: unknown, at: string) => string | undefined): string | undefined {
  if (value === undefined) return `${at} is missing`;
  return value === null ? undefined : check(value, at);
}

function optional(value: unknown, at: string, check: (value: unknown, at: string) => string | undefined): string | undefined {
  return value === undefined ? undefined : check(value, at);
}

function list(value: unknown, at: string, check: (value: unknown, at: string) => string | undefined): string | undefined {
  if (!Array.isArray(value)) return `${at} must be a list`;
  for (let i = 0; i < value.length; i++) {
    const problem = check(value[i], `${at}[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
