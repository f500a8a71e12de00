// Reading a node's answer without trusting its shape (the console's readers: key-reader.ts,
// operations-reader.ts, handoff-reader.ts, trace-reader.ts): a field of an object or nothing,
// the checks every figure gets, a response header, and the failure a malformed answer becomes.

import { ConsoleError } from './errors.js';
import type { NodeAnswer } from './node-http.js';

/** `value[name]` when `value` is a plain object; undefined otherwise. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[name] : undefined;
}

/** A whole number from 0 (counts, indexes). */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** A non-negative finite number (times, ages, rates). */
export function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The first value of a response header, or undefined when it is absent or empty. */
export function header(answer: NodeAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** "n2 answered a bucket list of an unexpected shape" (with what was wrong, when known). */
export function shapeError(node: string, what: string, problem?: string): ConsoleError {
  return new ConsoleError('internal', `${node} answered ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} of an unexpected shape${problem === undefined ? '' : ` (${problem})`}`);
}
