// The campaign's two workloads, run by concurrent clients that retry a failed request through
// another node and record every request in the Jepsen-style history:
//   - registers with contexts (blind writes, read-modify-writes, deletes), judged by the
//     must/may checker of test/support/history.ts;
//   - the paper's shopping cart: read a cart, union its siblings' items, add one unique item,
//     write back with the read's context; every acknowledged add must be in the final cart.

import type { DynamoClient, GetResult, WriteResult } from '../core/api/client.js';
import type { SeededRandom } from '../core/common/random.js';
import { ClientKey, History } from '../test/support/history.js';
import type { EventType, OperationLog } from './history.js';

export const bucket = 'campaign';

export interface Availability {
  /** Logical operations (a request and its retries count once). */
  operations: number;
  /** Operations some node acknowledged, after retries. */
  succeeded: number;
  /** Operations acknowledged by the first node asked. */
  firstTry: number;
  /** Requests sent again through another node. */
  retries: number;
}

export function newAvailability(): Availability {
  return { operations: 0, succeeded: 0, firstTry: 0, retries: 0 };
}

export interface WorkloadEnv {
  ids: string[];
  clients: Map<string, DynamoClient>;
  log: OperationLog;
  running: () => boolean;
  /** Attempts per operation: the first node and then others. */
  attempts: number;
}

/** What one request's answer means: ok, fail (did not happen) or info (unknown). */
function outcomeOf(status: number, okStatuses: number[]): EventType {
  if (okStatuses.includes(status)) return 'ok';
  return status >= 500 ? 'info' : 'fail';
}

/** Nodes to try, in order: a random first one, then the others in a random order. */
function nodeOrder(rng: SeededRandom, ids: string[], count: number): string[] {
  const rest = [...ids];
  const order: string[] = [];
  while (order.length < Math.min(count, ids.length)) order.push(rest.splice(rng.int(rest.length), 1)[0]);
  return order;
}

/** The last request's outcome, answer and value. */
type Attempted<T> = { type: EventType; result?: T; value?: string };

/**
 * Runs one logical operation through up to `attempts` nodes, logging each request; stops at the
 * first ok or fail (a refusal would be refused elsewhere too), retries on info. `valueOf(i)` is
 * the value the i-th request carries: register retries carry a new unique value, because an
 * unknown first attempt may have been applied too, and two versions of one value would make the
 * checker's "what a context saw" ambiguous.
 */
async function withRetries<T extends GetResult | WriteResult>(
  env: WorkloadEnv,
  rng: SeededRandom,
  stats: Availability,
  process: string,
  f: 'read' | 'write' | 'delete' | 'add',
  key: string,
  valueOf: (attempt: number) => string | undefined,
  okStatuses: number[],
  send: (client: DynamoClient, value: string | undefined) => Promise<T>,
): Promise<Attempted<T>> {
  stats.operations++;
  let final: Attempted<T> = { type: 'info' };
  const order = nodeOrder(rng, env.ids, env.attempts);
  for (let i = 0; i < order.length; i++) {
    const node = order[i];
    if (i > 0) stats.retries++;
    const value = valueOf(i);
    env.log.record({ process, type: 'invoke', f, key, value, node });
    try {
      const result = await send(env.clients.get(node)!, value);
      const type = outcomeOf(result.status, okStatuses);
      const error = 'error' in result ? result.error : undefined;
      env.log.record({ process, type, f, key, value, node, status: result.status, error });
      final = { type, result, value };
    } catch (error) {
      env.log.record({ process, type: 'info', f, key, value, node, error: (error as Error).message });
      final = { type: 'info' };
    }
    if (final.type === 'ok') {
      stats.succeeded++;
      if (i === 0) stats.firstTry++;
      return final;
    }
    if (final.type === 'fail') return final;
  }
  return final;
}

function siblingValues(result: GetResult): string[] {
  return 'siblings' in result ? result.siblings.map((s) => Buffer.from(s.value).toString()) : [];
}

// ── Registers ───────────────────────────────────────────────────────────────────────────────

export interface RegisterOptions {
  keys: number;
}

