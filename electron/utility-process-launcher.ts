// Runs one node in an Electron utilityProcess, in VS Code's manner
// (src/vs/platform/utilityProcess/electron-main/utilityProcess.ts): a small class with a typed
// configuration, crash reasons as a union, `waitForExit(maxWaitMs)` that kills on time-out, and
// one MessageChannelMain port per process, its other end sent to the child over the
// utilityProcess's own channel. The class implements core/host's ProcessHandle and
// `utilityProcessSpawner` its ProcessSpawner, so the node launcher, the supervisor and the
// console service run unchanged over it: comlink runs over the port through core's
// `messagePortChannel`, which maps MessagePortMain's `{data, ports}` events to messages.
//
// Electron itself is injected (`UtilityElectron`: the few functions used), so that only main.ts
// imports 'electron' and the tests pass fakes.

import {
  messagePortChannel,
  type MessagePortLike,
  type ParentChannel,
} from '../core/host/process-endpoint.js';
import type {
  ProcessExit,
  ProcessHandle,
  ProcessSpawner,
  ProcessStdio,
  SpawnOptions,
} from '../core/host/process-handle.js';
import { OnceEvent } from '../core/host/once-event.js';
import { exitReasonWaitMs, exitSettleMs } from './limits.js';

/** Why a utility process ended, when it did not exit cleanly. */
export type UtilityCrashReason = 'crashed' | 'oom' | 'launch-failed' | 'killed';

/** How a utility process ended. */
export interface UtilityProcessExit {
  pid: number | undefined;
  /** The exit code Electron reports; null when the process never started. */
  code: number | null;
  reason: 'clean-exit' | UtilityCrashReason;
  /** What went wrong, when something is known (a failed fork, a fatal V8 error). */
  error?: string;
}

/** What one utility process runs. */
export interface UtilityProcessConfiguration {
  /** Groups processes of one kind; the service name is `<type>-<n>`. */
  readonly type: string;
  /** The JavaScript entry (an ES module is fine: Electron loads it with Node's ESM loader). */
  readonly entryPoint: string;
  readonly args?: string[];
  readonly execArgv?: string[];
  /** Added to `baseEnv` (the main process's environment unless given). */
  readonly env?: Record<string, string>;
  readonly baseEnv?: Record<string, string | undefined>;
  readonly stdio?: ProcessStdio;
  readonly cwd?: string;
}

// ---- Electron, as far as this module uses it (structurally; main.ts passes the real one).

export interface UtilityForkOptions {
  env?: Record<string, string>;
  execArgv?: string[];
  cwd?: string;
  stdio?: Array<'pipe' | 'ignore' | 'inherit'>;
  serviceName?: string;
}

export interface UtilityProcessLike {
  readonly pid: number | undefined;
  postMessage(message: unknown, transfer?: MessagePortLike[]): void;
  kill(): boolean;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (type: string, location: string, report: string) => void): unknown;
}

/** `app`'s 'child-process-gone' details (Electron's `Details`). */
export interface ChildProcessGoneDetails {
  type: string;
  reason: string;
  exitCode: number;
  name?: string;
  serviceName?: string;
}

type GoneListener = (event: unknown, details: ChildProcessGoneDetails) => void;

export interface UtilityElectron {
  utilityProcess: { fork(modulePath: string, args?: string[], options?: UtilityForkOptions): UtilityProcessLike };
  MessageChannelMain: new () => { port1: MessagePortLike; port2: MessagePortLike };
  app: {
    on(event: 'child-process-gone', listener: GoneListener): unknown;
    off(event: 'child-process-gone', listener: GoneListener): unknown;
  };
}

/** The first message on the utility process's own channel: it carries the node's port. */
export const connectMessage = { type: 'dynamo:port' } as const;

export class UtilityProcess implements ProcessHandle {
  private static idCounter = 0;

