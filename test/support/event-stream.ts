// Test support: follows a node's live events (GET /v1/admin/events, Server-Sent Events) the way
// the console does; `events` fills as they arrive.

import { request } from 'undici';
import { expect } from 'vitest';
import type { NodeEvent } from '../../core/admin/events.js';

export type ReceivedEvent = NodeEvent & { node: string; at: number };

export async function subscribe(endpoint: string): Promise<{ events: ReceivedEvent[]; close(): void }> {
  const controller = new AbortController();
  const response = await request(`${endpoint}/v1/admin/events`, { signal: controller.signal });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toBe('text/event-stream');
  const events: ReceivedEvent[] = [];
  let buffer = '';
  response.body.setEncoding('utf8');
  response.body.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of block.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
    }
  });
  response.body.on('error', () => undefined);
  return { events, close: () => controller.abort() };
}
