// The console's one event stream (AdminApi.subscribe): every source (node streams, the
// supervisor, join plans) publishes here, and each listener gets every event in order, delivered
// asynchronously from a queue of its own.
//
// Bounded: a listener that falls behind (an IPC channel or a web client that stalls behind it)
// holds at most listenerQueueMax events; past that its oldest are dropped and counted, so a slow
// listener never grows memory without bound and never delays the others. A listener that throws
// is isolated: its error is reported once per throw and the stream goes on.

import type { ConsoleEvent } from '../admin/events.js';
import { listenerQueueMax } from './limits.js';

interface Subscriber {
  listener: (event: ConsoleEvent) => void;
  queue: ConsoleEvent[];
  /** Index of the next event to deliver (a head index, so delivery does not shift the array). */
  head: number;
  scheduled: boolean;
  active: boolean;
}

export class EventHub {
  private readonly subscribers = new Set<Subscriber>();
  /** Events dropped because a listener was too far behind, over all listeners. */
  dropped = 0;

  constructor(
    private readonly queueMax = listenerQueueMax,
    private readonly onListenerError: (error: unknown) => void = () => undefined,
  ) {}

  get size(): number {
    return this.subscribers.size;
  }

  publish(event: ConsoleEvent): void {
    for (const subscriber of this.subscribers) {
      subscriber.queue.push(event);
      if (subscriber.queue.length - subscriber.head > this.queueMax) {
        subscriber.head++;
        this.dropped++;
        // Compact now and then, so dropped events do not stay referenced until delivery.
        if (subscriber.head >= this.queueMax) {
          subscriber.queue = subscriber.queue.slice(subscriber.head);
          subscriber.head = 0;
        }
      }
      this.schedule(subscriber);
    }
  }

  /**
   * Follows every event published from now on, after `initial` (the state of things now, for
   * this listener only); returns the function that stops following.
   */
  subscribe(listener: (event: ConsoleEvent) => void, initial: readonly ConsoleEvent[] = []): () => void {
    const subscriber: Subscriber = { listener, queue: initial.slice(-this.queueMax), head: 0, scheduled: false, active: true };
    this.subscribers.add(subscriber);
    if (subscriber.queue.length > 0) this.schedule(subscriber);
    return () => {
      subscriber.active = false;
      subscriber.queue = [];
      subscriber.head = 0;
      this.subscribers.delete(subscriber);
    };
  }

  close(): void {
    for (const subscriber of this.subscribers) {
      subscriber.active = false;
      subscriber.queue = [];
    }
    this.subscribers.clear();
  }

  private schedule(subscriber: Subscriber): void {
    if (subscriber.scheduled) return;
    subscriber.scheduled = true;
    setImmediate(() => this.deliver(subscriber));
  }

  private deliver(subscriber: Subscriber): void {
    subscriber.scheduled = false;
    // Take what is queued now; what the listener's own work publishes meanwhile waits for the next turn.
    const batch = subscriber.queue.slice(subscriber.head);
    subscriber.queue = [];
    subscriber.head = 0;
    for (const event of batch) {
      if (!subscriber.active) return;
      try {
        subscriber.listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
