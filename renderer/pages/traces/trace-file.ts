// Trace files: the page exports the trace it shows as JSON (a TraceView, as AdminApi.trace gives
// it) and opens one again, or a trace saved from a node (GET /v1/admin/traces/{id}, which lacks
// the `node` field: the node that kept it is its coordinator). A file is checked strictly
// (core/admin/trace-shape.ts) and a wrong one is named with what is wrong. Pure.

import type { TraceView } from '../../../core/admin/admin-api.js';
import { traceJsonProblem, traceViewProblem } from '../../../core/admin/trace-shape.js';

/** A trace of traceMessagesMax messages is a few hundred KiB at most; a file past this is not one. */
export const traceFileBytesMax = 8 * 1024 * 1024;

/** The exported file's text: the trace as indented JSON. */
export function traceFileText(trace: TraceView): string {
  return `${JSON.stringify(trace, null, 2)}\n`;
}

/** "trace-n1-n1-k3f9-12.json". */
export function traceFileName(trace: TraceView): string {
  return `trace-${trace.node}-${trace.id}.json`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export type ParsedTraceFile = { ok: true; trace: TraceView } | { ok: false; problem: string };

/** A file's text as a trace, or the sentence that says why it is not one. */
export function parseTraceFile(name: string, size: number, text: string): ParsedTraceFile {
  if (size > traceFileBytesMax) return { ok: false, problem: `${name} is ${formatBytes(size)}: a trace file is at most ${formatBytes(traceFileBytesMax)}` };
  if (text.trim() === '') return { ok: false, problem: `${name} is empty` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${name} is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('node' in value)) {
    // A node's own answer: the trace of the node that coordinated (or forwarded) the request.
    const problem = traceJsonProblem(value);
    if (problem !== undefined) return { ok: false, problem: `${name} is not a request trace: ${problem}` };
    const json = value as Omit<TraceView, 'node'>;
    return { ok: true, trace: { ...json, node: json.coordinator } };
  }
  const problem = traceViewProblem(value);
  if (problem !== undefined) return { ok: false, problem: `${name} is not a request trace: ${problem}` };
  return { ok: true, trace: value as TraceView };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
