// The life of one node process as the supervisor sees it (DESIGN.md rule 4): one actor per
// node process.
//
//   stopped ──START──▶ starting ──launched──▶ up ──STOP──▶ stopping ──exited──▶ stopped
//                         │                   │  ╲
//                  launch failed         exited   KILL ──▶ killing ──exited──▶ stopped
//                         ▼                   ▼
//                      crashed ◀──────────────┘
//                         │ RESTART (or the auto-restart policy)
//                         ▼
//                     restarting ──▶ starting
//
// A kill from the console is deliberate, so it ends in `stopped` with `lastExit.reason:
// 'killed'`; only an exit nobody asked for is `crashed`. The machine only moves: launching,
// stopping and killing are the injected actors `launchNode`, `stopNode` and `killNode`, and
// whoever runs the process sends `EXITED` when it ends. Tests swap them with
// `machine.provide(...)`; the supervisor provides launcher-backed ones.

import { assign, fromPromise, setup } from 'xstate';
import { errorText } from '../common/coded-error.js';
import type { NodeInfo } from '../node/config.js';
import { nodeStopWaitMs, restartDelayMsDefault, restartsMaxDefault } from './limits.js';
import type { ExitInfo } from './node-launcher.js';
import type { NodeProcessConfig } from './node-process-api.js';

/** When a crashed node is started again by itself. Off by default. */
export interface RestartPolicy {
  autoRestart: boolean;
  /** Restarts (of any kind) after which a crashed node stays crashed. */
  restartsMax: number;
  restartDelayMs: number;
}

export const restartPolicyDefault: RestartPolicy = {
  autoRestart: false,
  restartsMax: restartsMaxDefault,
  restartDelayMs: restartDelayMsDefault,
};

export type NodeProcessState = 'stopped' | 'starting' | 'up' | 'stopping' | 'killing' | 'crashed' | 'restarting';

export interface NodeActorContext {
  config: NodeProcessConfig;
  /** What the running node reported; cleared when its process ends. */
  info: NodeInfo | undefined;
  /** How the last process ended. */
  lastExit: ExitInfo | undefined;
  restarts: number;
  policy: RestartPolicy;
  /** Bound on the stop in progress (set by STOP). */
  stopWaitMs: number;
  /** Delay before the restart in progress (none for a restart the operator asked for). */
  restartDelayMs: number;
}

export interface NodeActorInput {
  config: NodeProcessConfig;
  policy?: Partial<RestartPolicy>;
}

export type NodeActorEvent =
  | { type: 'START' }
  | { type: 'STOP'; maxWaitMs?: number }
  | { type: 'KILL' }
  | { type: 'RESTART' }
  /** The node's process ended (sent by whoever launched it). */
  | { type: 'EXITED'; exit: ExitInfo };

export interface LaunchNodeInput {
  config: NodeProcessConfig;
  /** 0 for the first launch, then the number of restarts so far. */
  attempt: number;
}

export interface StopNodeInput {
  config: NodeProcessConfig;
  maxWaitMs: number;
}

export interface KillNodeInput {
  config: NodeProcessConfig;
}

function notProvided(name: string): never {
  throw new Error(`${name} is not provided: use machine.provide({actors: {${name}}})`);
}

/** The exit a failed launch reports: the launcher's, or one made up from the error. */
export function launchFailure(error: unknown): ExitInfo {
  const exit = (error as { exit?: ExitInfo } | undefined)?.exit;
  const message = errorText(error);
  if (exit !== undefined) return { ...exit, error: message };
  return { reason: 'launch-failed', pid: undefined, code: null, signal: null, error: message };
}

function effectFailure(error: unknown, pid: number | undefined): ExitInfo {
  const message = errorText(error);
  return { reason: 'crashed', pid, code: null, signal: null, error: message };
}

