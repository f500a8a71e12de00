// The merge the Conflicts page proposes for a key's siblings (Dynamo §4.4: "the client must
// perform the reconciliation"; §6.1's shopping cart merges by union). The operator sees it in
// the "Merged value" box, edits it if need be, and writes it with the read's context. Pure.
//
// - JSON arrays: the union, each element as many times as the sibling holding it most often
//   (a multiset union; Sibling 1's order first). As the paper warns, what one side removed may
//   come back.
// - JSON objects: every field of every sibling; nested objects merged the same way, nested
//   arrays united; where siblings disagree on a value the newest sibling's is taken and the path
//   is listed as a conflict.
// - Text (or JSON of mixed kinds): each distinct value one after another, Sibling 1 first, so
//   nothing is lost and the operator edits it down. The longest value would silently drop the
//   others' text.

import { canonicalJson, isJsonObject, type JsonObject, type JsonValue, jsonEqual, type PathStep, prettyJson } from './json-value.js';
import type { ValueText } from './value-text.js';

export interface SiblingValue {
  /** VersionView.index: "Sibling N". */
  sibling: number;
  value: ValueText;
  contentType: string;
  /** ISO 8601: which sibling is newest, for object fields in conflict. */
  lastModified: string;
  deleted: boolean;
}

export type MergeKind = 'identical' | 'json-array-union' | 'json-object-fields' | 'text-concatenated' | 'binary' | 'nothing';

/** A path where the siblings disagree, each sibling's value there (undefined: absent), and what the merge took. */
export interface MergeConflict {
  path: PathStep[];
  values: { sibling: number; value: JsonValue | undefined }[];
  /** The sibling whose value the merge took, or 'union' for arrays united. */
  taken: number | 'union';
}

export interface MergeProposal {
  kind: MergeKind;
  /** The pre-filled "Merged value". */
  text: string;
  contentType: string;
  conflicts: MergeConflict[];
  /** One or two sentences for the page: what the merge did and what to check. */
  explanation: string;
}

const jsonType = 'application/json';
const textType = 'text/plain';

export function proposeMerge(siblings: readonly SiblingValue[]): MergeProposal {
  const live = [...siblings].filter((s) => !s.deleted).sort((x, y) => x.sibling - y.sibling);
  if (live.length === 0) {
    return { kind: 'nothing', text: '', contentType: textType, conflicts: [], explanation: 'Every sibling is a deletion: there is no value to merge. Write a value, or keep a deletion.' };
  }
  const binary = live.find((s) => s.value.kind === 'binary');
  if (binary !== undefined) {
    return {
      kind: 'binary',
      text: '',
      contentType: binary.contentType,
      conflicts: [],
      explanation: `Sibling ${binary.sibling} is not text, so no merge is proposed: keep one sibling, or type the value to write.`,
    };
  }
  const texts = live.map((s) => (s.value.kind === 'text' ? s.value : undefined)).filter((t) => t !== undefined);
  const deletions = siblings.length - live.length;
  const deletionNote = deletions === 0 ? '' : ` ${deletions === 1 ? 'The deletion sibling is' : 'The deletion siblings are'} superseded too.`;

  if (texts.every((t) => t.text === texts[0].text)) {
    return {
      kind: 'identical',
      text: texts[0].text,
      contentType: live[0].contentType,
      conflicts: [],
      explanation: `The siblings hold the same value: writing it leaves it as the one version.${deletionNote}`,
    };
  }
  const json = texts.map((t) => t.json?.value);
  if (json.every((v) => Array.isArray(v))) {
    return {
      kind: 'json-array-union',
      text: prettyJson(arrayUnion(json as JsonValue[][])),
      contentType: jsonType,
      conflicts: [],
      explanation:
        'Every sibling is a JSON array, so the merge is their union, as the Dynamo paper merges a shopping cart: every element of every sibling (Sibling 1’s order first). ' +
        `An element that one side removed comes back; edit the value if it should stay removed.${deletionNote}`,
    };
  }
  if (json.every((v) => isJsonObject(v))) {
    const conflicts: MergeConflict[] = [];
    const newest = newestFirst(live).map((s) => s.sibling);
    const merged = mergeObjects(
      live.map((s, i) => ({ sibling: s.sibling, value: json[i] as JsonObject })),
      [],
      newest,
      conflicts,
    );
    const taken = newest[0];
    return {
      kind: 'json-object-fields',
      text: prettyJson(merged),
      contentType: jsonType,
      conflicts,
      explanation:
        'Every sibling is a JSON object, so the merge keeps every field of every sibling; nested objects merge the same way and nested arrays are united. ' +
        (conflicts.length === 0
          ? 'No field has different values in different siblings.'
          : `Where siblings disagree, the merge takes the newest sibling’s value (Sibling ${taken} where it has the field); those paths are listed: check them before writing.`) +
        deletionNote,
    };
  }
  const distinct = [...new Set(texts.map((t) => t.text.replace(/\r?\n$/, '')))];
  const sameType = live.every((s) => s.contentType === live[0].contentType) && texts.every((t) => t.json === undefined);
  return {
    kind: 'text-concatenated',
    text: `${distinct.join('\n')}\n`,
    contentType: sameType ? live[0].contentType : textType,
    conflicts: [],
    explanation:
      'The siblings are text, which cannot be merged by meaning: the value holds each distinct sibling one after another, Sibling 1 first, so nothing is lost. ' +
      `Edit it down to the value you want before writing.${deletionNote}`,
  };
}

