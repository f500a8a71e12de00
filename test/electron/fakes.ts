// Fakes of the Electron pieces the desktop shell uses, for tests that must not import
// 'electron': a MessagePortMain over Node's worker_threads MessageChannel (same structured
// clone, Electron's `{data, ports}` events, queued until start()), a utilityProcess whose
// "child" runs in this process, and an app that emits 'child-process-gone'.

import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import type { NodeInfo } from '../../core/node/config.js';
import { exitEventType, readyEventType, type NodeProcessApi } from '../../core/host/node-process-api.js';
import {
  childEndpoint,
  messagePortChannel,
  onParentEvent,
  receiveMessagePort,
  sendProcessEvent,
  type MessagePortLike,
  type PortMessageEvent,
} from '../../core/host/process-endpoint.js';
import type {
  ChildProcessGoneDetails,
  UtilityElectron,
  UtilityForkOptions,
  UtilityProcessLike,
} from '../../electron/utility-process-launcher.js';

/** Electron's MessagePortMain, played by one end of a worker_threads MessageChannel. */
export class FakePort extends EventEmitter implements MessagePortLike {
  private started = false;

  constructor(private readonly port: MessagePort) {
    super();
    port.on('close', () => this.emit('close'));
  }

  postMessage(message: unknown): void {
    this.port.postMessage(message);
  }

  /** Like MessagePortMain, nothing is delivered before start(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.port.on('message', (data: unknown) => this.emit('message', { data, ports: [] } satisfies PortMessageEvent));
  }

  close(): void {
    this.port.close();
  }
}

export function fakeChannel(): { port1: FakePort; port2: FakePort } {
  const { port1, port2 } = new MessageChannel();
  return { port1: new FakePort(port1), port2: new FakePort(port2) };
}

let nextPid = 40_000;

/** A utilityProcess whose child side is played by the test (see `runFakeNode`). */
export class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  pid: number | undefined;
  /** What the child's `process.parentPort` would receive. */
  readonly parentPort = new EventEmitter();
  readonly posted: Array<{ message: unknown; transfer: MessagePortLike[] }> = [];
  killCalls = 0;
  private ended = false;

  constructor(
    private readonly electron: FakeElectron,
    readonly modulePath: string,
    readonly args: string[],
    readonly options: UtilityForkOptions,
  ) {
    super();
  }

  /** The port the parent sent, once it has. */
  get childPort(): MessagePortLike | undefined {
    return this.posted.find((post) => post.transfer.length > 0)?.transfer[0];
  }

  postMessage(message: unknown, transfer: MessagePortLike[] = []): void {
    this.posted.push({ message, transfer });
    setImmediate(() => this.parentPort.emit('message', { data: message, ports: transfer }));
  }

  /** Electron's kill: the fake ends with `killExitCode` and, if given, a 'killed' gone event. */
  kill(): boolean {
    if (this.ended) return false;
    this.killCalls++;
    if (this.electron.killIgnored) return true;
    setImmediate(() => this.end(15, 'killed'));
    return true;
  }

  spawned(): void {
    this.pid = nextPid++;
    this.emit('spawn');
  }

  /**
   * Ends the process as Electron reports it: its port closes, 'exit' comes with `code`, and a
   * `gone` reason comes on app's 'child-process-gone' (before or after 'exit', as asked).
   */
  end(code: number, gone?: string, order: 'gone-first' | 'exit-first' = 'exit-first'): void {
    if (this.ended) return;
    this.ended = true;
    this.childPort?.close();
    const details: ChildProcessGoneDetails | undefined =
      gone === undefined ? undefined : { type: 'Utility', reason: gone, exitCode: code, name: this.options.serviceName };
    if (details !== undefined && order === 'gone-first') this.electron.app.emit('child-process-gone', {}, details);
    this.emit('exit', code);
    this.pid = undefined;
    if (details !== undefined && order === 'exit-first') setImmediate(() => this.electron.app.emit('child-process-gone', {}, details));
  }
}

/** The Electron module as the launcher sees it, with every fork recorded. */
export class FakeElectron implements UtilityElectron {
  readonly app = new EventEmitter();
  readonly forks: FakeUtilityProcess[] = [];
  /** When set, fork throws this (a launch that fails at once). */
  forkError: Error | undefined;
  /** When set, kill() does nothing (a process that will not die). */
  killIgnored = false;
  /** Called with every new process (a test starts its child side here). */
  onFork: ((process: FakeUtilityProcess) => void) | undefined;

  readonly utilityProcess = {
    fork: (modulePath: string, args: string[] = [], options: UtilityForkOptions = {}): FakeUtilityProcess => {
      if (this.forkError !== undefined) throw this.forkError;
      const child = new FakeUtilityProcess(this, modulePath, args, options);
      this.forks.push(child);
      this.onFork?.(child);
      return child;
    },
  };

  readonly MessageChannelMain = class {
    readonly port1: FakePort;
    readonly port2: FakePort;
    constructor() {
      ({ port1: this.port1, port2: this.port2 } = fakeChannel());
    }
  };
}

/** A node API for the in-process child: start answers with the process's (fake) pid. */
export interface FakeNodeApi extends NodeProcessApi {
  echo(bytes: Uint8Array): Promise<Uint8Array>;
}

/**
 * Plays a node entry inside the fake utility process, as node-main.ts does under Electron: the
 * port from the first parent-port message, comlink over it, 'ready', and exit (code 0) on the
 * parent's 'exit' event.
 */
export function runFakeNode(child: FakeUtilityProcess, options: { spawn?: boolean } = {}): void {
  if (options.spawn !== false) setImmediate(() => child.spawned());
  void receiveMessagePort(child.parentPort).then((port) => {
    const channel = messagePortChannel(port);
    const api: FakeNodeApi = {
      async start(config): Promise<NodeInfo> {
        return { id: config.id, pid: child.pid ?? -1, http: '127.0.0.1:1', peer: '127.0.0.1:2' };
      },
      async stop() {},
      async echo(bytes) {
        return bytes;
      },
    };
    Comlink.expose(api, childEndpoint(channel));
    onParentEvent((event) => {
      if (event.type === exitEventType) setImmediate(() => child.end(0));
    }, channel);
    sendProcessEvent({ type: readyEventType }, channel);
  });
}
