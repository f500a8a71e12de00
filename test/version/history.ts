// Random but realistic histories of one key for the versioning tests: a few replicas, puts
// coordinated on any of them with the contexts real clients would send (none, one replica's,
// a full read's, or one handed back by an earlier put — its context plus its own dot, which
// exercises loose dots and dot clouds — possibly stale), and merges between
// replicas in any order, as hints, read repair and anti-entropy would apply them. The model
// remembers every acknowledged write and which later put's context superseded it.

import fc from 'fast-check';
import {
  coordinatePut,
  emptySiblingSet,
  mergeSiblingSets,
  type Sibling,
  type SiblingSet,
} from '../../core/version/sibling-set.js';
import { contextAfterWrite, contextCovers, type CausalContext } from '../../core/version/causal-context.js';
import { vvMerge, type VersionVector } from '../../core/version/vector-clock.js';

export const replicaIds = ['a', 'b', 'c'] as const;

export type ContextSource =
  | { type: 'empty' }
  | { type: 'replica'; replica: number }
  | { type: 'read' }
  | { type: 'returned'; index: number };

export type Step =
  | { type: 'put'; coordinator: number; context: ContextSource; deleted: boolean }
  | { type: 'merge'; from: number; to: number };

export interface Write {
  node: string;
  counter: number;
  deleted: boolean;
  /** The context the put was made with, as one vector (the sibling's `past`). */
  past: VersionVector;
  lastModified: number;
  /** True once a later put's context covered this write's dot. */
  superseded: boolean;
}

export interface History {
  replicas: SiblingSet[];
  writes: Write[];
  /** Every state any replica held, in order. */
  states: SiblingSet[];
}

const replica = fc.integer({ min: 0, max: replicaIds.length - 1 });

export const contextSourceArb: fc.Arbitrary<ContextSource> = fc.oneof(
  fc.constant<ContextSource>({ type: 'empty' }),
  replica.map<ContextSource>((r) => ({ type: 'replica', replica: r })),
  fc.constant<ContextSource>({ type: 'read' }),
  fc.nat().map<ContextSource>((index) => ({ type: 'returned', index })),
);

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    type: fc.constant('put' as const),
    coordinator: replica,
    context: contextSourceArb,
    deleted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  }),
  fc.record({ type: fc.constant('merge' as const), from: replica, to: replica }),
);

export const historyArb = (maxSteps = 30): fc.Arbitrary<Step[]> =>
  fc.array(stepArb, { minLength: 1, maxLength: maxSteps });

/** The bytes of write number `index`, so a sibling names the write it came from. */
export function valueOf(index: number): Uint8Array {
  return new Uint8Array([index & 0xff, (index >> 8) & 0xff]);
}

export function runHistory(steps: Step[]): History {
  const replicas = replicaIds.map(() => emptySiblingSet());
  const writes: Write[] = [];
  const returned: CausalContext[] = [];
  const states: SiblingSet[] = [];
  for (const step of steps) {
    if (step.type === 'merge') {
      replicas[step.to] = mergeSiblingSets(replicas[step.to], replicas[step.from]);
      states.push(replicas[step.to]);
      continue;
    }
    const context = contextOf(step.context, replicas, returned);
    for (const write of writes) {
      if (contextCovers(context, write.node, write.counter)) write.superseded = true;
    }
    const coordinator = replicaIds[step.coordinator];
    const result = coordinatePut(
      replicas[step.coordinator],
      context.vv,
      coordinator,
      {
        value: step.deleted ? new Uint8Array(0) : valueOf(writes.length),
        contentType: 'application/octet-stream',
        lastModified: writes.length,
        deleted: step.deleted,
      },
      context.dots,
    );
    if (!result.ok) throw new Error(`unexpected refusal: ${result.message}`);
    replicas[step.coordinator] = result.state;
    states.push(result.state);
    returned.push(contextAfterWrite(context, [result.sibling.node, result.sibling.counter]));
    const past: VersionVector = { ...context.vv };
    for (const [node, counter] of context.dots) past[node] = Math.max(past[node] ?? 0, counter);
    writes.push({
      node: result.sibling.node,
      counter: result.sibling.counter,
      deleted: step.deleted,
      past,
      lastModified: writes.length,
      superseded: false,
    });
  }
  return { replicas, writes, states };
}

export function mergeAll(states: readonly SiblingSet[]): SiblingSet {
  return states.reduce((merged, state) => mergeSiblingSets(merged, state), emptySiblingSet());
}

export function dotsOf(siblings: readonly Pick<Sibling, 'node' | 'counter'>[]): string[] {
  return siblings.map((s) => `${s.node}:${s.counter}`);
}

function contextOf(
  source: ContextSource,
  replicas: readonly SiblingSet[],
  returned: readonly CausalContext[],
): CausalContext {
  switch (source.type) {
    case 'empty':
      return { vv: {}, dots: [] };
    case 'replica':
      return { vv: replicas[source.replica].vv, dots: [] };
    case 'read':
      return { vv: replicas.reduce<VersionVector>((vv, s) => vvMerge(vv, s.vv), {}), dots: [] };
    case 'returned':
      return returned.length === 0 ? { vv: {}, dots: [] } : returned[source.index % returned.length];
  }
}
