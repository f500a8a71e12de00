// The nemesis: a schedule of faults drawn from the seed before the run (so a seed names the same
// faults every time), then played against the real processes, one fault at a time:
//   kill            SIGKILL a node (supervisor.kill), restart it when the fault ends;
//   pause           SIGSTOP a node's process, SIGCONT when the fault ends (the slow node);
//   isolate-node    one node cut from the other four (POST /v1/admin/faults on its side);
//   isolate-minority two nodes cut from the other three (posted on the minority's side);
//   split-halves    two groups (2 | 3) each cutting the other (posted on both sides).
// healAll() undoes whatever is in force, whatever the schedule's state.

import type { DynamoClient } from '../core/api/client.js';
import { SeededRandom } from '../core/common/random.js';
import type { ClusterSupervisor } from '../core/host/supervisor.js';

export type FaultKind = 'kill' | 'pause' | 'isolate-node' | 'isolate-minority' | 'split-halves';
export const faultKinds: FaultKind[] = ['kill', 'pause', 'isolate-node', 'isolate-minority', 'split-halves'];

export interface ScheduledFault {
  /** Milliseconds after the start at which the fault begins. */
  at: number;
  kind: FaultKind;
  /** The nodes the fault hits (the isolated side for isolations). */
  nodes: string[];
  /** How long it lasts, in milliseconds. */
  holdMs: number;
}

export function shuffle<T>(rng: SeededRandom, items: readonly T[]): T[] {
  const rest = [...items];
  const out: T[] = [];
  while (rest.length > 0) out.push(rest.splice(rng.int(rest.length), 1)[0]);
  return out;
}

export interface ScheduleTiming {
  /** A fault lasts between holdMs[0] and holdMs[1]; the quiet between two, quietMs. */
  holdMs: [number, number];
  quietMs: [number, number];
}

export const defaultTiming: ScheduleTiming = { holdMs: [2_000, 6_000], quietMs: [1_000, 3_000] };

/** The faults of a run of `durationMs`, from `seed`: a quiet spell, then a fault held a while. */
export function faultSchedule(seed: number, ids: string[], durationMs: number, timing: ScheduleTiming = defaultTiming): ScheduledFault[] {
  const rng = new SeededRandom(seed ^ 0x6e656d65);
  const between = ([low, high]: [number, number]) => low + rng.int(Math.max(1, high - low));
  const schedule: ScheduledFault[] = [];
  let at = between(timing.quietMs);
  // Each kind at least once when the run is long enough: the first five are a shuffle of them.
  const firstKinds = shuffle(rng, faultKinds);
  for (;;) {
    const holdMs = between(timing.holdMs);
    if (at + holdMs > durationMs) break;
    const kind = firstKinds.shift() ?? faultKinds[rng.int(faultKinds.length)];
    const order = shuffle(rng, ids);
    const size = kind === 'isolate-minority' || kind === 'split-halves' ? 2 : 1;
    schedule.push({ at, kind, nodes: order.slice(0, size).sort(), holdMs });
    at += holdMs + between(timing.quietMs);
  }
  return schedule;
}

export interface NemesisEnv {
  ids: string[];
  supervisor: ClusterSupervisor;
  /** Admin clients (short time-outs) by node id. */
  admin: Map<string, DynamoClient>;
  say: (line: string) => void;
  now: () => number;
}

export class Nemesis {
  readonly counts: Record<FaultKind, number> = { kill: 0, pause: 0, 'isolate-node': 0, 'isolate-minority': 0, 'split-halves': 0 };
  readonly log: Array<{ time: number; event: string }> = [];
  private readonly killed = new Set<string>();
  private readonly paused = new Map<string, number>();
  private stopped = false;

  constructor(private readonly env: NemesisEnv) {}

  private note(event: string): void {
    this.log.push({ time: this.env.now(), event });
    this.env.say(`  [nemesis ${(this.env.now() / 1000).toFixed(1)}s] ${event}`);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Plays the schedule until it ends or stop() is called; each fault is healed before the next. */
  async run(schedule: ScheduledFault[], startedAt: number): Promise<void> {
    for (const fault of schedule) {
      if (this.stopped) return;
      await sleepUntil(startedAt + fault.at, () => this.stopped);
      if (this.stopped) return;
      await this.begin(fault);
      await sleepUntil(performance.now() + fault.holdMs, () => this.stopped);
      await this.healAll();
    }
  }

  private others(nodes: string[]): string[] {
    return this.env.ids.filter((id) => !nodes.includes(id));
  }

  private async isolate(node: string, isolate: string[]): Promise<void> {
    const answer = await this.env.admin.get(node)!.json('POST', '/v1/admin/faults', { isolate });
    if (answer.status !== 200) throw new Error(`isolating on ${node} answered ${answer.status}`);
  }

  async begin(fault: ScheduledFault): Promise<void> {
    this.counts[fault.kind]++;
    this.note(`${fault.kind} ${fault.nodes.join(',')} for ${fault.holdMs} ms`);
    switch (fault.kind) {
      case 'kill':
        for (const node of fault.nodes) {
          this.killed.add(node);
          await this.env.supervisor.kill(node);
        }
        break;
      case 'pause':
        for (const node of fault.nodes) {
          const pid = this.env.supervisor.snapshot().find((status) => status.id === node)?.pid;
          if (pid === undefined) throw new Error(`node ${node} has no pid to pause`);
          process.kill(pid, 'SIGSTOP');
          this.paused.set(node, pid);
        }
        break;
      case 'isolate-node':
      case 'isolate-minority':
        for (const node of fault.nodes) await this.isolate(node, this.others(fault.nodes));
        break;
      case 'split-halves': {
        const other = this.others(fault.nodes);
        for (const node of fault.nodes) await this.isolate(node, other);
        for (const node of other) await this.isolate(node, fault.nodes);
        break;
      }
    }
  }

  /** SIGCONT every paused node, restart every killed one, and lift every isolation. */
  async healAll(): Promise<void> {
    for (const [node, pid] of this.paused) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // The process is gone.
      }
      this.paused.delete(node);
      this.note(`resume ${node}`);
    }
    for (const node of [...this.killed]) {
      await this.env.supervisor.start(node);
      this.killed.delete(node);
      this.note(`restarted ${node}`);
    }
    for (const node of this.env.ids) {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.isolate(node, []);
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  }

  /** SIGCONT for any paused process (for cleanup on an error). */
  resumeAll(): void {
    for (const pid of this.paused.values()) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    this.paused.clear();
  }
}

async function sleepUntil(deadline: number, cancelled: () => boolean): Promise<void> {
  while (!cancelled() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(1, deadline - performance.now()))));
  }
}
