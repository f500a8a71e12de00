// Handoff across the cluster (AdminApi.handoff) over each node's HTTP API (CONTRACT.md): every
// member's GET /v1/admin/hints (one backlog per holder and target, with its age and pace) and
// GET /v1/admin/transfers (each transfer once, as its sender reports it: only the sender knows how
// far it has got). A member that cannot be read is listed with why; every answer is checked.

import type { HandoffView, HintBacklog, NodeProblem, TransferView } from '../admin/admin-api.js';
import type { HintTarget } from '../admin/events.js';
import type { Clock } from '../common/clock.js';
import type { KeyContext } from './key-reader.js';
import { field, isAmount, isCount, shapeError } from './node-answer.js';
import { nodeFailure } from './node-http.js';
import { memberUrl } from './operations-reader.js';

/** Hints every member holds, per target, and every transfer once with its sender's progress. */
export async function handoff(context: KeyContext, clock: Clock): Promise<HandoffView> {
  const members = context.source.status.members;
  const readings = await Promise.all(
    members.map(async ({ id }): Promise<{ node: string; hints: HintBacklog[]; transfers: TransferView[] } | { problem: NodeProblem }> => {
      const down = context.notRunning(id);
      if (down !== undefined) return { problem: { node: id, message: down } };
      const url = memberUrl(context, id);
      try {
        const [hints, transfers] = await Promise.all([context.http.get<unknown>(url, '/v1/admin/hints'), context.http.get<unknown>(url, '/v1/admin/transfers')]);
        return { node: id, hints: hintBacklogs(id, hints), transfers: transferList(id, transfers) };
      } catch (error) {
        return { problem: { node: id, message: nodeFailure(id, error).message } };
      }
    }),
  );
  const hints: HintBacklog[] = [];
  const transfers = new Map<string, { transfer: TransferView; bySender: boolean }>();
  const unreachable: NodeProblem[] = [];
  for (const reading of readings) {
    if ('problem' in reading) {
      unreachable.push(reading.problem);
      continue;
    }
    hints.push(...reading.hints);
    for (const transfer of reading.transfers) {
      const id = `${transfer.index}>${transfer.to}`;
      const bySender = transfer.from === reading.node;
      // The sender knows how far it has got; every other member only knows that it is pending.
      if (!(transfers.get(id)?.bySender ?? false) && (bySender || !transfers.has(id))) transfers.set(id, { transfer, bySender });
    }
  }
  const byNode = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  hints.sort((a, b) => byNode(a.holder, b.holder) || byNode(a.target, b.target));
  const listed = [...transfers.values()].map((entry) => entry.transfer).sort((a, b) => a.index - b.index || byNode(a.to, b.to));
  return { at: clock.now(), hints, transfers: listed, unreachable };
}

/**
 * GET /v1/admin/hints as backlogs held by `holder`: one per target the node lists (with its age
 * and pace; a target delivered to lately stays listed with 0 pending). A node that lists no
 * `targets` gives its counts alone.
 */
function hintBacklogs(holder: string, answer: unknown): HintBacklog[] {
  const byTarget = field(answer, 'byTarget');
  const targets = field(answer, 'targets');
  if (Array.isArray(targets)) {
    return targets.map((entry) => {
      const target = field(entry, 'target');
      const pending = field(entry, 'pending');
      const oldestAgeMs = field(entry, 'oldestAgeMs');
      const deliveredPerSec = field(entry, 'deliveredPerSec');
      if (typeof target !== 'string' || !isCount(pending) || !isAmount(oldestAgeMs) || !isAmount(deliveredPerSec)) throw shapeError(holder, 'hint list');
      const figures: HintTarget = { target, pending, oldestAgeMs, delivering: field(entry, 'delivering') === true, deliveredPerSec };
      return { holder, ...figures };
    });
  }
  if (typeof byTarget !== 'object' || byTarget === null || Array.isArray(byTarget)) throw shapeError(holder, 'hint list');
  return Object.entries(byTarget).flatMap(([target, pending]) => {
    if (!isCount(pending)) throw shapeError(holder, 'hint list');
    return pending === 0 ? [] : [{ holder, target, pending, oldestAgeMs: 0, delivering: false, deliveredPerSec: 0 }];
  });
}

const transferStates: ReadonlySet<unknown> = new Set(['waiting', 'sending', 'done', 'failed']);

/** GET /v1/admin/transfers' partitions, checked. */
function transferList(node: string, answer: unknown): TransferView[] {
  const partitions = field(answer, 'partitions');
  if (!Array.isArray(partitions)) throw shapeError(node, 'transfer list');
  return partitions.map((entry) => {
    const index = field(entry, 'index');
    const from = field(entry, 'from');
    const to = field(entry, 'to');
    const keysSent = field(entry, 'keysSent');
    const state = field(entry, 'state');
    if (!isCount(index) || typeof from !== 'string' || typeof to !== 'string' || !isCount(keysSent) || !transferStates.has(state)) {
      throw shapeError(node, 'transfer list');
    }
    const transfer: TransferView = { index, from, to, keysSent, state: state as TransferView['state'] };
    const keysTotal = field(entry, 'keysTotal');
    const startedAt = field(entry, 'startedAt');
    const etaMs = field(entry, 'etaMs');
    if (isCount(keysTotal)) transfer.keysTotal = keysTotal;
    if (isAmount(startedAt)) transfer.startedAt = startedAt;
    if (isAmount(etaMs)) transfer.etaMs = etaMs;
    return transfer;
  });
}
