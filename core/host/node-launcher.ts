// Launches one node in its own OS process and sees it to its end (DESIGN.md rule 3), the way
// VS Code launches a utility process: a small class with a typed configuration, exit reasons
// as a union, and `waitForExit(maxWaitMs)` that kills on time-out. One launcher runs one
// process once; a restart is a new launcher. The process itself comes from a `ProcessSpawner`
// (child_process by default), so an Electron utilityProcess adapter can stand in for it.

import * as Comlink from 'comlink';
import { CodedError, errorText } from '../common/coded-error.js';
import type { NodeInfo } from '../node/config.js';
import { launchAbandonWaitMs, nodeLaunchTimeoutMs, nodeStopWaitMs } from './limits.js';
import { OnceEvent } from './once-event.js';
import { exitEventType, readyEventType, type NodeProcessApi, type NodeProcessConfig } from './node-process-api.js';
import {
  onProcessEvent,
  parentEndpoint,
  sendChildEvent,
  type ProcessEndpoint,
} from './process-endpoint.js';
import {
  describeProcessExit,
  forkNodeProcess,
  type ProcessExit,
  type ProcessHandle,
  type ProcessSpawner,
  type ProcessStdio,
} from './process-handle.js';

/**
 * Why a node process ended.
 * - `stopped`: it exited cleanly after `stop()`.
 * - `killed`: `kill()` ended it, or `stop()`/`waitForExit()` killed it on time-out.
 * - `crashed`: it ended on its own (an uncaught error, a signal from outside).
 * - `oom`: it ran out of memory (V8 aborts on heap exhaustion; see `exitReason`).
 * - `launch-failed`: it ended before it was up: the entry failed to load, `start` threw, or
 *   the launch timed out.
 */
export type ExitReason = 'stopped' | CrashReason;
/** The exits that were not a clean stop. */
export type CrashReason = 'killed' | 'crashed' | 'oom' | 'launch-failed';

/** How a node process ended, and why. */
export interface ExitInfo {
  reason: ExitReason;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What went wrong, when something did (a launch error, a failed stop). */
  error?: string;
}

/** Everything a launcher needs to run one node. */
export interface NodeLauncherConfiguration {
  /** Path of the node entry (`dist/core/host/node-main.js`, or a `.ts` file with a loader). */
  entry: string;
  /** Runtime flags for the process, e.g. `['--import', 'tsx']`. */
  execArgv?: string[];
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  config: NodeProcessConfig;
  stdio?: ProcessStdio;
  /** How long forking, loading and `start` may take together; nodeLaunchTimeoutMs by default. */
  launchTimeoutMs?: number;
  /** Starts the process; `forkNodeProcess` unless an Electron adapter is given. */
  spawn?: ProcessSpawner;
}

/** What the supervisor needs from a launcher; `NodeProcessLauncher` is the real one. */
export interface NodeLauncher<Api extends NodeProcessApi = NodeProcessApi> {
  readonly nodeId: string;
  readonly pid: number | undefined;
  /** Set once `launch()` resolved. */
  readonly info: NodeInfo | undefined;
  /** Set once the process ended. */
  readonly exit: ExitInfo | undefined;
  /** The node's API; calls reject with a `PROCESS_EXITED` error once the process is gone. */
  readonly api: Comlink.Remote<Api>;
  launch(): Promise<NodeInfo>;
  stop(maxWaitMs?: number): Promise<ExitInfo>;
  kill(signal?: NodeJS.Signals): boolean;
  waitForExit(maxWaitMs: number): Promise<ExitInfo>;
  onExit(listener: (exit: ExitInfo) => void): () => void;
}

/** A launch that did not bring the node up (`LAUNCH_FAILED`); `exit` says how its process ended. */
export class NodeLaunchError extends CodedError<'LAUNCH_FAILED'> {
  override name = 'NodeLaunchError';
  constructor(
    readonly nodeId: string,
    readonly exit: ExitInfo | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('LAUNCH_FAILED', message, options);
  }
}

type Phase = 'idle' | 'launching' | 'running' | 'exited';

