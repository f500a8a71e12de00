// Test support: one HTTP request to a node, its answer read whole: status, body as text and as
// JSON (undefined when it is not JSON), the context header and every header.

import { request } from 'undici';

export interface HttpAnswer {
  status: number;
  text: string;
  json: any;
  context: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export async function httpCall(url: string, method: string, options: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const response = await request(url, { method: method as 'GET', body: options.body, headers: options.headers });
  const text = await response.body.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const context = response.headers['x-dynamo-context'] as string | undefined;
  return { status: response.statusCode, text, json, context, headers: response.headers };
}
