// The one word (and colour) that says how a member is doing, as CONTRACT.md names them: up, down,
// joining, leaving, isolated. The cluster gossips up/down/joining/leaving; "isolated" comes from
// fault injection, and a process the console knows is not running is "down" at once, before
// gossip notices.

import type { MemberView, ProcessState } from '../../core/admin/admin-api.js';

export type StateWord = 'up' | 'down' | 'joining' | 'leaving' | 'isolated';

/** Mantine colour names, always shown next to the word (colour is never the only signal). */
export const stateColours: Record<StateWord, string> = {
  up: 'green',
  down: 'red',
  joining: 'blue',
  leaving: 'orange',
  isolated: 'grape',
};

const notRunning: ReadonlySet<ProcessState> = new Set(['stopping', 'killing', 'stopped', 'crashed', 'restarting', 'starting']);

export function stateWord(member: MemberView): StateWord {
  if (member.process !== undefined && notRunning.has(member.process.state)) return 'down';
  if (member.isolatedFrom.length > 0) return 'isolated';
  return member.state;
}

/** Serves its replicas with its peers: counts as a live replica in cost sentences. */
export function isLiveReplica(member: MemberView | undefined): boolean {
  if (member === undefined) return false;
  const word = stateWord(member);
  return word === 'up' || word === 'leaving';
}

/**
 * A note on the process when it says more than the state word does ("process crashed"), or
 * undefined when the word already tells it all.
 */
export function processNote(member: MemberView): string | undefined {
  const process = member.process;
  if (process === undefined || process.state === 'up') return undefined;
  const exit = process.lastExit;
  if ((process.state === 'stopped' || process.state === 'crashed') && exit !== undefined) {
    const how = exit.signal !== null ? `signal ${exit.signal}` : exit.code !== null ? `code ${exit.code}` : undefined;
    return `process ${exit.reason}${how === undefined ? '' : ` (${how})`}`;
  }
  return `process ${process.state}`;
}
