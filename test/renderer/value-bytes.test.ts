// How the value viewer reads a value: the content type says first and the bytes have the last
// word (JSON sent as text/plain is JSON; bytes that are not UTF-8, or hold control characters,
// are binary); each kind offers its views, best first; a long text is cut, never inside a
// surrogate pair; the hex dump is the classic one; images get a data: URL only for image types;
// a JSON value's foldable tree labels what each node holds and stays bounded; a one-line preview.

import { describe, expect, it } from 'vitest';
import {
  base64ByteLength,
  cutText,
  formatBytes,
  hexDump,
  imageDataUrl,
  jsonEntriesShownMax,
  jsonNodesMax,
  jsonTree,
  type JsonTreeNode,
  mediaType,
  unfoldedPaths,
  utf8Text,
  valueKind,
  valuePreview,
  valueViews,
} from '../../renderer/lib/value-bytes.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const base64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');

describe('value kind', () => {
  it.each([
    ['image/png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47]), 'image'],
    ['application/json', bytes('{"a": 1}'), 'json'],
    ['application/vnd.api+json; charset=utf-8', bytes('[1, 2]'), 'json'],
    ['text/plain', bytes('  {"sent": "as text"}'), 'json'],
    ['application/json', bytes('{not json'), 'text'],
    ['text/plain', bytes('hello\tworld\r\n'), 'text'],
    ['application/octet-stream', bytes('plain words'), 'text'],
    ['text/plain', Uint8Array.from([0xff, 0xfe, 0x00]), 'binary'],
    ['text/plain', bytes('bell\u0007'), 'binary'],
    ['image/png', new Uint8Array(0), 'text'],
  ] as const)('%s %j is %s', (contentType, data, kind) => {
    expect(valueKind(data, contentType)).toBe(kind);
  });

  it('offers the views each kind allows, the best first', () => {
    expect(valueViews('image')).toEqual(['image', 'hex']);
    expect(valueViews('json')).toEqual(['json', 'text', 'hex']);
    expect(valueViews('text')).toEqual(['text', 'hex']);
    expect(valueViews('binary')).toEqual(['hex']);
  });

  it('reads media types and UTF-8', () => {
    expect(mediaType(' Text/Plain; charset=utf-8')).toBe('text/plain');
    expect(utf8Text(bytes('ü €'))).toBe('ü €');
    expect(utf8Text(Uint8Array.from([0xc3]))).toBeUndefined();
  });
});

describe('sizes and cuts', () => {
  it('counts base64 bytes without decoding', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 1000]) expect(base64ByteLength(base64(new Uint8Array(length)))).toBe(length);
  });

  it('formats sizes', () => {
    expect([0, 1, 812, 12_595, 1024 * 1024].map(formatBytes)).toEqual(['0 bytes', '1 byte', '812 bytes', '12.3 KiB', '1.0 MiB']);
  });

  it('cuts a long text, never inside a surrogate pair', () => {
    expect(cutText('short', 10)).toEqual({ shown: 'short', cut: false });
    expect(cutText('abcdefgh', 4)).toEqual({ shown: 'abcd', cut: true });
    expect(cutText('abc😀def', 4)).toEqual({ shown: 'abc', cut: true });
  });

  it('dumps bytes as offset, hex and ASCII, sixteen to a line', () => {
    const dump = hexDump(Uint8Array.from([...bytes('Dynamo, SOSP 2007'), 0, 255]));
    expect(dump.split('\n')).toEqual([
      '00000000  44 79 6e 61 6d 6f 2c 20  53 4f 53 50 20 32 30 30  |Dynamo, SOSP 200|',
      '00000010  37 00 ff                                          |7..|',
    ]);
    expect(hexDump(new Uint8Array(100), 32).split('\n')).toHaveLength(2);
  });
});

describe('images', () => {
  it('makes a data: URL only for an image type, without its parameters', () => {
    expect(imageDataUrl('iVBO', 'image/png; q=1')).toBe('data:image/png;base64,iVBO');
    expect(imageDataUrl('PHN2Zz4=', 'text/html')).toBeUndefined();
    expect(imageDataUrl('x', 'image/png" onerror="x')).toBeUndefined();
  });
});

describe('JSON tree', () => {
  it('labels what each node holds, with paths as values', () => {
    const tree = jsonTree({ items: ['milk', 'eggs'], owner: 'ada', 'two words': null, n: {} });
    expect(tree.label).toBe('(root): {4 keys}');
    expect(tree.children!.map((child) => child.label)).toEqual(['"items": [2 items]', '"owner": "ada"', '"two words": null', '"n": {0 keys}']);
    expect(tree.children![0].children!.map((child) => [child.value, child.label])).toEqual([
      ['$."items"[0]', '0: "milk"'],
      ['$."items"[1]', '1: "eggs"'],
    ]);
    expect(unfoldedPaths(tree, 2)).toEqual(['$', '$."items"', '$."n"']);
    expect(jsonTree(42)).toEqual({ value: '$', label: '(root): 42' });
  });

  it('shows the first entries of a big array and stays bounded', () => {
    const big = jsonTree(Array.from({ length: jsonEntriesShownMax + 5 }, (_, i) => i));
    expect(big.children).toHaveLength(jsonEntriesShownMax + 1);
    expect(big.children!.at(-1)!.label).toBe('… 5 more items');
    const count = (node: JsonTreeNode): number => 1 + (node.children ?? []).reduce((sum, child) => sum + count(child), 0);
    const deep = jsonTree(Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => ({ a: [1, 2, 3] }))));
    expect(count(deep)).toBeLessThan(jsonNodesMax + 200 * 4);
    expect(JSON.stringify(deep)).toContain('too large to unfold here');
  });
});

describe('value preview', () => {
  it('gives text on one line, or what the value is', () => {
    expect(valuePreview(base64('line one\n  line two'), 'text/plain')).toBe('line one line two');
    expect(valuePreview(base64('x'.repeat(100)), 'text/plain', 10)).toBe('xxxxxxxxx…');
    expect(valuePreview(base64(Uint8Array.from([0, 1, 2])), 'application/octet-stream')).toBe('(binary, 3 bytes)');
    expect(valuePreview(base64(Uint8Array.from([0x89, 0x50])), 'image/png')).toBe('(image/png, 2 bytes)');
    expect(valuePreview('', 'text/plain')).toBe('(empty)');
    expect(valuePreview('!!', 'text/plain')).toBe('(not base64)');
  });
});
