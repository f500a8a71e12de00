// `bench:compare --baseline <git ref>`: an earlier commit of this repository, built in a git
// worktree of its own and started beside the current tree in the same run, so that a change
// proves its worth against the code it replaces on the same machine, the same day.
//
// The baseline's cluster is started through its own command line (`dynamo cluster start`, a
// contract every commit keeps) and measured through its HTTP API, so the bench needs nothing
// else from the old code. The worktree (under the system's temporary directory, named by the
// commit) is kept for the next run; its dependencies are the current tree's node_modules, linked,
// which holds as long as the two commits' package.json agree on the runtime dependencies (the
// bench warns when they differ).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCluster } from './dynamo-target.js';
import { freeBasePort } from './ports.js';

/** The repository this bench belongs to (dist/bench/ or bench/ → the root). */
const repo = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../' : '../', import.meta.url));

const readyTimeoutMs = 120_000;
const stopTimeoutMs = 20_000;

export interface Baseline {
  /** The commit, abbreviated: how the report names it. */
  label: string;
  /** The worktree holding its build. */
  dir: string;
}

function git(args: string[], cwd = repo): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Checks `ref` out in a worktree of its own and builds its node program (kept between runs: a
 * second run of the same commit starts at once). Throws with a sentence when the ref is unknown
 * or its build fails.
 */
export function prepareBaseline(ref: string, log: (line: string) => void): Baseline {
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--baseline ${ref}: not a commit of this repository`);
  }
  const label = commit.slice(0, 10);
  const dir = path.join(os.tmpdir(), `dynamo-desk-baseline-${commit}`);
  const built = path.join(dir, 'dist', 'core', 'cli', 'main.js');
  if (!existsSync(built)) {
    log(`building the baseline ${label} in ${dir}`);
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      git(['worktree', 'prune']);
    }
    git(['worktree', 'add', '--detach', dir, commit]);
    symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    try {
      execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      const output = String((error as { stdout?: Buffer }).stdout ?? '').slice(0, 2000);
      throw new Error(`--baseline ${ref}: its build failed:\n${output}`);
    }
  }
  const dependencies = (root: string) => JSON.stringify((JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: unknown }).dependencies ?? {});
  if (dependencies(dir) !== dependencies(repo)) {
    log(`warning: the baseline ${label} lists other runtime dependencies than this tree; it runs with this tree's node_modules`);
  }
  return { label, dir };
}

/** Starts a 3-node cluster (or `nodes`) of the baseline's code through its `dynamo cluster start`. */
export async function startBaselineCluster(
  baseline: Baseline,
  options: { nodes: number; ringSize: number; n: number; r: number; w: number; parentDir?: string; history?: number; traceSample?: number },
): Promise<BenchCluster> {
  const dir = mkdtempSync(path.join(options.parentDir ?? os.tmpdir(), 'dynamo-bench-baseline-'));
  // One block for the nodes' HTTP and peer ports (two found one by one could overlap).
  const basePort = await freeBasePort(2 * options.nodes);
  const peerBasePort = basePort + options.nodes;
  const args = [
    path.join(baseline.dir, 'bin', 'dynamo.js'),
    'cluster',
    'start',
    ...['--nodes', String(options.nodes), '--dir', dir, '--base-port', String(basePort), '--peer-base-port', String(peerBasePort)],
    ...['--ring-size', String(options.ringSize), '--n', String(options.n), '--r', String(options.r), '--w', String(options.w)],
    // Only when given: a baseline older than these flags starts without them.
    ...(options.history === undefined ? [] : ['--history', String(options.history)]),
    ...(options.traceSample === undefined ? [] : ['--trace-sample', String(options.traceSample)]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: baseline.dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), stopTimeoutMs);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the baseline cluster was not ready in ${readyTimeoutMs / 1000} s:\n${output}`)), readyTimeoutMs);
      const check = () => {
        if (!/^cluster ready$/m.test(output)) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the baseline cluster exited with ${code} before it was ready:\n${output}`));
      });
    });
    const endpoints = [...output.matchAll(/^n\d+ (http:\/\/\S+)$/gm)].map((match) => match[1]);
    if (endpoints.length !== options.nodes) throw new Error(`the baseline cluster named ${endpoints.length} of ${options.nodes} nodes:\n${output}`);
    return { endpoints, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
