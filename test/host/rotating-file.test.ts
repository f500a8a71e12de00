// Tests of the size-bounded log file and the node's logger on top of it: the file rotates to
// `.1` (keeping exactly one old file) before a write would pass the bound, picks up the size of a
// file it reopens, never splits a line, and drops (and counts) lines it cannot write instead of
// throwing; the logger writes JSON lines at its level to the file and warnings and errors also
// to stderr. Everything runs in-process on a temporary directory.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeLog, nodeLogFileName } from '../../core/host/node-log.js';
import { RotatingFile } from '../../core/host/rotating-file.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dynamo-log-test-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
}

describe('RotatingFile', () => {
  it('rotates to .1 before a write would pass maxBytes, keeping one old file', () => {
    // 25 lines of 10 bytes into files of at most 100 bytes: the current file holds the last
    // 10 lines at most, .1 the 10 before, and everything older is gone.
    const file = path.join(dir, 'node.log');
    const log = new RotatingFile({ path: file, maxBytes: 100 });
    for (let i = 0; i < 25; i++) log.write(`line ${String(i).padStart(4, '0')}\n`);
    log.close();
    const current = lines(file);
    const old = lines(`${file}.1`);
    expect(current).toEqual(['line 0020', 'line 0021', 'line 0022', 'line 0023', 'line 0024']);
    expect(old).toEqual(Array.from({ length: 10 }, (_, i) => `line ${String(10 + i).padStart(4, '0')}`));
    expect(readFileSync(file).length).toBeLessThanOrEqual(100);
    expect(existsSync(`${file}.2`)).toBe(false);
  });

  it('counts the size of a file it reopens, so a restart does not reset the bound', () => {
    const file = path.join(dir, 'node.log');
    writeFileSync(file, 'x'.repeat(95) + '\n');
    const log = new RotatingFile({ path: file, maxBytes: 100 });
    expect(log.bytes).toBe(96);
    log.write('after restart\n');
    log.close();
    expect(lines(file)).toEqual(['after restart']);
    expect(lines(`${file}.1`)).toEqual(['x'.repeat(95)]);
  });

  it('writes a line longer than maxBytes whole, in a file of its own', () => {
    const file = path.join(dir, 'node.log');
    const log = new RotatingFile({ path: file, maxBytes: 16 });
    log.write('short\n');
    const long = `${'y'.repeat(40)}\n`;
    log.write(long);
    log.write('next\n');
    log.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(long);
    expect(lines(file)).toEqual(['next']);
  });

  it('drops and counts lines it cannot write, telling once, and never throws', () => {
    // A directory squats on node.log.1, so every rotation fails (as a full disk or a read-only
    // file system would fail writes): lines are dropped and counted, the failure is reported
    // once, and writing resumes by itself once the obstacle is gone.
    const file = path.join(dir, 'node.log');
    mkdirSync(`${file}.1`);
    writeFileSync(path.join(`${file}.1`, 'keep'), '');
    let told = 0;
    const log = new RotatingFile({ path: file, maxBytes: 20, onFirstFailure: () => told++ });
    for (let i = 0; i < 5; i++) expect(log.write('0123456789\n')).toBe(true);
    expect(log.droppedLines).toBe(4);
    expect(told).toBe(1);
    rmSync(`${file}.1`, { recursive: true });
    log.write('back again\n');
    log.close();
    expect(lines(file)).toEqual(['back again']);
    expect(lines(`${file}.1`)).toEqual(['0123456789']);
  });
});

describe('createNodeLog', () => {
  function capture(): { text: string; write(chunk: string): void } {
    return {
      text: '',
      write(chunk: string) {
        this.text += chunk;
      },
    };
  }

  it('writes JSON lines at its level to node.log, and warnings and errors also to stderr', () => {
    const stderr = capture();
    const log = createNodeLog({ dir, nodeId: 'n1', level: 'info', stderr });
    log.logger.debug({ detail: 1 }, 'not at info');
    log.logger.info({ ringSize: 64 }, 'started');
    log.logger.warn({ peer: 'n2' }, 'peer slow');
    log.logger.error({ code: 'X' }, 'broken');
    log.close();
    const records = lines(path.join(dir, nodeLogFileName)).map((line) => JSON.parse(line));
    expect(records.map((r) => r.msg)).toEqual(['started', 'peer slow', 'broken']);
    expect(records[0]).toMatchObject({ level: 30, node: 'n1', pid: process.pid, ringSize: 64 });
    expect(typeof records[0].time).toBe('string');
    const errLines = stderr.text.split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));
    expect(errLines.map((r) => r.msg)).toEqual(['peer slow', 'broken']);
  });

  it('honours a stricter level in both places', () => {
    const stderr = capture();
    const log = createNodeLog({ dir, nodeId: 'n1', level: 'error', stderr });
    log.logger.info({}, 'quiet');
    log.logger.warn({}, 'quiet too');
    log.logger.error({}, 'loud');
    log.close();
    expect(lines(path.join(dir, nodeLogFileName)).map((line) => JSON.parse(line).msg)).toEqual(['loud']);
    expect(stderr.text).toContain('"msg":"loud"');
    expect(stderr.text).not.toContain('quiet');
  });
});
