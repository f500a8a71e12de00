// Proves the --trace-sample argument (on cluster start, node start and console) takes a fraction
// from 0 to 1 in decimal notation and refuses anything else, which the CLI turns into exit 2.

import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { fraction } from '../../core/cli-kit/options.js';

describe('--trace-sample', () => {
  it('takes a fraction from 0 to 1', () => {
    expect(['0', '1', '0.01', '.5', '1.0', '0.000001'].map(fraction)).toEqual([0, 1, 0.01, 0.5, 1, 0.000001]);
  });

  it('refuses anything else', () => {
    for (const raw of ['', '-0.1', '1.5', '2', 'abc', '1e-2', '0x1', 'NaN', 'Infinity', '0.5.1', ' 0.5']) {
      expect(() => fraction(raw), raw).toThrow(InvalidArgumentError);
    }
  });
});
