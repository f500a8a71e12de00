// The must/may checker (Riak's model test, in STYLE.md): a history of client operations, and
// the verdict on a final read of every key.
//
// Every write carries a unique value (or, in the simulator, is named by its dot). A write "saw" the values its context covered: those the
// client's last read returned, plus the client's own earlier write in the same chain (a PUT's
// returned context covers the client's context and its own new write, nothing else). A write
// replaces what it saw. Then, for each key after the faults have healed:
//   - must be present: every acknowledged value that no attempted write saw (an attempted write
//     that was not acknowledged may still have been applied, so what it saw MAY be gone);
//   - must be absent: every value an acknowledged write saw (a replaced value that comes back is
//     a resurrection), including values an acknowledged delete saw;
//   - nothing else may appear: every value present was written by someone.

export interface Violation {
  key: string;
  kind: 'lost' | 'resurrected' | 'unknown' | 'diverged';
  value: string;
}

interface KeyHistory {
  acked: Set<string>;
  attempted: Set<string>;
  seenByAttempt: Set<string>;
  seenByAck: Set<string>;
}

export class History {
  private readonly keys = new Map<string, KeyHistory>();
  ackedWrites = 0;
  failedWrites = 0;

  private of(key: string): KeyHistory {
    let history = this.keys.get(key);
    if (history === undefined) {
      history = { acked: new Set(), attempted: new Set(), seenByAttempt: new Set(), seenByAck: new Set() };
      this.keys.set(key, history);
    }
    return history;
  }

  /** Before sending: a write of `value` (undefined for a delete) whose context covered `seen`. */
  attempt(key: string, value: string | undefined, seen: Iterable<string>): void {
    const history = this.of(key);
    if (value !== undefined) history.attempted.add(value);
    for (const old of seen) history.seenByAttempt.add(old);
  }

  /**
   * The write was acknowledged. A tombstone's own id (`tombstone`) is not required to stay:
   * once every replica holds it and its grace has passed, the key is collected, and an absent
   * key reads as deleted too; what the delete saw must still never come back.
   */
  acknowledge(key: string, value: string | undefined, seen: Iterable<string>, tombstone = false): void {
    const history = this.of(key);
    this.ackedWrites++;
    if (value !== undefined && !tombstone) history.acked.add(value);
    for (const old of seen) history.seenByAck.add(old);
  }

  fail(): void {
    this.failedWrites++;
  }

  get keyNames(): string[] {
    return [...this.keys.keys()];
  }

  /**
   * The verdict on one key's final versions. `unknown: false` skips the check that every
   * present version was attempted (for callers that name versions by ids known only once
   * acknowledged, such as dots).
   */
  check(key: string, finalValues: Iterable<string>, options: { unknown?: boolean } = {}): Violation[] {
    const history = this.of(key);
    const present = new Set(finalValues);
    const violations: Violation[] = [];
    for (const value of history.acked) {
      if (!history.seenByAttempt.has(value) && !present.has(value)) violations.push({ key, kind: 'lost', value });
    }
    for (const value of present) {
      if (history.seenByAck.has(value)) violations.push({ key, kind: 'resurrected', value });
      if (options.unknown !== false && !history.attempted.has(value)) violations.push({ key, kind: 'unknown', value });
    }
    return violations;
  }
}

/**
 * One client's knowledge of one key: the context it holds and the values that context covers.
 * After a failed write the outcome is unknown, so the client forgets its context (its next
 * write is blind or follows a new read).
 */
export class ClientKey {
  context: string | undefined;
  seen: string[] = [];

  afterRead(context: string | undefined, values: string[]): void {
    this.context = context;
    this.seen = values;
  }

  afterWrite(context: string, value: string | undefined, wrote: string[]): void {
    this.context = context;
    this.seen = value === undefined ? [...wrote] : [...wrote, value];
  }

  forget(): void {
    this.context = undefined;
    this.seen = [];
  }
}
