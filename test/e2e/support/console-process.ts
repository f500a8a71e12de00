// Starts the built `dynamo` for a browser test, on free ports (the machine is shared: fixed
// ports would collide): `dynamo console` with a local cluster, or `dynamo cluster start` for a
// console to attach to. Waits for the line that says it serves, and stops it (SIGTERM stops its
// nodes cleanly; a process that hangs is killed with its process group).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeBasePort } from '../../../bench/ports.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunningProcess {
  /** The address from its ready line (the console's, or the first node's). */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A base such that base+1 … base+span are all free now, below 32768 (bench/ports.ts). */
const freeBase = freeBasePort;

/** Runs `node bin/dynamo.js <args>` until `ready` matches its output (group 1: the address). */
async function startDynamo(args: string[], ready: RegExp, dir: string, timeoutMs = 90_000): Promise<RunningProcess> {
  const child: ChildProcess = spawn(process.execPath, ['bin/dynamo.js', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
      if (!stopped && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dynamo ${args[0]} was not ready in time:\n${text}`)), timeoutMs);
      const check = () => {
        const match = ready.exec(text);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`dynamo ${args[0]} exited with ${code} before it was ready:\n${text}`));
      });
    });
    return { url, output: () => text, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `dynamo console --nodes N`: a console with its own local cluster. */
export async function startConsole(options: { nodes: number }): Promise<RunningProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dynamo-e2e-'));
  // Room for the nodes plus a few that Add node starts.
  const span = options.nodes + 4;
  // One block of free ports for all three (blocks found one by one could overlap): nodes' HTTP,
  // nodes' peer listeners, then the console.
  const basePort = await freeBase(2 * span + 1);
  const peerBasePort = basePort + span;
  const consoleBase = basePort + 2 * span;
  const args = ['console', '--port', String(consoleBase + 1), '--nodes', String(options.nodes), '--dir', dir];
  args.push('--base-port', String(basePort), '--peer-base-port', String(peerBasePort));
  return startDynamo(args, /^console (http:\/\/\S+)$/m, dir);
}

/** `dynamo cluster start --nodes N`; its url is n1's. */
export async function startCluster(options: { nodes: number }): Promise<RunningProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dynamo-e2e-cluster-'));
  // One block for the nodes' HTTP and peer ports (two found one by one could overlap).
  const basePort = await freeBase(2 * options.nodes);
  const peerBasePort = basePort + options.nodes;
  const args = ['cluster', 'start', '--nodes', String(options.nodes), '--dir', dir, '--base-port', String(basePort), '--peer-base-port', String(peerBasePort)];
  // Ready once it has printed n1's address and then "cluster ready".
  return startDynamo(args, /^n1 (http:\/\/\S+)$[\s\S]*^cluster ready$/m, dir);
}

/** `dynamo console --attach URL`: a console that follows a cluster it does not run. */
export async function attachConsole(url: string): Promise<RunningProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dynamo-e2e-attach-'));
  const consoleBase = await freeBase(1);
  return startDynamo(['console', '--port', String(consoleBase + 1), '--attach', url], /^console (http:\/\/\S+)$/m, dir);
}
