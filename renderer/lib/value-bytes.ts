// A key's value as the console shows it. AdminApi carries values as base64 bytes (value-text.ts,
// shared with the conflict tools, decodes them); this decides what they are (an image, JSON,
// text or plain bytes, from the content type and the bytes themselves), how big they are, and
// how each view draws them (text, pretty JSON, a hex dump, an image's data: URL), with the cut
// that keeps a long value from flooding the page. Pure: the value viewer
// (components/ValueViewer.tsx) only lays these out.

import { formatCount } from './format.js';
import { parseJson } from './json-value.js';
import { base64ToBytes, isJsonContentType } from './value-text.js';

export type ValueKind = 'image' | 'json' | 'text' | 'binary';
export type ValueViewName = 'text' | 'json' | 'hex' | 'image';

/** How many bytes a base64 string holds, without decoding it. */
export function base64ByteLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.max(0, (base64.length / 4) * 3 - padding);
}

/** The UTF-8 text of the bytes, or undefined when they are not valid UTF-8. */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The media type without parameters, lower case: "Text/Plain; charset=utf-8" → "text/plain". */
export function mediaType(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

const imageType = /^image\/[a-z0-9.+-]+$/;

/** Text a person can read: valid UTF-8 with no control characters but tab, line feed and carriage return. */
function isReadable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}

/** What the value is: the content type says first, the bytes have the last word (JSON sent as text/plain is still JSON). */
export function valueKind(bytes: Uint8Array, contentType: string): ValueKind {
  const type = mediaType(contentType);
  if (imageType.test(type) && bytes.length > 0) return 'image';
  const text = utf8Text(bytes);
  if (text === undefined || !isReadable(text)) return 'binary';
  if (isJsonContentType(type) || /^\s*[[{]/.test(text)) {
    if (parseJson(text) !== undefined) return 'json';
  }
  return 'text';
}

/** The views that make sense for a kind, the best first. */
export function valueViews(kind: ValueKind): ValueViewName[] {
  switch (kind) {
    case 'image':
      return ['image', 'hex'];
    case 'json':
      return ['json', 'text', 'hex'];
    case 'text':
      return ['text', 'hex'];
    case 'binary':
      return ['hex'];
  }
}

export const viewLabels: Record<ValueViewName, string> = { text: 'Text', json: 'JSON', hex: 'Hex', image: 'Image' };

/** A data: URL that an <img> can show (the page's CSP allows img-src data:); undefined for anything but an image type. */
export function imageDataUrl(base64: string, contentType: string): string | undefined {
  const type = mediaType(contentType);
  return imageType.test(type) ? `data:${type};base64,${base64}` : undefined;
}

/** "0 bytes", "1 byte", "812 bytes", "12.3 KiB", "1.0 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Where a long text is cut until the operator asks for all of it. */
export const textShownMax = 4000;
/** Bytes of a hex dump shown until asked for all; and at most, even then (a line per 16 bytes). */
export const hexShownBytes = 512;
export const hexShownBytesMax = 64 * 1024;

/** A text cut at `max` characters (never inside a surrogate pair), and whether it was cut. */
export function cutText(text: string, max = textShownMax): { shown: string; cut: boolean } {
  if (text.length <= max) return { shown: text, cut: false };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { shown: text.slice(0, end), cut: true };
}

/**
 * A classic hex dump of the first `max` bytes: offset, sixteen bytes in hex (a gap after eight),
 * and the printable ASCII of each ("." for the rest), one line per sixteen bytes.
 */
export function hexDump(bytes: Uint8Array, max = hexShownBytes): string {
  const lines: string[] = [];
  const end = Math.min(bytes.length, max);
  for (let offset = 0; offset < end; offset += 16) {
    const row = bytes.subarray(offset, Math.min(offset + 16, end));
    const hex: string[] = [];
    for (let i = 0; i < 16; i++) {
      hex.push(i < row.length ? row[i].toString(16).padStart(2, '0') : '  ');
      if (i === 7) hex.push('');
    }
    const ascii = Array.from(row, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.join(' ')}  |${ascii}|`);
  }
  return lines.join('\n');
}

/** One node of a JSON value's tree: `value` is its path (unique), `label` what the line says. */
export interface JsonTreeNode {
  value: string;
  label: string;
  children?: JsonTreeNode[];
}

/** Entries of one object or array drawn at most; the rest is one line that says how many. */
export const jsonEntriesShownMax = 200;
/** Nodes of one tree at most: past it, objects and arrays stay closed (the Text view shows them whole). */
export const jsonNodesMax = 5000;

/**
 * The tree of a JSON value for a foldable view: objects and arrays are nodes whose label says
 * what they hold ("items: [3 items]"), everything else a leaf ("name: \"Ada\""). Big objects
 * and arrays show their first jsonEntriesShownMax entries; the whole tree has at most
 * jsonNodesMax nodes.
 */
export function jsonTree(value: unknown): JsonTreeNode {
  let budget = jsonNodesMax;
  const build = (item: unknown, name: string, path: string): JsonTreeNode => {
    budget -= 1;
    const isArray = Array.isArray(item);
    if (!isArray && (typeof item !== 'object' || item === null)) return { value: path, label: `${name}: ${JSON.stringify(item)}` };
    const entries: Array<[string, unknown, string]> = isArray
      ? (item as unknown[]).map((child, i) => [String(i), child, `${path}[${i}]`])
      : Object.entries(item as object).map(([key, child]) => [JSON.stringify(key), child, `${path}.${JSON.stringify(key)}`]);
    const noun = isArray ? 'item' : 'key';
    const held = `${formatCount(entries.length)} ${entries.length === 1 ? noun : `${noun}s`}`;
    const label = `${name}: ${isArray ? `[${held}]` : `{${held}}`}`;
    if (budget <= 0) return { value: path, label: `${label} (too large to unfold here: see the Text view)` };
    const children = entries.slice(0, jsonEntriesShownMax).map(([key, child, childPath]) => build(child, key, childPath));
    if (entries.length > jsonEntriesShownMax) {
      children.push({ value: `${path}…`, label: `… ${formatCount(entries.length - jsonEntriesShownMax)} more ${noun}s` });
    }
    return { value: path, label, children };
  };
  return build(value, '(root)', '$');
}

/** Paths of the nodes to show unfolded at first: the top `depth` levels. */
export function unfoldedPaths(root: JsonTreeNode, depth: number): string[] {
  if (depth <= 0 || root.children === undefined) return [];
  return [root.value, ...root.children.flatMap((child) => unfoldedPaths(child, depth - 1))];
}

/** A value in one short line for a list: its text (cut at `max`), or what it is and how big. */
export function valuePreview(base64: string, contentType: string, max = 80): string {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(base64);
  } catch {
    return '(not base64)';
  }
  if (bytes.length === 0) return '(empty)';
  const kind = valueKind(bytes, contentType);
  if (kind === 'image' || kind === 'binary') return `(${kind === 'image' ? mediaType(contentType) : 'binary'}, ${formatBytes(bytes.length)})`;
  const line = (utf8Text(bytes) ?? '').replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
