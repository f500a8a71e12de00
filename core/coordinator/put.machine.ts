// The coordinated PUT (and DELETE, which writes a tombstone) as an XState v5 machine: one
// actor per client request (Dynamo §4.5).
//
//   coordinating ──local write stored──▶ waitingForReplicas ──W acks──▶ done
//        │ local write failed                 │ W unreachable or TIMEOUT    ▲
//        └────────────────────────────────────┴─────────────────────────────┘
//
// As in get.machine.ts, one timer per request raises TIMEOUT.
//
// The coordinator is a node of the key's preference list: it mints the new version's dot
// against its own replica (one ack), then sends the resulting sibling set to the other
// targets, which merge it. put-core.ts counts; the machine only moves.
//
// With `dw` > 0 the writes are asked to be durable (synced to disk before the ack), and W
// "acks" means W acks of which dw are durable: STORED and ACK say whether theirs was.

import { setup } from 'xstate';
import type { NodeId } from '../common/types.js';
import type { AnnotatedNode } from '../ring/preference-list.js';
import type { SiblingSet } from '../version/sibling-set.js';
import type { CausalContext } from '../version/causal-context.js';
import * as core from './put-core.js';

export interface PutWrite {
  value: Uint8Array;
  contentType: string;
  deleted: boolean;
}

export interface PutInput {
  bucket: string;
  key: string;
  partition: number;
  /**
   * The coordinator itself first, then the other replicas to write to: the current ring's
   * primaries, or fallbacks (tagged with the down primary they hold a hint for) in their
   * place; then, during a partition transfer, the future ring's replicas not among them.
   */
  targets: readonly AnnotatedNode[];
  /**
   * How many of the first targets count toward W: the coordinator and the current ring's
   * replicas or their fallbacks. The targets after them (future replicas) receive the write,
   * but their acks do not count and their failures do not make W unreachable (put-core.ts
   * says why). With no transfer in progress, every target: targets.length.
   */
  counted: number;
  w: number;
  /** Durable acks required, 0…w; > 0 asks every replica written to for a synced write. */
  dw: number;
  context: CausalContext;
  write: PutWrite;
  timeoutMs: number;
  respond: (response: PutResponse) => void;
  /** Called when the request is over (clears its timer). */
  finish: () => void;
}

/**
 * A quorum failure of a request with dw > 0 also says how many acks were durable and how many
 * had to be (`durable`, `requiredDurable`); one with dw = 0 leaves both out, as before DW.
 */
export type PutResponse =
  | { kind: 'ok'; state: SiblingSet; acks: number }
  | { kind: 'quorum'; acks: number; required: number; durable?: number; requiredDurable?: number }
  | { kind: 'error'; code: string; message: string };

export interface PutContext {
  request: PutInput;
  core: core.PutCore;
  /** The new state, once the coordinator's replica stored it. */
  state: SiblingSet | undefined;
  /** The encoded new state, sent to the other replicas as is. */
  encoded: Uint8Array | undefined;
}

export type PutEvent =
  | { type: 'STORED'; state: SiblingSet; encoded: Uint8Array; durable: boolean }
  | { type: 'REJECTED'; code: string; message: string }
  | { type: 'ACK'; node: NodeId; durable: boolean }
  | { type: 'FAILED'; node: NodeId }
  | { type: 'TIMEOUT' };

type Self = { send(event: PutEvent): void };

export const putMachine = setup({
  types: {} as { context: PutContext; events: PutEvent; input: PutInput },
  actions: {
    /** Applies the write to the local replica; answers with STORED or REJECTED. */
    coordinateLocally: (_args: { context: PutContext; self: Self }) => {
      throw new Error('putMachine: provide coordinateLocally');
    },
    /** Sends the encoded state to every other target; answers come back as ACK / FAILED. */
    sendWrites: (_args: { context: PutContext; self: Self }) => {
      throw new Error('putMachine: provide sendWrites');
    },
    stored: ({ context, event }) => {
      if (event.type !== 'STORED') return;
      context.state = event.state;
      context.encoded = event.encoded;
      core.addAck(context.core, context.core.targets[0], event.durable);
    },
    record: ({ context, event }) => {
      if (event.type === 'ACK') core.addAck(context.core, event.node, event.durable);
      else if (event.type === 'FAILED') core.addFailure(context.core, event.node);
    },
    respondOk: ({ context }) =>
      context.request.respond({ kind: 'ok', state: context.state!, acks: context.core.acked.size }),
    respondQuorum: ({ context }) => {
      const { acked, w, durableAcked, dw } = context.core;
      context.request.respond(
        dw === 0
          ? { kind: 'quorum', acks: acked.size, required: w }
          : { kind: 'quorum', acks: acked.size, required: w, durable: durableAcked, requiredDurable: dw },
      );
    },
    finish: ({ context }) => context.request.finish(),
    respondRejected: ({ context, event }) => {
      if (event.type === 'REJECTED') context.request.respond({ kind: 'error', code: event.code, message: event.message });
    },
  },
  guards: {
    enough: ({ context }) => core.progress(context.core) === 'enough',
    unreachable: ({ context }) => core.progress(context.core) === 'failed',
  },
}).createMachine({
  id: 'put',
  context: ({ input }) => ({
    request: input,
    core: core.initPutCore(input.targets.map((target) => target.node), input.w, input.counted, input.dw),
    state: undefined,
    encoded: undefined,
  }),
  initial: 'coordinating',
  states: {
    coordinating: {
      entry: 'coordinateLocally',
      on: {
        STORED: { target: 'waitingForReplicas', actions: 'stored' },
        REJECTED: { target: 'done', actions: 'respondRejected' },
        TIMEOUT: { target: 'done', actions: 'respondQuorum' },
      },
    },
    waitingForReplicas: {
      entry: 'sendWrites',
      on: {
        ACK: { actions: 'record' },
        FAILED: { actions: 'record' },
        TIMEOUT: { target: 'done', actions: 'respondQuorum' },
      },
      always: [
        { guard: 'enough', target: 'done', actions: 'respondOk' },
        { guard: 'unreachable', target: 'done', actions: 'respondQuorum' },
      ],
    },
    done: { type: 'final', entry: 'finish' },
  },
});