  /** The name Electron gives the process in its metrics and in 'child-process-gone'. */
  readonly serviceName: string;
  private process: UtilityProcessLike | undefined;
  private port: MessagePortLike | undefined;
  private channel: ParentChannel | undefined;
  private spawnedPid: number | undefined;
  private exitCode: number | undefined;
  private portClosed = false;
  private gone: ChildProcessGoneDetails | undefined;
  private fatalError: string | undefined;
  private launchError: string | undefined;
  /** The signal our own kill asked for: Electron reports no signals, so we remember it. */
  private killedWith: NodeJS.Signals | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly exitedEvent = new OnceEvent<UtilityProcessExit>();
  private readonly onGone: GoneListener = (_event, details) => {
    if (details.type !== 'Utility' || (details.name !== this.serviceName && details.serviceName !== this.serviceName)) return;
    this.gone = details;
    this.scheduleSettle();
  };

  constructor(
    private readonly electron: UtilityElectron,
    readonly configuration: UtilityProcessConfiguration,
  ) {
    this.serviceName = `${configuration.type}-${++UtilityProcess.idCounter}`;
  }

  get pid(): number | undefined {
    return this.spawnedPid ?? this.process?.pid;
  }

  /** Set once the process ended (and its port closed). */
  get exit(): UtilityProcessExit | undefined {
    return this.exitedEvent.value;
  }

  /**
   * Forks the process and sends it its port. Returns false when it could not be forked; the
   * exit (`launch-failed`) is then reported asynchronously, as a child process reports it.
   */
  start(): boolean {
    if (this.process !== undefined || this.exitedEvent.value !== undefined) throw new Error(`${this.serviceName}: already started`);
    const { entryPoint, args, execArgv, cwd } = this.configuration;
    const stdio = this.configuration.stdio ?? 'inherit';
    this.electron.app.on('child-process-gone', this.onGone);
    let child: UtilityProcessLike;
    try {
      child = this.electron.utilityProcess.fork(entryPoint, args ?? [], {
        serviceName: this.serviceName,
        env: this.environment(),
        execArgv: execArgv ?? [],
        cwd,
        // Electron supports only 'ignore' for stdin.
        stdio: ['ignore', stdio, stdio],
      });
    } catch (error) {
      this.launchError = error instanceof Error ? error.message : String(error);
      queueMicrotask(() => this.finish());
      return false;
    }
    this.process = child;
    child.on('spawn', () => {
      this.spawnedPid = child.pid;
    });
    child.on('error', (type, location) => {
      this.fatalError = `${type} at ${location}`;
    });
    child.on('exit', (code) => {
      this.exitCode = code;
      this.scheduleSettle();
    });

    // One channel per process: port1 stays here, port2 goes to the child with the first message.
    const { port1, port2 } = new this.electron.MessageChannelMain();
    this.port = port1;
    this.channel = messagePortChannel(port1);
    this.channel.onDisconnect(() => {
      this.portClosed = true;
      this.scheduleSettle();
    });
    child.postMessage(connectMessage, [port2]);
    return true;
  }

  send(message: unknown): boolean {
    if (this.exitedEvent.value !== undefined || this.channel === undefined) return false;
    return this.channel.send(message);
  }

  onMessage(listener: (message: unknown) => void): () => void {
    if (this.channel === undefined) return () => {};
    return this.channel.onMessage(listener);
  }

  /** ProcessHandle's exit: after the process ended and its port closed. */
  onExit(listener: (exit: ProcessExit) => void): () => void {
    return this.onDidExit((exit) => listener(this.processExit(exit)));
  }

  /** Like `onExit`, with the utility process's own account of the exit. */
  onDidExit(listener: (exit: UtilityProcessExit) => void): () => void {
    return this.exitedEvent.listen(listener);
  }