export const nodeActorMachine = setup({
  types: {
    context: {} as NodeActorContext,
    events: {} as NodeActorEvent,
    input: {} as NodeActorInput,
  },
  actors: {
    /** Starts the node's process and resolves with what the node reports once it is up. */
    launchNode: fromPromise<NodeInfo, LaunchNodeInput>(async () => notProvided('launchNode')),
    /** Stops the node gracefully; resolves with the exit once the process is gone. */
    stopNode: fromPromise<ExitInfo, StopNodeInput>(async () => notProvided('stopNode')),
    /** Kills the node's process (SIGKILL); resolves with the exit once it is gone. */
    killNode: fromPromise<ExitInfo, KillNodeInput>(async () => notProvided('killNode')),
  },
  guards: {
    /** An exit of the process this actor is running now, not of an earlier one. */
    isCurrentProcess: ({ context, event }) =>
      event.type === 'EXITED' && context.info !== undefined && event.exit.pid === context.info.pid,
    shouldAutoRestart: ({ context }) =>
      context.policy.autoRestart && context.restarts < context.policy.restartsMax,
  },
  delays: {
    restartDelay: ({ context }) => context.restartDelayMs,
  },
  actions: {
    recordExit: assign((_, exit: ExitInfo) => ({ info: undefined, lastExit: exit })),
  },
}).createMachine({
  id: 'nodeProcess',
  initial: 'stopped',
  context: ({ input }) => ({
    config: input.config,
    info: undefined,
    lastExit: undefined,
    restarts: 0,
    policy: { ...restartPolicyDefault, ...input.policy },
    stopWaitMs: nodeStopWaitMs,
    restartDelayMs: 0,
  }),
  states: {
    stopped: {
      on: {
        START: { target: 'starting' },
        RESTART: { target: 'restarting', actions: assign({ restartDelayMs: 0 }) },
      },
    },
    starting: {
      invoke: {
        src: 'launchNode',
        input: ({ context }) => ({ config: context.config, attempt: context.restarts }),
        onDone: { target: 'up', actions: assign({ info: ({ event }) => event.output }) },
        onError: {
          target: 'crashed',
          actions: { type: 'recordExit', params: ({ event }) => launchFailure(event.error) },
        },
      },
      // An EXITED while starting is the launch failing; `launchNode` rejects for it.
      on: {
        STOP: { target: 'stopping', actions: assign({ stopWaitMs: ({ event }) => event.maxWaitMs ?? nodeStopWaitMs }) },
        KILL: { target: 'killing' },
      },
    },
    up: {
      on: {
        STOP: { target: 'stopping', actions: assign({ stopWaitMs: ({ event }) => event.maxWaitMs ?? nodeStopWaitMs }) },
        KILL: { target: 'killing' },
        EXITED: {
          guard: 'isCurrentProcess',
          target: 'crashed',
          actions: { type: 'recordExit', params: ({ event }) => event.exit },
        },
      },
    },
    stopping: {
      invoke: {
        src: 'stopNode',
        input: ({ context }) => ({ config: context.config, maxWaitMs: context.stopWaitMs }),
        onDone: { target: 'stopped', actions: { type: 'recordExit', params: ({ event }) => event.output } },
        onError: {
          target: 'crashed',
          actions: { type: 'recordExit', params: ({ context, event }) => effectFailure(event.error, context.info?.pid) },
        },
      },
      on: {
        KILL: { target: 'killing' },
        // Whatever ended the process, the operator asked for it to end.
        EXITED: { target: 'stopped', actions: { type: 'recordExit', params: ({ event }) => event.exit } },
      },
    },
    killing: {
      invoke: {
        src: 'killNode',
        input: ({ context }) => ({ config: context.config }),
        onDone: { target: 'stopped', actions: { type: 'recordExit', params: ({ event }) => event.output } },
        onError: {
          target: 'crashed',
          actions: { type: 'recordExit', params: ({ context, event }) => effectFailure(event.error, context.info?.pid) },
        },
      },
      on: {
        EXITED: { target: 'stopped', actions: { type: 'recordExit', params: ({ event }) => event.exit } },
      },
    },
    crashed: {
      always: {
        guard: 'shouldAutoRestart',
        target: 'restarting',
        actions: assign({ restartDelayMs: ({ context }) => context.policy.restartDelayMs }),
      },
      on: {
        RESTART: { target: 'restarting', actions: assign({ restartDelayMs: 0 }) },
      },
    },
    restarting: {
      entry: assign({ restarts: ({ context }) => context.restarts + 1 }),
      after: { restartDelay: { target: 'starting' } },
      on: {
        // Nothing runs yet: both just call the restart off.
        STOP: { target: 'stopped' },
        KILL: { target: 'stopped' },
      },
    },
  },
});
