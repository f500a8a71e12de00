// Invariant checks (TigerBeetle style): a broken invariant is a bug and crashes loudly.
// Operating errors (timeouts, quorum not met, bad input) are typed results, never assertions.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}
