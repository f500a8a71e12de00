// Raw classic-level in the generator's own process: no network, no replication, no versioning.
// It bounds what one replica's storage engine can do on this machine, with the same write
// options a node uses (no sync).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { ok } from './workload.js';
import type { BenchTarget, KeySpace, Outcome } from './workload.js';

export class LevelTarget implements BenchTarget {
  readonly name = 'level';

  private constructor(
    private readonly db: ClassicLevel<string, Uint8Array>,
    private readonly dir: string,
    private readonly keySpace: KeySpace,
  ) {}

  static async open(keySpace: KeySpace, options: { parentDir?: string } = {}): Promise<LevelTarget> {
    const dir = await mkdtemp(path.join(options.parentDir ?? os.tmpdir(), 'level-bench-'));
    const db = new ClassicLevel<string, Uint8Array>(path.join(dir, 'db'), { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    return new LevelTarget(db, dir, keySpace);
  }

  insert(key: number, value: number): Promise<Outcome> {
    return this.update(key, value);
  }

  async read(key: number): Promise<Outcome> {
    try {
      const value = await this.db.get(this.keySpace.keys[key]);
      return value === undefined ? { kind: 'not_found' } : ok;
    } catch (error) {
      if ((error as { code?: string }).code === 'LEVEL_NOT_FOUND') return { kind: 'not_found' };
      return { kind: 'error', code: String((error as { code?: string }).code ?? error) };
    }
  }

  async update(key: number, value: number): Promise<Outcome> {
    try {
      await this.db.put(this.keySpace.keys[key], this.keySpace.values[value]);
      return ok;
    } catch (error) {
      return { kind: 'error', code: String((error as { code?: string }).code ?? error) };
    }
  }

  async processes(): Promise<{ role: string; pid: number }[]> {
    return []; // the generator's own process, which the runner always measures
  }

  async close(): Promise<void> {
    await this.db.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
