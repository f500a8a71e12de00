// A stored value (base64 bytes, as AdminApi carries it) as the conflict tools use it: its text
// when it is UTF-8, and whether it reads as JSON; and text back to base64 for a write. Pure (the
// platform's atob/btoa and TextDecoder only).

import { type JsonValue, parseJson, prettyJson } from './json-value.js';

export type ValueText =
  | { kind: 'text'; text: string; json: { value: JsonValue } | undefined }
  | { kind: 'binary'; bytes: number };

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/**
 * The value's text when its bytes are UTF-8; `json` is set when the content type says JSON or the
 * text is a JSON object or array (a blind `curl -d` stores JSON as text/plain or form data).
 */
export function valueText(base64: string, contentType: string): ValueText {
  const bytes = base64ToBytes(base64);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { kind: 'binary', bytes: bytes.length };
  }
  const trimmed = text.trimStart();
  const looksJson = isJsonContentType(contentType) || trimmed.startsWith('{') || trimmed.startsWith('[');
  return { kind: 'text', text, json: looksJson ? parseJson(text) : undefined };
}

export function isJsonContentType(contentType: string): boolean {
  return /^application\/([\w.-]+\+)?json\b/i.test(contentType.trim());
}

/** The text to show and compare: JSON pretty-printed, other text as it is. */
export function displayText(value: ValueText): string | undefined {
  if (value.kind === 'binary') return undefined;
  return value.json === undefined ? value.text : prettyJson(value.json.value);
}
