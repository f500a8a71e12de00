// The state word: gossip's state, overridden by what the console knows first (a process that is
// not running is down; a running node with injected faults is isolated).

import { describe, expect, it } from 'vitest';
import { isLiveReplica, processNote, stateWord } from '../../renderer/lib/member-state.js';
import { member } from './fixtures.js';

describe('member state', () => {
  it('uses the gossiped state when nothing else is known', () => {
    expect(stateWord(member('n1'))).toBe('up');
    expect(stateWord(member('n1', { state: 'leaving' }))).toBe('leaving');
    expect(stateWord(member('n1', { state: 'joining', process: undefined }))).toBe('joining');
  });

  it('says down as soon as the process is not running, before gossip notices', () => {
    const killed = member('n3', {
      process: { state: 'stopped', pid: undefined, startedAt: undefined, restarts: 0, lastExit: { reason: 'killed', code: null, signal: 'SIGKILL' } },
    });
    expect(stateWord(killed)).toBe('down');
    expect(processNote(killed)).toBe('process killed (signal SIGKILL)');
    expect(isLiveReplica(killed)).toBe(false);
  });

  it('says isolated for a running node cut off from peers, even when others see it down', () => {
    const isolated = member('n2', { state: 'down', isolatedFrom: ['n1', 'n3'] });
    expect(stateWord(isolated)).toBe('isolated');
    expect(isLiveReplica(isolated)).toBe(false);
  });

  it('adds no process note when the process is up', () => {
    expect(processNote(member('n1'))).toBeUndefined();
    expect(processNote(member('n1', { process: { state: 'restarting', pid: 5, startedAt: 0, restarts: 1, lastExit: undefined } }))).toBe('process restarting');
  });
});
