// JSON values as the conflict tools see them: parsing a sibling's text, a canonical form (keys
// sorted) so that equal values compare equal whatever their key order, and paths written the
// way an operator reads them (`$.items[2].qty`). Pure.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The value of `text` when it is JSON, otherwise undefined (JSON's `null` is a value). */
export function parseJson(text: string): { value: JsonValue } | undefined {
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One line, keys sorted at every depth: equal values give equal strings. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** Two-space indented, as the merged value is written and the line diff compares JSON. */
export function prettyJson(value: JsonValue): string {
  return JSON.stringify(value, null, 2);
}

/** A step into a value: an object's field or an array's index. */
export type PathStep = string | number;

/** `$`, `$.items[2].qty`, `$["two words"]`. */
export function formatPath(path: readonly PathStep[]): string {
  let text = '$';
  for (const step of path) {
    if (typeof step === 'number') text += `[${step}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(step)) text += `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}

/** A value shortened to one line for a table cell: `"milk"`, `{"a":1,…}` (at most `max` characters). */
export function jsonPreview(value: JsonValue | undefined, max = 60): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