/** Siblings from the newest to the oldest by their time; equal times keep the lower number first. */
function newestFirst(siblings: readonly SiblingValue[]): SiblingValue[] {
  return [...siblings].sort((x, y) => Date.parse(y.lastModified) - Date.parse(x.lastModified) || x.sibling - y.sibling);
}

/**
 * A multiset union: each distinct element (compared as canonical JSON) as many times as the array
 * holding it most often, in the order first seen (the first array's order first).
 */
export function arrayUnion(arrays: readonly JsonValue[][]): JsonValue[] {
  const result: JsonValue[] = [];
  const counts = new Map<string, number>();
  for (const array of arrays) {
    const seenHere = new Map<string, number>();
    for (const element of array) {
      const key = canonicalJson(element);
      const here = (seenHere.get(key) ?? 0) + 1;
      seenHere.set(key, here);
      if ((counts.get(key) ?? 0) < here) {
        counts.set(key, here);
        result.push(element);
      }
    }
  }
  return result;
}

function mergeObjects(values: { sibling: number; value: JsonObject }[], path: PathStep[], newest: readonly number[], conflicts: MergeConflict[]): JsonObject {
  const keys = [...new Set(values.flatMap((v) => Object.keys(v.value)))];
  const merged: JsonObject = {};
  for (const key of keys) {
    const here = [...path, key];
    const present = values.filter((v) => Object.hasOwn(v.value, key)).map((v) => ({ sibling: v.sibling, value: v.value[key] }));
    const first = present[0].value;
    if (present.every((p) => jsonEqual(p.value, first))) {
      merged[key] = first;
    } else if (present.every((p) => isJsonObject(p.value))) {
      merged[key] = mergeObjects(present as { sibling: number; value: JsonObject }[], here, newest, conflicts);
    } else {
      const all = values.map((v) => ({ sibling: v.sibling, value: Object.hasOwn(v.value, key) ? v.value[key] : undefined }));
      if (present.every((p) => Array.isArray(p.value))) {
        merged[key] = arrayUnion(present.map((p) => p.value as JsonValue[]));
        conflicts.push({ path: here, values: all, taken: 'union' });
      } else {
        const taken = newest.find((sibling) => present.some((p) => p.sibling === sibling)) ?? present[0].sibling;
        merged[key] = present.find((p) => p.sibling === taken)?.value ?? first;
        conflicts.push({ path: here, values: all, taken });
      }
    }
  }
  return merged;
}
