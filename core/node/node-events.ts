// What happens on a node, as typed events: membership changes, faults injected and healed,
// transfers, hint deliveries and anti-entropy runs. The node's log is written from them, and the
// admin facade lets the HTTP API (and through it the console) follow them live.

import type { MemberState, NodeId } from '../common/types.js';
import type { ExchangeReport } from './anti-entropy.js';

export type NodeEvent =
  | { type: 'member'; id: NodeId; state: MemberState | 'left'; previous: MemberState | 'left' | undefined }
  | { type: 'ring'; version: number; partitionsOwned: number }
  | { type: 'faults'; isolated: NodeId[] }
  | { type: 'transfer'; partition: number; from: NodeId; to: NodeId; state: 'done' | 'failed'; keysSent: number }
  | { type: 'hints-delivered'; target: NodeId; delivered: number; pending: number }
  | { type: 'anti-entropy'; peer: NodeId | undefined; trigger: 'manual' | 'background'; report: ExchangeReport };

export type NodeEventListener = (event: NodeEvent) => void;

/** A small synchronous event bus: a listener that throws is removed, never a cause of failure. */
export class NodeEvents {
  private readonly listeners = new Set<NodeEventListener>();

  subscribe(listener: NodeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: NodeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}
