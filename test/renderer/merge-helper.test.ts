// The merge the Conflicts page proposes: the union of JSON arrays (the paper's shopping cart),
// every field of JSON objects with the disagreements listed, text one value after another, and
// nothing proposed for binary values.

import { describe, expect, it } from 'vitest';
import { arrayUnion, proposeMerge, type SiblingValue } from '../../renderer/lib/merge-helper.js';
import { textToBase64, valueText } from '../../renderer/lib/value-text.js';

function sibling(index: number, text: string, contentType = 'application/json', second = index): SiblingValue {
  return {
    sibling: index,
    value: valueText(textToBase64(text), contentType),
    contentType,
    lastModified: `2026-11-22T10:00:0${second}.000Z`,
    deleted: false,
  };
}

describe('merge helper', () => {
  it('unites JSON arrays, as the paper merges a shopping cart', () => {
    const merged = proposeMerge([sibling(1, '["milk","eggs"]'), sibling(2, '["milk","bread"]')]);
    expect(merged.kind).toBe('json-array-union');
    expect(JSON.parse(merged.text)).toEqual(['milk', 'eggs', 'bread']);
    expect(merged.contentType).toBe('application/json');
    expect(merged.explanation).toMatch(/union/);
    expect(merged.conflicts).toEqual([]);
  });

  it('keeps an element as often as the sibling holding it most often, objects compared by value', () => {
    expect(arrayUnion([['a', 'a', 'b'], ['a', 'c', 'a', 'a']])).toEqual(['a', 'a', 'b', 'c', 'a']);
    expect(arrayUnion([[{ sku: 1, qty: 2 }], [{ qty: 2, sku: 1 }]])).toEqual([{ sku: 1, qty: 2 }]);
  });

  it('keeps every field of JSON objects and lists the paths where siblings disagree', () => {
    const merged = proposeMerge([
      sibling(1, '{"name":"Ada","city":"London","tags":["a"],"address":{"zip":"1","street":"x"}}', 'application/json', 5),
      sibling(2, '{"name":"Ada","city":"Paris","phone":"123","tags":["b"],"address":{"zip":"2","street":"x"}}', 'application/json', 7),
    ]);
    expect(merged.kind).toBe('json-object-fields');
    // Sibling 2 is newer: its city and zip are taken; fields only one side has are kept.
    expect(JSON.parse(merged.text)).toEqual({ name: 'Ada', city: 'Paris', tags: ['a', 'b'], address: { zip: '2', street: 'x' }, phone: '123' });
    expect(merged.conflicts.map((c) => [c.path.join('.'), c.taken])).toEqual([
      ['city', 2],
      ['tags', 'union'],
      ['address.zip', 2],
    ]);
    expect(merged.conflicts[0].values).toEqual([
      { sibling: 1, value: 'London' },
      { sibling: 2, value: 'Paris' },
    ]);
    expect(merged.explanation).toMatch(/newest sibling’s value \(Sibling 2/);
  });

  it('takes a conflicting field from the newest sibling that has it', () => {
    const merged = proposeMerge([sibling(1, '{"a":1}', 'application/json', 3), sibling(2, '{"a":2}', 'application/json', 2), sibling(3, '{"b":1}', 'application/json', 9)]);
    expect(JSON.parse(merged.text)).toEqual({ a: 1, b: 1 });
    expect(merged.conflicts[0].values).toEqual([
      { sibling: 1, value: 1 },
      { sibling: 2, value: 2 },
      { sibling: 3, value: undefined },
    ]);
  });

  it('puts text siblings one after another, each distinct value once, Sibling 1 first', () => {
    const merged = proposeMerge([sibling(1, 'hello\n', 'text/plain'), sibling(2, 'hi', 'text/plain'), sibling(3, 'hello', 'text/plain')]);
    expect(merged.kind).toBe('text-concatenated');
    expect(merged.text).toBe('hello\nhi\n');
    expect(merged.contentType).toBe('text/plain');
    // JSON of different kinds is merged as text too, and no longer claims to be JSON.
    const mixed = proposeMerge([sibling(1, '[1]'), sibling(2, '{"a":1}')]);
    expect(mixed.kind).toBe('text-concatenated');
    expect(mixed.contentType).toBe('text/plain');
  });

  it('writes equal values as they are, skips deletions, and proposes nothing for binary values', () => {
    expect(proposeMerge([sibling(1, '"x"'), sibling(2, '"x"')]).kind).toBe('identical');
    const withDeletion = proposeMerge([sibling(1, '["a"]'), { ...sibling(2, ''), deleted: true }]);
    expect(withDeletion.kind).toBe('identical');
    expect(withDeletion.explanation).toMatch(/deletion sibling is superseded/);
    const binary = proposeMerge([sibling(1, 'a', 'text/plain'), { ...sibling(2, ''), value: valueText(btoa('\xff\xfe'), 'application/octet-stream') }]);
    expect(binary).toMatchObject({ kind: 'binary', text: '' });
    expect(binary.explanation).toMatch(/Sibling 2 is not text/);
  });
});
