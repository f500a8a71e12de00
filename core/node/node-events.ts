// What happens on a node, as typed events: membership changes, faults injected and healed,
// transfers, hint deliveries and anti-entropy runs. The node's log is written from them, and the
// admin facade lets the HTTP API (and through it the console) follow them live.

import type { NodeEvent } from '../admin/events.js';

export type { NodeEvent } from '../admin/events.js';

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
