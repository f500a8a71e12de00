// Support for the fuzz tests: how many cases to run (FUZZ_RUNS multiplies the CI default), the
// fast-check parameters that make a failure print its seed and shrunk counterexample, and a raw
// HTTP/1.1 exchange over node:net for requests undici refuses to send (bad methods, malformed
// paths and headers, duplicate headers, bodies that lie about their length).

import net from 'node:net';
import type { Parameters } from 'fast-check';

/** The CI number of cases times FUZZ_RUNS (default 1; a long run sets e.g. FUZZ_RUNS=50). */
export function fuzzRuns(ciRuns: number): number {
  const factor = Number(process.env.FUZZ_RUNS ?? '1');
  if (!Number.isFinite(factor) || factor <= 0) throw new Error(`FUZZ_RUNS must be a positive number, not ${process.env.FUZZ_RUNS}`);
  return Math.max(1, Math.round(ciRuns * factor));
}

/**
 * fast-check parameters: FUZZ_SEED (and FUZZ_PATH, to go straight to the failing case) replay
 * a reported failure, with vitest's -t naming its test; verbose so the failure message holds
 * the seed, the shrink path and the counterexample, which vitest prints.
 */
export function fuzzParameters<T>(ciRuns: number): Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  const path = process.env.FUZZ_PATH;
  return { numRuns: fuzzRuns(ciRuns), verbose: 1, endOnFailure: true, ...(seed === undefined ? {} : { seed }), ...(path === undefined ? {} : { path }) };
}

export interface RawAnswer {
  /** 0 when the server closed the connection without a status line. */
  status: number;
  headers: Map<string, string>;
  body: Buffer;
  /** Whether the server reset the connection (ECONNRESET or EPIPE while we wrote). */
  reset: boolean;
}

/** Most bytes of an answer kept (the largest answers here are a few KiB of status and ring). */
const answerBytesMax = 4 * 1024 * 1024;

/**
 * Writes `request` (complete bytes of one HTTP request, which should say Connection: close) to
 * host:port and parses what comes back once the server closes the connection; `halfClose` ends
 * our side after the request, for requests the server would otherwise wait on forever. Fails after
 * `timeoutMs` without an answer: a node that never answers is as wrong as one that crashes.
 */
export function rawHttp(host: string, port: number, request: Buffer, options: { halfClose?: boolean; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(request.subarray(0, 120).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > answerBytesMax) {
        socket.destroy();
        return;
      }
      chunks.push(chunk);
    });
    // The server may close while we still write a body it refused: the answer is what it sent.
    let reset = false;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') reset = true;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ ...parseAnswer(Buffer.concat(chunks)), reset });
    });
    socket.on('connect', () => {
      if (options.halfClose) socket.end(request);
      else socket.write(request);
    });
  });
}

function parseAnswer(bytes: Buffer): Omit<RawAnswer, 'reset'> {
  const headers = new Map<string, string>();
  // Interim answers (100 Continue to an Expect header) come before the final one.
  for (let interim = 0; interim < 8 && /^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 16).toString('latin1')); interim++) {
    const headEnd = bytes.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    bytes = bytes.subarray(headEnd + 4);
  }
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers, body: Buffer.alloc(0) };
  const head = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head[0])?.[1] ?? 0);
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = bytes.subarray(end + 4);
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
  return { status, headers, body };
}

function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  // Bounded: every pass consumes at least the chunk-size line.
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const length = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(length) || length === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + length));
    at = lineEnd + 2 + length + 2;
  }
  return Buffer.concat(parts);
}

/** host and port of "http://127.0.0.1:8001" or "127.0.0.1:7001". */
export function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.replace(/^http:\/\//, '').split(':');
  return { host, port: Number(port) };
}