export class NodeProcessLauncher<Api extends NodeProcessApi = NodeProcessApi> implements NodeLauncher<Api> {
  private readonly spawn: ProcessSpawner;
  private phase: Phase = 'idle';
  /** Whether the child announced 'ready' (it then listens for process events). */
  private ready = false;
  /** The last deliberate end the parent asked for; it decides how an exit is classified. */
  private intent: 'stop' | 'kill' | undefined;
  private handle: ProcessHandle | undefined;
  private endpoint: ProcessEndpoint | undefined;
  private remote: Comlink.Remote<Api> | undefined;
  private startedInfo: NodeInfo | undefined;
  private readonly exitedEvent = new OnceEvent<ExitInfo>();
  private failure: string | undefined;
  private resolveExited!: (exit: ExitInfo) => void;
  private readonly exited = new Promise<ExitInfo>((resolve) => {
    this.resolveExited = resolve;
  });

  constructor(private readonly configuration: NodeLauncherConfiguration) {
    this.spawn = configuration.spawn ?? forkNodeProcess;
  }

  get nodeId(): string {
    return this.configuration.config.id;
  }

  get pid(): number | undefined {
    return this.handle?.pid;
  }

  get info(): NodeInfo | undefined {
    return this.startedInfo;
  }

  get exit(): ExitInfo | undefined {
    return this.exitedEvent.value;
  }

  get api(): Comlink.Remote<Api> {
    if (this.remote === undefined) throw new Error(`node ${this.nodeId}: not launched`);
    return this.remote;
  }

