// Differences between two siblings: a line diff for text (Myers' O(ND) algorithm, "An O(ND)
// Difference Algorithm and Its Variations", 1986) and a structural diff for JSON (the paths
// added, removed and changed). Pure.

import { canonicalJson, isJsonObject, type JsonValue, type PathStep } from './json-value.js';

/** Past this many differences the diff stops looking for the shortest script (memory grows as D²). */
export const diffEditsMax = 2000;

export type EditKind = 'same' | 'removed' | 'added';

/** One step of an edit script: `a` indexes the old sequence, `b` the new one. */
export type Edit = { kind: 'same'; a: number; b: number } | { kind: 'removed'; a: number } | { kind: 'added'; b: number };

export interface EditScript {
  edits: Edit[];
  /** False when the sequences differ in more than diffEditsMax places and the script is not minimal. */
  minimal: boolean;
}

/**
 * A shortest edit script from `a` to `b` (elements compared with ===). The common prefix and
 * suffix are matched first; the middle goes through Myers' greedy search, keeping only the
 * diagonals each step reached, so that memory is O(D²) rather than O(D·(N+M)).
 */
export function diffSequences(a: readonly string[], b: readonly string[]): EditScript {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = [];
  for (let i = 0; i < start; i++) edits.push({ kind: 'same', a: i, b: i });
  const middle = myers(a, b, start, endA, start, endB);
  edits.push(...middle.edits);
  for (let i = 0; endA + i < a.length; i++) edits.push({ kind: 'same', a: endA + i, b: endB + i });
  return { edits, minimal: middle.minimal };
}

function myers(a: readonly string[], b: readonly string[], fromA: number, toA: number, fromB: number, toB: number): EditScript {
  const n = toA - fromA;
  const m = toB - fromB;
  if (n === 0 || m === 0) {
    const edits: Edit[] = [];
    for (let i = fromA; i < toA; i++) edits.push({ kind: 'removed', a: i });
    for (let j = fromB; j < toB; j++) edits.push({ kind: 'added', b: j });
    return { edits, minimal: true };
  }
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d]: the furthest x on each diagonal k ∈ [-d, d] before step d (index k + d).
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= Math.min(max, diffEditsMax); d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]);
      let x = down ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[fromA + x] === b[fromB + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) {
    // Too different to search further: remove everything, then add everything (correct, not minimal).
    const edits: Edit[] = [];
    for (let i = fromA; i < toA; i++) edits.push({ kind: 'removed', a: i });
    for (let j = fromB; j < toB; j++) edits.push({ kind: 'added', b: j });
    return { edits, minimal: false };
  }
  const reversed: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const before = trace[d];
    const at = (diagonal: number) => before[diagonal + d];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    // The snake after the move: back along the diagonal to the point the move reached.
    const movedX = down ? previousX : previousX + 1;
    while (x > movedX) {
      reversed.push({ kind: 'same', a: fromA + x - 1, b: fromB + y - 1 });
      x--;
      y--;
    }
    if (down) reversed.push({ kind: 'added', b: fromB + previousY });
    else reversed.push({ kind: 'removed', a: fromA + previousX });
    x = previousX;
    y = previousY;
  }
  while (x > 0 && y > 0) {
    reversed.push({ kind: 'same', a: fromA + x - 1, b: fromB + y - 1 });
    x--;
    y--;
  }
  return { edits: reversed.reverse(), minimal: true };
}

// ── Lines ────────────────────────────────────────────────────────────────────────────────────

export interface DiffLine {
  kind: EditKind;
  text: string;
  /** 1-based line numbers in the old and the new text (absent on the side that lacks the line). */
  oldLine?: number;
  newLine?: number;
}

export interface LineDiff {
  lines: DiffLine[];
  added: number;
  removed: number;
  minimal: boolean;
}

export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

export function lineDiff(oldText: string, newText: string): LineDiff {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const script = diffSequences(a, b);
  let added = 0;
  let removed = 0;
  const lines = script.edits.map((edit): DiffLine => {
    switch (edit.kind) {
      case 'same':
        return { kind: 'same', text: a[edit.a], oldLine: edit.a + 1, newLine: edit.b + 1 };
      case 'removed':
        removed++;
        return { kind: 'removed', text: a[edit.a], oldLine: edit.a + 1 };
      case 'added':
        added++;
        return { kind: 'added', text: b[edit.b], newLine: edit.b + 1 };
    }
  });
  return { lines, added, removed, minimal: script.minimal };
}

// ── JSON ─────────────────────────────────────────────────────────────────────────────────────

export interface JsonChange {
  kind: 'added' | 'removed' | 'changed';
  path: PathStep[];
  /** The old value (removed, changed) and the new one (added, changed). */
  before?: JsonValue;
  after?: JsonValue;
}

/**
 * The paths where `b` differs from `a`. Objects are compared field by field; arrays element by
 * element through an edit script, so an element inserted in the middle is one addition rather
 * than a change at every later index. Within a run of removals and additions, pairs are reported
 * as changes (compared inside when both are objects or both arrays), the rest as they are.
 * Paths of removals use the old array's indexes; additions and changes the new one's.
 */
export function jsonDiff(a: JsonValue, b: JsonValue): JsonChange[] {
  const changes: JsonChange[] = [];
  compare(a, b, [], changes);
  return changes;
}

function compare(a: JsonValue, b: JsonValue, path: PathStep[], out: JsonChange[]): void {
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const inA = Object.hasOwn(a, key);
      const inB = Object.hasOwn(b, key);
      if (inA && inB) compare(a[key], b[key], [...path, key], out);
      else if (inA) out.push({ kind: 'removed', path: [...path, key], before: a[key] });
      else out.push({ kind: 'added', path: [...path, key], after: b[key] });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    compareArrays(a, b, path, out);
    return;
  }
  if (canonicalJson(a) !== canonicalJson(b)) out.push({ kind: 'changed', path, before: a, after: b });
}

function compareArrays(a: JsonValue[], b: JsonValue[], path: PathStep[], out: JsonChange[]): void {
  const { edits } = diffSequences(a.map(canonicalJson), b.map(canonicalJson));
  let removed: number[] = [];
  let added: number[] = [];
  const flush = () => {
    const pairs = Math.min(removed.length, added.length);
    for (let i = 0; i < pairs; i++) {
      const before = a[removed[i]];
      const after = b[added[i]];
      const inside = (isJsonObject(before) && isJsonObject(after)) || (Array.isArray(before) && Array.isArray(after));
      if (inside) compare(before, after, [...path, added[i]], out);
      else out.push({ kind: 'changed', path: [...path, added[i]], before, after });
    }
    for (const i of removed.slice(pairs)) out.push({ kind: 'removed', path: [...path, i], before: a[i] });
    for (const j of added.slice(pairs)) out.push({ kind: 'added', path: [...path, j], after: b[j] });
    removed = [];
    added = [];
  };
  for (const edit of edits) {
    if (edit.kind === 'same') flush();
    else if (edit.kind === 'removed') removed.push(edit.a);
    else added.push(edit.b);
  }
  flush();
}
