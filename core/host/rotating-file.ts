// A log file bounded in size: lines are appended to `path` until the next one would take it past
// `maxBytes`; then `path` is renamed to `path.1` (replacing the previous old file) and a new
// `path` begins. So a node's logs never take more than about twice `maxBytes` on disk, and the
// most recent records are always there to read.
//
// Writes are synchronous (fs.writeSync): a record is on its way to disk before the call
// returns, so the last lines before a crash are not lost in a buffer, and rotation needs no
// coordination with writes in flight. A node logs events (membership, transfers, repairs), not
// requests, so the cost stays far from the request path. A log must never take a node down: a
// write that fails (disk full, file removed) is dropped and counted, and the next write tries
// again with a freshly opened file.

import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { assert } from '../common/assert.js';

export interface RotatingFileOptions {
  /** The current file; the previous one is `${path}.1`. */
  path: string;
  /** Size past which the file is rotated; at least one line is always written to a new file. */
  maxBytes: number;
  /** Told once about the first failed write (a node passes a note to stderr). */
  onFirstFailure?: (error: unknown) => void;
}

/** A pino destination (it only needs `write`) that rotates by size. */
export class RotatingFile {
  private fd: number | undefined;
  private size = 0;
  private failures = 0;

  constructor(private readonly options: RotatingFileOptions) {
    assert(Number.isInteger(options.maxBytes) && options.maxBytes > 0, 'RotatingFile: maxBytes must be a positive integer');
    this.open();
  }

  /** Lines that could not be written (counted, never thrown). */
  get droppedLines(): number {
    return this.failures;
  }

  /** The current file's size in bytes, as far as this writer knows. */
  get bytes(): number {
    return this.size;
  }

  /** Appends `chunk` (one or more whole lines), rotating first when it would not fit. */
  write(chunk: string | Uint8Array): boolean {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    try {
      if (this.fd === undefined) this.open();
      if (this.size > 0 && this.size + bytes.length > this.options.maxBytes) this.rotate();
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd!, bytes, written, bytes.length - written);
      this.size += bytes.length;
    } catch (error) {
      if (this.failures === 0) this.options.onFirstFailure?.(error);
      this.failures++;
      this.closeQuietly();
    }
    return true;
  }

  /** Closes the file; a later write opens it again. */
  close(): void {
    this.closeQuietly();
  }

  private open(): void {
    this.fd = openSync(this.options.path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.closeQuietly();
    renameSync(this.options.path, `${this.options.path}.1`);
    this.open();
  }

  private closeQuietly(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Already closed or gone: nothing is left to release.
    }
  }
}