export async function registerClient(
  env: WorkloadEnv,
  rng: SeededRandom,
  index: number,
  history: History,
  stats: Availability,
  options: RegisterOptions,
): Promise<void> {
  const process = `r${index}`;
  const known = new Map<string, ClientKey>();
  for (let op = 0; env.running(); op++) {
    const key = `reg${rng.int(options.keys)}`;
    const state = known.get(key) ?? new ClientKey();
    known.set(key, state);
    const roll = rng.next();
    if (roll < 0.3) {
      const read = await withRetries(env, rng, stats, process, 'read', key, () => undefined, [200, 300, 404], (client) =>
        client.get(bucket, key, { json: true }),
      );
      if (read.type === 'ok' && read.result !== undefined) {
        const result = read.result;
        if ('siblings' in result) state.afterRead(result.context, siblingValues(result));
        else if (result.status === 404) state.afterRead('context' in result ? result.context : undefined, []);
      }
      continue;
    }
    const deleting = roll > 0.93;
    const valueOf = (attempt: number) => (deleting ? undefined : attempt === 0 ? `${process}.${op}` : `${process}.${op}.${attempt}`);
    const blind = roll < 0.42 || state.context === undefined;
    const seen = blind ? [] : [...state.seen];
    const context = blind ? undefined : state.context;
    const write = await withRetries(env, rng, stats, process, deleting ? 'delete' : 'write', key, valueOf, [204], (client, value) => {
      history.attempt(key, value, seen);
      return value === undefined
        ? client.delete(bucket, key, { context })
        : client.put(bucket, key, value, { context, contentType: 'text/plain' });
    });
    if (write.type === 'ok' && write.result !== undefined && 'context' in write.result) {
      history.acknowledge(key, write.value, seen);
      state.afterWrite(write.result.context, write.value, seen);
    } else {
      history.fail();
      state.forget();
    }
  }
}

// ── Shopping carts ──────────────────────────────────────────────────────────────────────────

export class CartHistory {
  readonly acked = new Map<string, Set<string>>();
  readonly unknown = new Map<string, Set<string>>();
  readonly attempted = new Map<string, Set<string>>();
  ackedAdds = 0;
  unknownAdds = 0;
  failedAdds = 0;

  private of(map: Map<string, Set<string>>, key: string): Set<string> {
    let set = map.get(key);
    if (set === undefined) map.set(key, (set = new Set()));
    return set;
  }

  attempt(key: string, item: string): void {
    this.of(this.attempted, key).add(item);
  }

  outcome(key: string, item: string, type: EventType): void {
    if (type === 'ok') {
      this.ackedAdds++;
      this.of(this.acked, key).add(item);
    } else if (type === 'info') {
      this.unknownAdds++;
      this.of(this.unknown, key).add(item);
    } else this.failedAdds++;
  }

  get keyNames(): string[] {
    return [...this.attempted.keys()];
  }

  /** Acknowledged adds missing from the final cart, and items nobody tried to add. */
  check(key: string, finalItems: Set<string>): { lost: string[]; unexpected: string[] } {
    const lost = [...(this.acked.get(key) ?? [])].filter((item) => !finalItems.has(item));
    const attempted = this.attempted.get(key) ?? new Set();
    const unexpected = [...finalItems].filter((item) => !attempted.has(item));
    return { lost, unexpected };
  }
}

/** The union of every sibling's items (each sibling is a JSON array of item names). */
export function cartItems(values: string[]): Set<string> {
  const items = new Set<string>();
  for (const value of values) {
    try {
      const parsed = JSON.parse(value);
      if (Array.isArray(parsed)) for (const item of parsed) items.add(String(item));
      else items.add(`<malformed:${value.slice(0, 40)}>`);
    } catch {
      items.add(`<malformed:${value.slice(0, 40)}>`);
    }
  }
  return items;
}

export async function cartClient(
  env: WorkloadEnv,
  rng: SeededRandom,
  index: number,
  carts: CartHistory,
  stats: Availability,
  options: { carts: number },
): Promise<void> {
  const process = `c${index}`;
  for (let op = 0; env.running(); op++) {
    const key = `cart${rng.int(options.carts)}`;
    const read = await withRetries(env, rng, stats, process, 'read', key, () => undefined, [200, 300, 404], (client) =>
      client.get(bucket, key, { json: true }),
    );
    if (read.type !== 'ok' || read.result === undefined) continue;
    const result = read.result;
    const context = 'context' in result ? result.context : undefined;
    const items = cartItems(siblingValues(result));
    const item = `${process}.${op}`;
    items.add(item);
    const body = JSON.stringify([...items].sort());
    carts.attempt(key, item);
    // Every attempt adds the same item: the cart is judged by presence, so duplicates are harmless.
    const write = await withRetries(env, rng, stats, process, 'add', key, () => item, [204], (client) =>
      client.put(bucket, key, body, { context, contentType: 'application/json' }),
    );
    carts.outcome(key, item, write.type);
  }
}
