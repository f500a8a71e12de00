// Anti-entropy and handoff across the cluster (AdminApi.runAntiEntropy, antiEntropyRuns, handoff).
// TO BE WRITTEN.

import type { AntiEntropyRuns, AntiEntropyRunView, AntiEntropyTarget, HandoffView } from '../admin/admin-api.js';
import { ConsoleError } from './errors.js';
import type { KeyContext } from './key-reader.js';

export async function runAntiEntropy(_context: KeyContext, _target: AntiEntropyTarget): Promise<AntiEntropyRunView[]> {
  throw new ConsoleError('unavailable', 'not written yet');
}

export async function antiEntropyRuns(_context: KeyContext): Promise<AntiEntropyRuns> {
  throw new ConsoleError('unavailable', 'not written yet');
}

export async function handoff(_context: KeyContext): Promise<HandoffView> {
  throw new ConsoleError('unavailable', 'not written yet');
}