  /**
   * Forks the process, waits for its 'ready', calls `start(config)` and resolves with what the
   * node reports. On failure the process is made to exit (killed if it does not) before this
   * rejects with a `NodeLaunchError`, so a failed launch never leaves a process behind.
   */
  async launch(): Promise<NodeInfo> {
    if (this.phase !== 'idle') throw new Error(`node ${this.nodeId}: a launcher launches once`);
    this.phase = 'launching';
    const { entry, execArgv, env, stdio, config } = this.configuration;
    let handle: ProcessHandle;
    try {
      handle = this.spawn({ entry, execArgv, env, stdio });
    } catch (error) {
      const exit: ExitInfo = { reason: 'launch-failed', pid: undefined, code: null, signal: null, error: errorText(error) };
      this.settleExit(exit);
      throw new NodeLaunchError(this.nodeId, exit, `node ${this.nodeId} failed to launch: ${errorText(error)}`, {
        cause: error,
      });
    }
    this.handle = handle;
    // The endpoint subscribes to the exit first, so calls still waiting are rejected before
    // anyone learns of the exit.
    this.endpoint = parentEndpoint(handle);
    this.remote = Comlink.wrap<Api>(this.endpoint);
    const ready = new Promise<void>((resolve) => {
      const stopListening = onProcessEvent(handle, (event) => {
        if (event.type !== readyEventType) return;
        stopListening();
        this.ready = true;
        resolve();
      });
    });
    handle.onExit((exit) => this.handleExit(exit));

    const timeoutMs = this.configuration.launchTimeoutMs ?? nodeLaunchTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`launch timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    const exitedEarly = this.exited.then((exit) => {
      throw new Error(`process ended before it was up (${describeProcessExit({ code: exit.code, signal: exit.signal })})`);
    });
    try {
      await Promise.race([ready, exitedEarly, timedOut]);
      const info = await Promise.race([this.remote.start(config) as Promise<NodeInfo>, exitedEarly, timedOut]);
      this.startedInfo = info;
      this.phase = 'running';
      return info;
    } catch (error) {
      throw await this.abandonLaunch(error);
    } finally {
      clearTimeout(timer);
      // Keep the losing racers from reporting unhandled rejections.
      exitedEarly.catch(() => {});
      timedOut.catch(() => {});
    }
  }

  /**
   * Stops the node gracefully: `api.stop()`, then the process is told to exit. Whatever is
   * not done within `maxWaitMs` is cut short by SIGKILL. Resolves once the process is gone.
   */
  async stop(maxWaitMs: number = nodeStopWaitMs): Promise<ExitInfo> {
    if (this.handle === undefined) throw new Error(`node ${this.nodeId}: not launched`);
    if (this.exitedEvent.value !== undefined) return this.exitedEvent.value;
    this.intent ??= 'stop';
    const exited = this.waitForExit(maxWaitMs);
    if (this.phase === 'running') {
      // While the node is still launching its `start` may be running; stopping it then is
      // racy, so a launching process is only told to exit.
      try {
        await Promise.race([this.api.stop(), exited]);
      } catch (error) {
        this.failure = `stop failed: ${errorText(error)}`;
      }
    }
    // Before 'ready' the child is still loading its entry and hears no process events yet;
    // SIGTERM ends it just as well (Node's default handler exits).
    if (this.ready) sendChildEvent(this.handle, { type: exitEventType });
    else this.handle.kill('SIGTERM');
    return exited;
  }

  /** Sends `signal` (SIGKILL by default); the exit then counts as `killed`. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): boolean {
    if (this.handle === undefined || this.exitedEvent.value !== undefined) return false;
    this.intent = 'kill';
    return this.handle.kill(signal);
  }

  /** Resolves when the process has ended; kills it if it has not within `maxWaitMs`. */
  waitForExit(maxWaitMs: number): Promise<ExitInfo> {
    if (this.exitedEvent.value !== undefined) return Promise.resolve(this.exitedEvent.value);
    if (this.handle === undefined) return Promise.reject(new Error(`node ${this.nodeId}: not launched`));
    const timer = setTimeout(() => this.killOnTimeOut(), maxWaitMs);
    return this.exited.finally(() => clearTimeout(timer));
  }

  /** Calls `listener` once when the process ends (at once if it already has). */
  onExit(listener: (exit: ExitInfo) => void): () => void {
    return this.exitedEvent.listen(listener);
  }


  /**
   * Kills a process that did not exit in time. That counts as `killed`, except when the
   * launcher itself gives up on a failed launch: the exit then stays `launch-failed`.
   */
  private killOnTimeOut(): void {
    if (this.handle === undefined || this.exitedEvent.value !== undefined) return;
    if (this.phase !== 'launching' || this.intent !== undefined) this.intent = 'kill';
    this.handle.kill('SIGKILL');
  }

  /** Makes a process whose launch failed exit, then says why the launch failed. */
  private async abandonLaunch(cause: unknown): Promise<NodeLaunchError> {
    this.failure = errorText(cause);
    if (this.exitedEvent.value === undefined && this.handle !== undefined) {
      if (this.ready) sendChildEvent(this.handle, { type: exitEventType });
      else this.handle.kill('SIGKILL');
    }
    const exit = await this.waitForExit(launchAbandonWaitMs);
    const how = exit.reason === 'launch-failed' ? '' : ` (${exit.reason})`;
    return new NodeLaunchError(
      this.nodeId,
      exit,
      `node ${this.nodeId} failed to launch${how}: ${errorText(cause)}`,
      { cause },
    );
  }

  private handleExit(exit: ProcessExit): void {
    const info: ExitInfo = {
      reason: exitReason(exit, this.phase === 'launching', this.intent),
      pid: this.handle?.pid,
      code: exit.code,
      signal: exit.signal,
    };
    const error = exit.error?.message ?? this.failure;
    if (error !== undefined) info.error = error;
    this.settleExit(info);
  }

  private settleExit(info: ExitInfo): void {
    this.phase = 'exited';
    this.endpoint?.close();
    this.resolveExited(info);
    this.exitedEvent.fire(info);
  }
}

/**
 * Classifies an exit. A deliberate kill wins over everything; a deliberate stop counts as
 * `stopped` when the process exited cleanly (or by the SIGTERM a stop sends before 'ready').
 * V8 reports heap exhaustion by aborting, which a child process shows as SIGABRT: other fatal
 * V8 errors abort too, so for a child process `oom` is the likely cause rather than a
 * certainty (Electron reports OOM itself).
 */
export function exitReason(exit: ProcessExit, launching: boolean, intent: 'stop' | 'kill' | undefined): ExitReason {
  if (intent === 'kill') return 'killed';
  if (intent === 'stop' && (exit.code === 0 || exit.signal === 'SIGTERM')) return 'stopped';
  if (launching) return 'launch-failed';
  if (exit.oom === true || exit.signal === 'SIGABRT') return 'oom';
  return 'crashed';
}

/** Says how a node process ended: "crashed (signal SIGKILL)". */
export function describeExitInfo(exit: ExitInfo): string {
  const how = describeProcessExit({ code: exit.code, signal: exit.signal });
  return exit.error === undefined ? `${exit.reason} (${how})` : `${exit.reason} (${how}): ${exit.error}`;
}
