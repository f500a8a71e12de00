// The node's events as log lines, with their figures: membership changes, faults injected and
// healed, transfers, hint deliveries and anti-entropy runs (not their progress, nor metric samples).

import type { Log } from '../common/log.js';
import type { NodeEvent } from './node-events.js';

export function logEvent(log: Log, event: NodeEvent): void {
  switch (event.type) {
    case 'member':
      return log.info({ member: event.id, state: event.state, previous: event.previous ?? null }, `member ${event.id} is ${event.state}`);
    case 'ring':
      return log.info({ version: event.version, partitionsOwned: event.partitionsOwned }, 'ring changed');
    case 'faults':
      return log.warn(
        { isolated: event.isolated },
        event.isolated.length === 0 ? 'faults healed' : `isolated from ${event.isolated.join(', ')}`,
      );
    case 'transfer': {
      const fields = { partition: event.partition, from: event.from, to: event.to, keysSent: event.keysSent };
      if (event.state === 'done') return log.info(fields, `transfer of partition ${event.partition} to ${event.to} done`);
      return log.warn(fields, `transfer of partition ${event.partition} to ${event.to} failed; it will be retried`);
    }
    case 'hints-delivered':
      return log.info({ target: event.target, delivered: event.delivered, pending: event.pending }, `handed ${event.delivered} hints to ${event.target}`);
    case 'metrics':
    case 'anti-entropy-progress':
    case 'transfer-progress':
      return; // frequent: for the live console, not the log (the run or transfer is logged when it ends)
    case 'anti-entropy': {
      const fields = { runId: event.runId ?? null, peer: event.peer ?? null, partition: event.partition ?? null, trigger: event.trigger, ...event.report };
      if (event.error !== undefined) return log.warn({ ...fields, error: event.error }, `anti-entropy run ended early: ${event.error}`);
      return log.info(fields, `anti-entropy run: ${event.report.keysRepaired} keys repaired`);
    }
  }
}
