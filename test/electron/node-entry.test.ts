// Proves the real node entry (core/host/node-main.ts) runs both ways the supervisor starts it:
// under a utilityProcess, where it takes its port from process.parentPort and speaks comlink
// over that port, and as a forked child_process over IPC. Electron cannot run here, so its
// utilityProcess is played by a real child forked from fixtures/utility-child.ts: that child
// installs a parentPort and carries the MessagePortMain over its IPC channel; the launcher side
// is the real UtilityProcess with its MessageChannelMain port. Each case starts a one-node
// cluster (LevelDB, TCP, HTTP), reads /v1/status from it, and stops it cleanly.

import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeProcessLauncher } from '../../core/host/node-launcher.js';
import type { NodeProcessConfig } from '../../core/host/node-process-api.js';
import type { MessagePortLike } from '../../core/host/process-endpoint.js';
import {
  utilityProcessSpawner,
  type UtilityElectron,
  type UtilityForkOptions,
  type UtilityProcessLike,
} from '../../electron/utility-process-launcher.js';

const nodeMain = fileURLToPath(new URL('../../core/host/node-main.ts', import.meta.url));
const utilityChild = fileURLToPath(new URL('./fixtures/utility-child.ts', import.meta.url));

/** One end of an in-memory MessageChannelMain; `forward` sends what arrives to another process. */
class LinkedPort extends EventEmitter implements MessagePortLike {
  peer!: LinkedPort;
  forward: ((data: unknown) => void) | undefined;
  private readonly queue: unknown[] = [];
  private started = false;
  private closed = false;

  postMessage(data: unknown): void {
    if (!this.closed) this.peer.receive(structuredClone(data));
  }

  receive(data: unknown): void {
    if (this.forward !== undefined) this.forward(data);
    else if (this.started) setImmediate(() => this.emit('message', { data, ports: [] }));
    else this.queue.push(data);
  }

  start(): void {
    this.started = true;
    for (const data of this.queue.splice(0)) setImmediate(() => this.emit('message', { data, ports: [] }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = this.peer.closed = true;
    setImmediate(() => {
      this.emit('close');
      this.peer.emit('close');
    });
  }
}

/** Electron's utilityProcess, played by a forked child running utility-child.ts. */
class ForkedUtilityProcess extends EventEmitter implements UtilityProcessLike {
  readonly child: ChildProcess;
  portMessages = 0;
  private port: LinkedPort | undefined;

  constructor(modulePath: string, args: string[], options: UtilityForkOptions) {
    super();
    this.child = fork(utilityChild, args, {
      execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
      env: { ...options.env, UTILITY_ENTRY: modulePath },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.child.on('spawn', () => this.emit('spawn'));
    this.child.on('message', (message: { kind: string; data: unknown }) => {
      if (message.kind !== 'port') return;
      this.portMessages++;
      this.port?.postMessage(message.data);
    });
    this.child.on('disconnect', () => this.port?.close());
    // Electron reports a code only; a signal shows as 128 + its number, as a shell would.
    this.child.on('exit', (code, signal) => this.emit('exit', code ?? (signal === 'SIGKILL' ? 137 : 143)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  postMessage(message: unknown, transfer: MessagePortLike[] = []): void {
    const port = transfer[0] as LinkedPort | undefined;
    if (port !== undefined) {
      this.port = port;
      port.forward = (data) => this.child.connected && this.child.send({ kind: 'port', data });
    }
    this.child.send({ kind: 'parent', data: message, port: port !== undefined });
  }

  kill(): boolean {
    return this.child.kill('SIGTERM');
  }
}

function forkedElectron(): UtilityElectron & { forks: ForkedUtilityProcess[] } {
  const forks: ForkedUtilityProcess[] = [];
  return {
    forks,
    app: new EventEmitter(),
    utilityProcess: {
      fork(modulePath, args = [], options = {}) {
        const child = new ForkedUtilityProcess(modulePath, args, options);
        forks.push(child);
        return child;
      },
    },
    MessageChannelMain: class {
      readonly port1 = new LinkedPort();
      readonly port2 = new LinkedPort();
      constructor() {
        this.port1.peer = this.port2;
        this.port2.peer = this.port1;
      }
    },
  };
}

const dirs: string[] = [];
const launchers: NodeProcessLauncher[] = [];

afterEach(async () => {
  for (const launcher of launchers.splice(0)) if (launcher.exit === undefined) await launcher.stop(5_000).catch(() => undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function singleNode(): NodeProcessConfig {
  const dir = mkdtempSync(path.join(tmpdir(), 'dynamo-electron-node-'));
  dirs.push(dir);
  return {
    id: 'n1',
    dir,
    host: '127.0.0.1',
    httpPort: 0,
    peerPort: 0,
    seeds: [],
    ringSize: 64,
    n: 1,
    r: 1,
    w: 1,
    hintedHandoff: true,
    allowFaultInjection: false,
    clusterSecret: 'electron-test-secret',
    weight: 1,
    logLevel: 'warn',
  };
}

async function status(http: string): Promise<{ id: string; pid: number }> {
  const response = await fetch(`${http}/v1/status`);
  return (await response.json()) as { id: string; pid: number };
}

describe('the node entry', () => {
  it('runs under a utilityProcess, speaking comlink over the port it gets on process.parentPort', async () => {
    const electron = forkedElectron();
    const launcher = new NodeProcessLauncher({
      entry: nodeMain,
      execArgv: [],
      config: singleNode(),
      spawn: utilityProcessSpawner(electron),
      launchTimeoutMs: 30_000,
    });
    launchers.push(launcher);

    const info = await launcher.launch();
    const answer = await status(info.http);
    const exit = await launcher.stop(10_000);

    expect(answer).toEqual(expect.objectContaining({ id: 'n1', pid: launcher.pid }));
    expect(info.pid).toBe(electron.forks[0].pid);
    // 'ready', start's answer, stop's answer: all of it came over the port.
    expect(electron.forks[0].portMessages).toBeGreaterThanOrEqual(3);
    expect(exit).toMatchObject({ reason: 'stopped', code: 0 });
  });

  it('still runs as a forked child_process over IPC', async () => {
    const launcher = new NodeProcessLauncher({
      entry: nodeMain,
      execArgv: ['--import', 'tsx'],
      config: singleNode(),
      launchTimeoutMs: 30_000,
    });
    launchers.push(launcher);

    const info = await launcher.launch();
    const answer = await status(info.http);
    const exit = await launcher.stop(10_000);

    expect(answer).toEqual(expect.objectContaining({ id: 'n1', pid: launcher.pid }));
    expect(exit).toMatchObject({ reason: 'stopped', code: 0 });
  });
});
