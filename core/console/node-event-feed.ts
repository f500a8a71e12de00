// Follows one node's live events (GET /v1/admin/events, Server-Sent Events) for the console's
// merged stream. It reconnects whenever the stream breaks (the node restarted, was killed or is
// cut off), waiting a little longer after each failure, or at once when told the node's process
// has just come up; and it says so on the stream: {type: 'connection', connected} on every
// change between connected and not.

import type { Readable } from 'node:stream';
import { errorText } from '../common/coded-error.js';
import type { ConsoleEvent } from '../admin/events.js';
import type { Clock, TimerHandle } from '../common/clock.js';
import { eventBlockBytesMax, eventReconnectMsMax, eventReconnectMsMin } from './limits.js';
import type { NodeHttp } from './node-http.js';

export interface NodeEventFeedOptions {
  node: string;
  /** The node's base URL now; undefined while it has none (its process is down). */
  url: () => string | undefined;
  http: NodeHttp;
  publish: (event: ConsoleEvent) => void;
  clock: Clock;
}

export class NodeEventFeed {
  private closed = false;
  private controller: AbortController | undefined;
  private wakeUp: (() => void) | undefined;
  /** What the stream was last told (undefined: nothing yet). */
  private reported: boolean | undefined;
  private delayMs = eventReconnectMsMin;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly options: NodeEventFeedOptions) {}

  get node(): string {
    return this.options.node;
  }

  /** Whether the stream is connected now; undefined before the first attempt ended either way. */
  get connected(): boolean | undefined {
    return this.reported;
  }

  start(): void {
    this.loop = this.run();
  }

  /** Reconnects now rather than after the back-off (the node's process has just come up). */
  reconnect(): void {
    this.delayMs = eventReconnectMsMin;
    this.wakeUp?.();
  }

  /** Stops following; resolves once the connection is closed. */
  async close(): Promise<void> {
    this.closed = true;
    this.controller?.abort();
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const url = this.options.url();
      if (url !== undefined) await this.follow(url);
      else this.report(false, 'the node has no process');
      if (this.closed) return;
      await this.pause();
      this.delayMs = Math.min(eventReconnectMsMax, this.delayMs * 2);
    }
  }

  /** Reads the node's stream until it ends or fails. */
  private async follow(url: string): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    let reason = 'the stream ended';
    try {
      const response = await this.options.http.events(url, controller.signal);
      if (this.closed) {
        response.body.destroy();
        return;
      }
      this.report(true);
      this.delayMs = eventReconnectMsMin;
      await readServerSentEvents(response.body, (data) => this.receive(data));
    } catch (error) {
      reason = errorText(error);
    } finally {
      this.controller = undefined;
    }
    if (!this.closed) this.report(false, reason);
  }

  private receive(data: string): void {
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return; // A line that is not JSON is not an event; the node's own stream never sends one.
    }
    if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') return;
    const record = event as Record<string, unknown>;
    // The node names itself and stamps the time; fill them in should a node not.
    if (typeof record.node !== 'string') record.node = this.options.node;
    if (typeof record.at !== 'number') record.at = this.options.clock.now();
    this.options.publish(record as ConsoleEvent);
  }

  private report(connected: boolean, message?: string): void {
    if (this.reported === connected) return;
    this.reported = connected;
    const event: ConsoleEvent = { type: 'connection', node: this.options.node, at: this.options.clock.now(), connected };
    if (message !== undefined) event.message = message;
    this.options.publish(event);
  }

  private pause(): Promise<void> {
    const { clock } = this.options;
    return new Promise((resolve) => {
      let timer: TimerHandle = undefined;
      const done = (): void => {
        clock.clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      timer = clock.setTimeout(done, this.delayMs);
      this.wakeUp = done;
    });
  }
}

/**
 * Reads a Server-Sent Events body and calls `onData` with the data of each event (its `data:`
 * lines joined). Comments and other fields are skipped. Rejects when a block grows past
 * eventBlockBytesMax without ending (not an event stream, or a broken one).
 */
export async function readServerSentEvents(body: Readable, onData: (data: string) => void): Promise<void> {
  body.setEncoding('utf8');
  let buffer = '';
  for await (const chunk of body as AsyncIterable<string>) {
    buffer += chunk.includes('\r') ? chunk.replace(/\r\n?/g, '\n') : chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      if (data.length > 0) onData(data.join('\n'));
    }
    if (buffer.length > eventBlockBytesMax) {
      body.destroy();
      throw new Error(`an event is larger than ${eventBlockBytesMax} bytes`);
    }
  }
}
