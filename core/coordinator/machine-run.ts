// One request's run of a coordinator machine (get.machine.ts, put.machine.ts) by XState's own
// transition function, without an XState actor around it.
//
// The machine decides everything, exactly as under `createActor`: its guards, its eventless
// transitions, its actions and its final state, computed by the machine's `getInitialSnapshot`
// and `transition` (XState's macrostep, the function an actor calls). What this leaves out is
// the actor's machinery, which a request does not use: an actor system per request, its
// mailbox, observers, inspection and session ids. That machinery was most of a request's cost in
// XState (bench/coordination.ts measures both).
//
// It keeps the actor's semantics where the node relies on them:
//   - the initial state's entry actions run once the initial snapshot is in place (as an actor
//     defers them to start), so an action that answers at once finds the run ready;
//   - an event sent while a transition is being computed (an action that answers synchronously)
//     waits in a queue and is processed right after, in order, as an actor's mailbox does;
//   - work a transition defers (XState's `defer`) runs once that transition is done;
//   - a run that is done ignores further events; `getSnapshot().status` says so. An action that
//     throws ends the run with status 'error' and the error reaches whoever sent the event
//     (an actor would report it as unhandled).
// A traced request still runs in a real actor, whose inspection events its trace records.
// XState's built-in actions that need an actor system (sendTo, spawnChild, a delayed raise,
// cancel) are not supported: the coordinator machines use none, their effects are provided
// actions, and test/coordinator/machine-run.test.ts runs both machines both ways.

import type { AnyStateMachine, EventFromLogic, InputFrom, SnapshotFrom } from 'xstate';

/** What the machine's actions see as `self`, and what effects send their answers to. */
export interface RunRef<TEvent> {
  send(event: TEvent): void;
  getSnapshot(): { status: string };
}

/**
 * Sends to a run or an actor only while it is active: answers that arrive after it finished
 * (a late replica reply, the request timer) are dropped.
 */
export function deliver<TEvent>(run: RunRef<TEvent>, event: TEvent): void {
  if (run.getSnapshot().status === 'active') run.send(event);
}

interface ExecutableAction {
  exec?: (info: unknown, params: unknown) => void;
  info: unknown;
  params: unknown;
}

const noop = (): void => {};

/** The system the transition function is given: nothing here is inspected or scheduled. */
const inertSystem = { _sendInspectionEvent: noop, _bookId: (): string => '', _logger: noop };

export class MachineRun<TMachine extends AnyStateMachine> implements RunRef<EventFromLogic<TMachine>> {
  private snapshot!: SnapshotFrom<TMachine>;
  /** What XState's transition function calls back: the actor scope, without the actor. */
  private readonly scope: object;
  /** While the initial snapshot is computed, actions wait here (an actor defers them to start). */
  private starting = true;
  /** Work deferred to the end of the current transition (`defer`, and the initial actions). */
  private readonly deferred: Array<() => void> = [];
  /** Events sent while a transition was being computed. */
  private readonly queue: Array<EventFromLogic<TMachine>> = [];
  private processing = false;

  constructor(
    private readonly machine: TMachine,
    input: InputFrom<TMachine>,
  ) {
    // XState calls actionExecutor detached, so it is a closure over this run; the rest is shared.
    const actionExecutor = (action: ExecutableAction): void => {
      const exec = action.exec;
      if (exec === undefined) return;
      if (this.starting) this.deferred.push(() => exec(action.info, action.params));
      else exec(action.info, action.params);
    };
    const defer = (fn: () => void): void => {
      this.deferred.push(fn);
    };
    this.scope = { self: this, id: '', sessionId: '', system: inertSystem, logger: noop, defer, stopChild: noop, emit: noop, actionExecutor };
    this.processing = true;
    try {
      this.snapshot = machine.getInitialSnapshot(this.scope as never, input) as SnapshotFrom<TMachine>;
      this.starting = false;
      this.runDeferred();
    } finally {
      this.processing = false;
    }
    this.drain();
  }

  getSnapshot(): { status: string } {
    return this.snapshot as { status: string };
  }

  send(event: EventFromLogic<TMachine>): void {
    this.queue.push(event);
    if (!this.processing) this.drain();
  }

  private drain(): void {
    this.processing = true;
    try {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
        if ((this.snapshot as { status: string }).status !== 'active') {
          this.queue.length = 0;
          break;
        }
        try {
          this.snapshot = this.machine.transition(this.snapshot, event, this.scope as never) as SnapshotFrom<TMachine>;
        } catch (error) {
          // An action that throws ends the run, as it ends an actor; the error goes to the sender.
          this.snapshot = { ...(this.snapshot as object), status: 'error', error } as SnapshotFrom<TMachine>;
          this.queue.length = 0;
          this.deferred.length = 0;
          throw error;
        }
        this.runDeferred();
      }
    } finally {
      this.processing = false;
    }
  }

  /** What the last transition deferred (as an actor runs its deferred work after each update). */
  private runDeferred(): void {
    if (this.deferred.length === 0) return;
    for (const fn of this.deferred.splice(0)) fn();
  }
}
