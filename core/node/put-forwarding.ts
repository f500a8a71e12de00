// A put that reaches a node outside the key's preference list (Dynamo §4.5) is forwarded to the
// first preference-list node that takes it, up nodes first. A node that surely never applied it
// (unreachable before it left, overloaded, not in the cluster yet) passes the turn to the next;
// one that may have applied it (no answer in time, or the link failed after the request left)
// ends the forwarding with a quorum failure, since a second coordinator would make one client
// write two versions; any other failure is a bug somewhere and answers `internal`.

import { errorText } from '../common/coded-error.js';
import type { Log } from '../common/log.js';
import type { NodeId } from '../common/types.js';
import { TransportError, type PeerMessage } from '../net/transport.js';
import type { PutOutcome, PutRequest } from './coordination.js';
import type { KeyPlacement } from './key-placement.js';
import type { CoordinatePut, PutDone } from './messages.js';
import { decodeRecord } from './record-codec.js';
import type { ReplicaRpc } from './replica-rpc.js';
import type { RequestTrace, TraceReply } from './tracing.js';

export interface ForwardingDeps {
  rpc: ReplicaRpc;
  placement: KeyPlacement;
  log: Log;
  /** How long one coordinator has to answer. */
  timeoutMs: number;
  /** An unexpected failure: counted, logged, answered `internal` (the coordination's own). */
  internal(message: string, fields: Record<string, unknown>): PutOutcome;
}

export interface ForwardedPut {
  bucket: string;
  key: string;
  request: PutRequest;
  w: number;
  dw: number;
  preference: readonly NodeId[];
  trace: RequestTrace | undefined;
}

export async function forwardPut(deps: ForwardingDeps, put: ForwardedPut): Promise<PutOutcome> {
  const { rpc, placement, timeoutMs, log } = deps;
  const { bucket, key, request, w, dw, preference, trace } = put;
  const message: CoordinatePut = { type: 'coord.put', b: bucket, k: key, ctx: request.context, v: request.value, ct: request.contentType, del: request.deleted, w };
  // The coordinator answers only once dw of the acks are durable (absent: 0, as older nodes read it).
  if (dw > 0) message.dw = dw;
  // A traced put is traced by its coordinator too, which answers with that trace's id.
  if (trace !== undefined) message.tr = true;
  const isUp = (node: NodeId) => placement.isUp(node);
  const ordered = [...preference.filter(isUp), ...preference.filter((node) => !isUp(node))];
  let lastError: unknown;
  for (const node of ordered) {
    let reply: PeerMessage;
    try {
      const forwarding = rpc.request(node, message, timeoutMs);
      reply = await (trace === undefined ? forwarding : trace.observe(trace.sent('forward', { node, role: 'primary' }), forwarding, forwardReply));
    } catch (error) {
      if (passesTheTurn(error)) {
        lastError = error;
        continue;
      }
      if (error instanceof TransportError && error.code === 'closed') return { kind: 'error', code: 'unavailable', message: 'this node is stopping' };
      // The coordinator may have applied it: sending it to another would make one client write
      // two versions, and the client's next write, with the context we answer, would supersede
      // only one of them. The outcome is unknown, as with any quorum failure.
      if (error instanceof TransportError && error.maybeDelivered) {
        log.debug({ bucket, key, node, error: errorText(error) }, 'a forwarded put may or may not have been applied');
        return quorumOutcome(0, w, 0, dw);
      }
      return deps.internal(`forwarding to ${node} failed: ${errorText(error)}`, { bucket, key, node });
    }
    trace?.forwarded(node, (reply as PutDone).trace);
    return forwardedOutcome(deps, reply as PutDone, w, dw, { bucket, key, node });
  }
  log.debug({ bucket, key, error: errorText(lastError) }, 'no preference-list node took a forwarded put');
  return quorumOutcome(0, w, 0, dw);
}

function forwardedOutcome(deps: ForwardingDeps, done: PutDone, w: number, dw: number, where: Record<string, unknown>): PutOutcome {
  if (done.type !== 'coord.put.done') return deps.internal('bad reply from the coordinator', where);
  if (done.outcome === 'ok' && done.rec instanceof Uint8Array) {
    return { kind: 'ok', state: decodeRecord(done.rec), dot: [String(done.node), Number(done.counter)] };
  }
  if (done.outcome === 'quorum') return quorumOutcome(Number(done.acks ?? 0), w, Number(done.durable ?? 0), dw);
  return { kind: 'error', code: String(done.code ?? 'internal'), message: String(done.message ?? '') };
}

/** A quorum failure; with dw > 0 it also says how many acks were durable and how many had to be. */
function quorumOutcome(acks: number, required: number, durable: number, dw: number): PutOutcome {
  return dw === 0 ? { kind: 'quorum', acks, required } : { kind: 'quorum', acks, required, durable, requiredDurable: dw };
}

/** A forwarded put's reply: the coordinator's answer and its trace of the put. */
function forwardReply(reply: PeerMessage): TraceReply {
  const done = reply as PutDone;
  const status = done.outcome === 'error' ? String(done.code ?? 'internal') : String(done.outcome);
  return { kind: 'answer', status, traceId: typeof done.trace === 'string' ? done.trace : null };
}

/**
 * Failures of a forwarded put after which the next preference-list node is tried: those where
 * the put surely was not applied (it never left this node, or the coordinator refused it).
 */
function passesTheTurn(error: unknown): boolean {
  if (!(error instanceof TransportError)) return false;
  if (error.code === 'overloaded') return true;
  if ((error.code === 'unreachable' || error.code === 'timeout') && !error.maybeDelivered) return true;
  return error.code === 'remote' && (error.remoteCode === 'overloaded' || error.remoteCode === 'unavailable');
}
