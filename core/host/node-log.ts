// A node process's structured log (CONTRACT.md, `--log-level`): pino writes one JSON object a
// line to <dir>/node.log, rotated by size (rotating-file.ts, nodeLogBytesMax), and warnings and
// errors also to stderr, where an operator watching `cluster start` sees them. The node gets it
// as core/common's `Log`; pino stays here, in the process entry, and never reaches the node.

import os from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../common/log.js';
import { nodeLogBytesMax } from './limits.js';
import { RotatingFile } from './rotating-file.js';

/** The log file's name inside a node's data directory; the previous one is `node.log.1`. */
export const nodeLogFileName = 'node.log';

export interface NodeLogOptions {
  /** The node's data directory; the log is <dir>/node.log. */
  dir: string;
  /** The node's id, on every record. */
  nodeId: string;
  /** The least severe level written; info by default. */
  level?: LogLevel;
  /** Rotation size; nodeLogBytesMax by default (tests make it small). */
  maxBytes?: number;
  /** Where warnings and errors also go; the process's stderr by default. */
  stderr?: { write(chunk: string): unknown };
}

/** A node's logger and the file under it. */
export interface NodeLog {
  /** A pino logger; it satisfies core/common's `Log`. */
  logger: Logger;
  file: RotatingFile;
  /** Closes the file (records are written synchronously, so nothing is waiting). */
  close(): void;
}

export function createNodeLog(options: NodeLogOptions): NodeLog {
  const level = options.level ?? 'info';
  const stderr = options.stderr ?? process.stderr;
  const file = new RotatingFile({
    path: path.join(options.dir, nodeLogFileName),
    maxBytes: options.maxBytes ?? nodeLogBytesMax,
    onFirstFailure: (error) => {
      stderr.write(`node ${options.nodeId}: cannot write ${nodeLogFileName} (${(error as Error).message}); dropping log lines\n`);
    },
  });
  const streams = pino.multistream([
    { level, stream: file },
    // Never below the logger's own level: with --log-level error, warnings go nowhere.
    { level: level === 'error' ? 'error' : 'warn', stream: stderr },
  ]);
  const logger = pino(
    {
      level,
      base: { node: options.nodeId, pid: process.pid, hostname: os.hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    streams,
  );
  return { logger, file, close: () => file.close() };
}
