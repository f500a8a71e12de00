// The few things the host needs from an OS process that runs one node: its pid, a message
// channel, its exit and a way to kill it. Headless, that is a `child_process` forked here;
// in the desktop app, an Electron `utilityProcess` adapter implements the same interface
// (DESIGN.md rule 3), so the launcher, the actors and the supervisor never see which one runs.

import { fork, type ChildProcess } from 'node:child_process';

/** How a process ended, as the operating system (or Electron) reports it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the runtime knows the process ran out of memory (Electron reports this). */
  oom?: boolean;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

/** A running (or ended) process with a message channel to its parent. */
export interface ProcessHandle {
  /** Undefined when the process could not be spawned. */
  readonly pid: number | undefined;
  /** Sends one message; returns false when the channel is already closed. */
  send(message: unknown): boolean;
  /** Calls `listener` with every message from the process; returns a function that unsubscribes. */
  onMessage(listener: (message: unknown) => void): () => void;
  /**
   * Calls `listener` once, after the process ended and its channel closed (so no message from
   * it can still arrive). A listener added after the exit is called at once (asynchronously).
   */
  onExit(listener: (exit: ProcessExit) => void): () => void;
  /** Sends a signal; returns false when the process has already ended. */
  kill(signal?: NodeJS.Signals): boolean;
}

/** Where the process's stdin, stdout and stderr go. */
export type ProcessStdio = 'inherit' | 'ignore';

/** What it takes to start a node process. */
export interface SpawnOptions {
  /** Path of the JavaScript (or, with a loader in `execArgv`, TypeScript) entry file. */
  entry: string;
  args?: string[];
  /** Runtime flags; empty by default (the parent's own flags are not inherited). */
  execArgv?: string[];
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  stdio?: ProcessStdio;
  cwd?: string;
}

/** Starts a process: `forkNodeProcess` headless, a utilityProcess adapter under Electron. */
export type ProcessSpawner = (options: SpawnOptions) => ProcessHandle;

/**
 * Forks a Node.js child process with an IPC channel. Structured-clone ("advanced")
 * serialization is used so that binary values (Uint8Array, Buffer), Maps, Dates and errors
 * cross the channel intact; JSON serialization would turn a Uint8Array into an object.
 */
export function forkNodeProcess(options: SpawnOptions): ProcessHandle {
  const stdio = options.stdio ?? 'inherit';
  const child = fork(options.entry, options.args ?? [], {
    execArgv: options.execArgv ?? [],
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: [stdio, stdio, stdio, 'ipc'],
    serialization: 'advanced',
  });
  return childProcessHandle(child);
}

/** Adapts a forked `ChildProcess` (it must have an IPC channel) to a `ProcessHandle`. */
export function childProcessHandle(child: ChildProcess): ProcessHandle {
  let exit: ProcessExit | undefined;
  const exitListeners = new Set<(exit: ProcessExit) => void>();

  function finish(ended: ProcessExit): void {
    if (exit !== undefined) return;
    exit = ended;
    const listeners = [...exitListeners];
    exitListeners.clear();
    for (const listener of listeners) listener(ended);
  }

  // 'close' rather than 'exit': it comes after the IPC channel has closed too, so every message
  // the process sent has been delivered before its exit is announced.
  child.once('close', (code, signal) => finish({ code, signal }));
  child.on('error', (error) => {
    // Without a pid the process never started, and 'close' may never come. Other errors (a
    // failed send, a failed kill) concern a process whose exit will still be reported.
    if (child.pid === undefined) finish({ code: null, signal: null, error });
  });

  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (exit !== undefined || !child.connected) return false;
      // With a callback, a send that fails because the channel just closed is reported here
      // instead of as an 'error' event; the exit that caused it is reported by 'close'.
      return child.send(message as never, (error: Error | null) => void error);
    },
    onMessage(listener) {
      const onMessage = (message: unknown) => listener(message);
      child.on('message', onMessage);
      return () => {
        child.off('message', onMessage);
      };
    },
    onExit(listener) {
      if (exit !== undefined) {
        const ended = exit;
        let subscribed = true;
        queueMicrotask(() => {
          if (subscribed) listener(ended);
        });
        return () => {
          subscribed = false;
        };
      }
      exitListeners.add(listener);
      return () => {
        exitListeners.delete(listener);
      };
    },
    kill(signal = 'SIGTERM') {
      if (exit !== undefined || child.exitCode !== null || child.signalCode !== null) return false;
      return child.kill(signal);
    },
  };
}

/** Says how a process ended, for error messages and logs: "exit code 1", "signal SIGKILL". */
export function describeProcessExit(exit: ProcessExit): string {
  if (exit.error !== undefined) return `could not start: ${exit.error.message}`;
  if (exit.oom === true) return 'out of memory';
  if (exit.signal !== null) return `signal ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}
