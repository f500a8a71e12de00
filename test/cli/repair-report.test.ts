// `dynamo repair` prints the run's totals, one line per repaired key, what the node left out of
// its list, and the replicas it went on without because they failed.

import { describe, expect, it } from 'vitest';
import { repairReport } from '../../core/cli/data-commands.js';

describe('repairReport', () => {
  it('prints the totals, each repaired key, the keys not listed and the peers the run went on without', () => {
    const text = repairReport({
      partitionsCompared: 12,
      segmentsDiffering: 3,
      keysRepaired: 4,
      bytesSent: 2048,
      repairedKeys: [
        { bucket: 'carts', key: 'alice', partition: 7, peer: 'n2', behind: 'peer' },
        { bucket: 'carts', key: 'bob', partition: 9, peer: 'n3', behind: 'local' },
      ],
      repairedKeysOmitted: 2,
      peersFailed: [{ peer: 'n5', error: 'n5 is unreachable' }],
    });
    expect(text.split('\n')).toEqual([
      'partitions compared 12, segments differing 3, keys repaired 4, bytes sent 2048',
      'carts/alice partition 7 peer n2 behind peer',
      'carts/bob partition 9 peer n3 behind local',
      '(2 more repaired keys not listed)',
      'went on without n5: n5 is unreachable',
      '',
    ]);
  });

  it('prints the totals alone for a run that repaired nothing', () => {
    expect(repairReport({ partitionsCompared: 5, segmentsDiffering: 0, keysRepaired: 0, bytesSent: 0 })).toBe(
      'partitions compared 5, segments differing 0, keys repaired 0, bytes sent 0\n',
    );
  });
});