  /**
   * Ends the process. Electron terminates a utility process one way only (SIGTERM on POSIX,
   * then reaps it), whatever signal is asked for; the signal is remembered for the exit report.
   */
  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.process === undefined || this.exitedEvent.value !== undefined) return false;
    const killed = this.process.kill();
    if (killed) this.killedWith ??= signal;
    return killed;
  }

  /** Resolves once the process has ended; kills it if it has not within `maxWaitMs`. */
  waitForExit(maxWaitMs: number): Promise<UtilityProcessExit> {
    if (this.exitedEvent.value !== undefined) return Promise.resolve(this.exitedEvent.value);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.kill('SIGKILL'), maxWaitMs);
      this.onDidExit((exit) => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  }

  /**
   * Electron announces the end of a process in up to three ways and in no fixed order: the
   * process's 'exit', the port's 'close' (after every message the child sent), and app's
   * 'child-process-gone' (which says why). The exit is settled once the process exited and its
   * port closed (and, for an abnormal exit, Electron said why or `exitReasonWaitMs` passed), or
   * `exitSettleMs` after the latest sign when the rest does not come (a port that never closes).
   */
  private scheduleSettle(): void {
    // A closed port alone proves nothing about the process: only 'exit' or Electron's word do.
    if (this.exitedEvent.value !== undefined || (this.exitCode === undefined && this.gone === undefined)) return;
    clearTimeout(this.settleTimer);
    const complete = this.exitCode !== undefined && this.portClosed;
    // Complete, an abnormal end still waits a moment for 'child-process-gone' to say why.
    const explained = this.gone !== undefined || this.exitCode === 0 || this.killedWith !== undefined;
    this.settleTimer = setTimeout(() => this.finish(), complete ? (explained ? 0 : exitReasonWaitMs) : exitSettleMs);
  }

  private finish(): void {
    if (this.exitedEvent.value !== undefined) return;
    clearTimeout(this.settleTimer);
    this.electron.app.off('child-process-gone', this.onGone);
    this.port?.close();
    const exit: UtilityProcessExit = {
      pid: this.pid,
      code: this.exitCode ?? (this.launchError === undefined ? (this.gone?.exitCode ?? null) : null),
      reason: this.crashReason(),
    };
    const error = this.launchError ?? this.fatalError ?? goneError(this.gone);
    if (error !== undefined) exit.error = error;
    this.exitedEvent.fire(exit);
  }

  private crashReason(): UtilityProcessExit['reason'] {
    if (this.launchError !== undefined) return 'launch-failed';
    if (this.killedWith !== undefined) return 'killed';
    switch (this.gone?.reason) {
      case 'oom':
      case 'memory-eviction':
        return 'oom';
      case 'launch-failed':
        return 'launch-failed';
      case 'killed':
        return 'killed';
      case 'crashed':
      case 'abnormal-exit':
      case 'integrity-failure':
        return 'crashed';
    }
    // V8's heap exhaustion is a fatal error ("Reached heap limit", "Allocation failed").
    if (this.fatalError !== undefined && /heap|allocation|out of memory/i.test(this.fatalError)) return 'oom';
    if (this.fatalError !== undefined) return 'crashed';
    return this.exitCode === 0 ? 'clean-exit' : 'crashed';
  }

  /**
   * The exit as core/host's launcher reads it: Electron's reasons become `oom` and `error`, and
   * a kill of ours reports the signal it asked for (so a stop's SIGTERM counts as a stop).
   */
  private processExit(exit: UtilityProcessExit): ProcessExit {
    const processExit: ProcessExit = { code: exit.code, signal: exit.reason === 'killed' ? (this.killedWith ?? 'SIGKILL') : null };
    if (exit.reason === 'oom') processExit.oom = true;
    if (exit.reason === 'launch-failed') processExit.error = new Error(exit.error ?? 'the utility process failed to launch');
    return processExit;
  }

  private environment(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.configuration.baseEnv ?? process.env)) {
      if (value !== undefined) env[key] = value;
    }
    return { ...env, ...this.configuration.env };
  }
}

/** A ProcessSpawner that starts each node in a utility process of `type` (one port each). */
export function utilityProcessSpawner(electron: UtilityElectron, type = 'dynamo-node'): ProcessSpawner {
  return (options: SpawnOptions): ProcessHandle => {
    const utility = new UtilityProcess(electron, {
      type,
      entryPoint: options.entry,
      args: options.args,
      execArgv: options.execArgv,
      env: options.env,
      stdio: options.stdio,
      cwd: options.cwd,
    });
    utility.start();
    return utility;
  };
}

function goneError(gone: ChildProcessGoneDetails | undefined): string | undefined {
  if (gone === undefined || gone.reason === 'clean-exit') return undefined;
  return `Electron reports '${gone.reason}' (exit code ${gone.exitCode})`;
}
