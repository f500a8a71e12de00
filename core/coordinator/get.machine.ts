// The coordinated GET as an XState v5 machine: one actor per client request (Dynamo §4.5).
//
//   waitingForReplicas ──R replies──▶ readRepairing ──all answered / TIMEOUT──▶ done
//          │ R unreachable or TIMEOUT                                          ▲
//          └───────────────────────────────────────────────────────────────────┘
//
// One timer per request, started by the node with the actor and cleared when it is done
// (`finish`), raises TIMEOUT: cheaper than a delayed transition per state, which XState
// schedules and cancels on every state entry and exit.
// The machine only moves; get-core.ts decides. Effects (sending reads and repairs, answering
// the client) are injected with `machine.provide({ actions })` once per node; each request's
// own data travels in the input.

import { setup } from 'xstate';
import type { NodeId } from '../common/types.js';
import type { AnnotatedNode } from '../ring/preference-list.js';
import type { SiblingSet } from '../version/sibling-set.js';
import * as core from './get-core.js';

export interface GetInput {
  bucket: string;
  key: string;
  partition: number;
  /** The active preference list: primaries, and fallbacks tagged with the primary they stand in for. */
  targets: readonly AnnotatedNode[];
  r: number;
  /** Superseded versions a state keeps (the node's --history). */
  historyMax: number;
  timeoutMs: number;
  /** Called exactly once, with the answer for the client. */
  respond: (response: core.GetResponse) => void;
  /** Called when the request is over (clears its timer). */
  finish: () => void;
}

export interface GetContext {
  request: GetInput;
  core: core.GetCore;
}

export type GetEvent =
  | { type: 'REPLY'; node: NodeId; state: SiblingSet | null }
  | { type: 'FAILED'; node: NodeId }
  | { type: 'TIMEOUT' };

export const getMachine = setup({
  types: {} as { context: GetContext; events: GetEvent; input: GetInput },
  actions: {
    /** Sends the read to every target; replies come back as REPLY / FAILED events. */
    sendReads: (_args: { context: GetContext; self: { send(event: GetEvent): void } }) => {
      throw new Error('getMachine: provide sendReads');
    },
    /** Sends the merged state to each stale replica (fire and forget). */
    sendRepairs: (_args: { context: GetContext }) => {
      throw new Error('getMachine: provide sendRepairs');
    },
    record: ({ context, event }) => {
      if (event.type === 'REPLY') core.addReply(context.core, event.node, event.state);
      else if (event.type === 'FAILED') core.addFailure(context.core, event.node);
    },
    respond: ({ context }) => context.request.respond(core.response(context.core)),
    finish: ({ context }) => context.request.finish(),
  },
  guards: {
    enough: ({ context }) => core.progress(context.core) === 'enough',
    unreachable: ({ context }) => core.progress(context.core) === 'failed',
    allAnswered: ({ context }) => core.allAnswered(context.core),
  },
}).createMachine({
  id: 'get',
  context: ({ input }) => ({ request: input, core: core.initGetCore(input.targets.map((target) => target.node), input.r, input.historyMax) }),
  initial: 'waitingForReplicas',
  states: {
    waitingForReplicas: {
      entry: 'sendReads',
      on: {
        REPLY: { actions: 'record' },
        FAILED: { actions: 'record' },
        TIMEOUT: { target: 'done', actions: 'respond' },
      },
      always: [
        { guard: 'enough', target: 'readRepairing', actions: 'respond' },
        { guard: 'unreachable', target: 'done', actions: 'respond' },
      ],
    },
    readRepairing: {
      on: {
        REPLY: { actions: 'record' },
        FAILED: { actions: 'record' },
        TIMEOUT: { target: 'done', actions: 'sendRepairs' },
      },
      always: { guard: 'allAnswered', target: 'done', actions: 'sendRepairs' },
    },
    done: { type: 'final', entry: 'finish' },
  },
});
