// The base of every typed operating error (STYLE.md: errors carry stable codes and a cause).
// Subclasses name themselves and narrow `Code` to their own union of codes.

export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What went wrong, in a sentence: an Error's message, or anything else as a string. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
