// The cluster supervisor: one node per OS process, one XState actor per node process
// (DESIGN.md rules 3 and 4). It is what the headless host and the Electron main process run to
// start, stop, kill and restart local nodes, and what the console watches through
// `snapshot()` and `subscribe()`. Nodes never talk through it: it only runs them.

import { createActor, fromPromise, waitFor, type ActorRefFrom, type SnapshotFrom } from 'xstate';
import { CodedError } from '../common/coded-error.js';
import type { NodeInfo } from '../node/config.js';
import { killWaitMs } from './limits.js';
import {
  nodeActorMachine,
  type KillNodeInput,
  type LaunchNodeInput,
  type NodeProcessState,
  type RestartPolicy,
  type StopNodeInput,
} from './node-actor.machine.js';
import {
  describeExitInfo,
  NodeProcessLauncher,
  type ExitInfo,
  type NodeLauncher,
  type NodeLauncherConfiguration,
} from './node-launcher.js';
import type { NodeProcessConfig } from './node-process-api.js';
import type { ProcessSpawner, ProcessStdio } from './process-handle.js';

export interface ClusterSupervisorOptions {
  /** The node entry every process runs (`dist/core/host/node-main.js`; see local-cluster.ts). */
  entry: string;
  execArgv?: string[];
  env?: Record<string, string>;
  stdio?: ProcessStdio;
  /** How processes are started; child_process by default, utilityProcess under Electron. */
  spawn?: ProcessSpawner;
  launchTimeoutMs?: number;
  /** Makes the launcher of each process; a `NodeProcessLauncher` by default. */
  launcherFactory?: (configuration: NodeLauncherConfiguration) => NodeLauncher;
  restartPolicy?: Partial<RestartPolicy>;
}

/** One node as the console shows it. */
export interface NodeStatus {
  id: string;
  state: NodeProcessState;
  pid: number | undefined;
  http: string | undefined;
  peer: string | undefined;
  lastExit: ExitInfo | undefined;
  restarts: number;
}

/**
 * `startAll` or `restart` could not bring every node up (`START_FAILED`); `failures` says which
 * and why.
 */
export class ClusterStartError extends CodedError<'START_FAILED'> {
  override name = 'ClusterStartError';
  constructor(readonly failures: NodeStatus[]) {
    super(
      'START_FAILED',
      `failed to start ${failures.map((node) => `node ${node.id}: ${describeStatus(node)}`).join('; ')}`,
    );
  }
}

const settledStates: ReadonlySet<NodeProcessState> = new Set(['up', 'crashed', 'stopped']);
const runningStates: ReadonlySet<NodeProcessState> = new Set(['starting', 'up', 'stopping', 'killing']);

type NodeActor = ActorRefFrom<typeof nodeActorMachine>;

interface NodeSlot {
  config: NodeProcessConfig;
  actor: NodeActor;
  /** The launcher of the current (or last) process. */
  launcher: NodeLauncher | undefined;
}

export class ClusterSupervisor {
  private readonly slots = new Map<string, NodeSlot>();
  private readonly listeners = new Set<(nodes: NodeStatus[]) => void>();
  private readonly launcherFactory: (configuration: NodeLauncherConfiguration) => NodeLauncher;

  constructor(private readonly options: ClusterSupervisorOptions) {
    this.launcherFactory = options.launcherFactory ?? ((configuration) => new NodeProcessLauncher(configuration));
  }

  /** Registers a node (in `stopped`); `start` or `startAll` runs it. */
  add(config: NodeProcessConfig): void {
    if (this.slots.has(config.id)) throw new Error(`node ${config.id} is already supervised`);
    // The actor's effects need the slot and the slot needs the actor: the actor is set below.
    const slot = { config, launcher: undefined } as NodeSlot;
    const machine = nodeActorMachine.provide({
      actors: {
        launchNode: fromPromise<NodeInfo, LaunchNodeInput>(({ input }) => this.launch(slot, input)),
        stopNode: fromPromise<ExitInfo, StopNodeInput>(({ input }) => this.currentLauncher(slot).stop(input.maxWaitMs)),
        killNode: fromPromise<ExitInfo, KillNodeInput>(async () => {
          const launcher = this.currentLauncher(slot);
          launcher.kill('SIGKILL');
          return launcher.waitForExit(killWaitMs);
        }),
      },
    });
    slot.actor = createActor(machine, { input: { config, policy: this.options.restartPolicy } });
    slot.actor.subscribe(() => this.emit());
    this.slots.set(config.id, slot);
    slot.actor.start();
  }

  /** Starts every node that is not running, in parallel; resolves once all are up. */
  async startAll(): Promise<NodeInfo[]> {
    const slots = [...this.slots.values()];
    for (const slot of slots) this.sendStart(slot);
    const settled = await Promise.all(slots.map((slot) => this.settle(slot)));
    const failures = settled.filter((node) => node.state !== 'up');
    if (failures.length > 0) throw new ClusterStartError(failures);
    return slots.map((slot) => this.infoOf(slot));
  }

  /** Starts one node; resolves once it is up. */
  async start(id: string): Promise<NodeInfo> {
    const slot = this.slot(id);
    this.sendStart(slot);
    const node = await this.settle(slot);
    if (node.state !== 'up') throw new ClusterStartError([node]);
    return this.infoOf(slot);
  }

  /** Stops one node gracefully (killed after `maxWaitMs`); resolves once its process is gone. */
  async stop(id: string, maxWaitMs?: number): Promise<NodeStatus> {
    const slot = this.slot(id);
    slot.actor.send({ type: 'STOP', maxWaitMs });
    await waitFor(slot.actor, (snapshot) => !isRunning(snapshot) && snapshot.value !== 'restarting');
    return this.status(slot);
  }

  /** Kills one node's process (SIGKILL); it ends `stopped` with `lastExit.reason: 'killed'`. */
  async kill(id: string): Promise<NodeStatus> {
    const slot = this.slot(id);
    slot.actor.send({ type: 'KILL' });
    await waitFor(slot.actor, (snapshot) => !isRunning(snapshot) && snapshot.value !== 'restarting');
    return this.status(slot);
  }

  /** Stops the node if it runs, starts it again in a new process; resolves once it is up. */
  async restart(id: string, stopWaitMs?: number): Promise<NodeInfo> {
    const slot = this.slot(id);
    if (isRunning(slot.actor.getSnapshot())) await this.stop(id, stopWaitMs);
    slot.actor.send({ type: 'RESTART' });
    const node = await this.settle(slot);
    if (node.state !== 'up') throw new ClusterStartError([node]);
    return this.infoOf(slot);
  }

  /**
   * Stops the node if it runs and forgets it (the console's cancelled join plan); its data stays
   * on disk. Resolves with its last status once its process is gone.
   */
  async remove(id: string, maxWaitMs?: number): Promise<NodeStatus> {
    const status = await this.stop(id, maxWaitMs);
    const slot = this.slot(id);
    slot.actor.stop();
    this.slots.delete(id);
    this.emit();
    return status;
  }

  /** Whether a node of this id is supervised. */
  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Stops every node in parallel; resolves once no process of this supervisor is left. */
  async stopAll(maxWaitMs?: number): Promise<NodeStatus[]> {
    return Promise.all([...this.slots.keys()].map((id) => this.stop(id, maxWaitMs)));
  }

  /** Every node's current state, in the order they were added. */
  snapshot(): NodeStatus[] {
    return [...this.slots.values()].map((slot) => this.status(slot));
  }

  /** Calls `listener` with a fresh snapshot on every state change; returns an unsubscribe. */
  subscribe(listener: (nodes: NodeStatus[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The launcher of a node's current (or last) process, for calls to its API. */
  launcher(id: string): NodeLauncher | undefined {
    return this.slot(id).launcher;
  }

  private async launch(slot: NodeSlot, input: LaunchNodeInput): Promise<NodeInfo> {
    const { entry, execArgv, env, stdio, spawn, launchTimeoutMs } = this.options;
    const launcher = this.launcherFactory({ entry, execArgv, env, stdio, spawn, launchTimeoutMs, config: input.config });
    slot.launcher = launcher;
    launcher.onExit((exit) => slot.actor.send({ type: 'EXITED', exit }));
    return launcher.launch();
  }

  private currentLauncher(slot: NodeSlot): NodeLauncher {
    if (slot.launcher === undefined) throw new Error(`node ${slot.config.id} has no process`);
    return slot.launcher;
  }

  private sendStart(slot: NodeSlot): void {
    const state = slot.actor.getSnapshot().value;
    if (state === 'stopped') slot.actor.send({ type: 'START' });
    else if (state === 'crashed') slot.actor.send({ type: 'RESTART' });
  }

  /** Waits until the node is up, crashed or stopped (an auto-restart keeps it going). */
  private async settle(slot: NodeSlot): Promise<NodeStatus> {
    await waitFor(slot.actor, (snapshot) => settledStates.has(snapshot.value));
    return this.status(slot);
  }

  private slot(id: string): NodeSlot {
    const slot = this.slots.get(id);
    if (slot === undefined) throw new Error(`no node ${id} is supervised`);
    return slot;
  }

  private infoOf(slot: NodeSlot): NodeInfo {
    const info = slot.actor.getSnapshot().context.info;
    if (info === undefined) throw new Error(`node ${slot.config.id} is not up`);
    return info;
  }

  private status(slot: NodeSlot): NodeStatus {
    const { value, context } = slot.actor.getSnapshot();
    return {
      id: slot.config.id,
      state: value,
      pid: context.info?.pid,
      http: context.info?.http,
      peer: context.info?.peer,
      lastExit: context.lastExit,
      restarts: context.restarts,
    };
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const nodes = this.snapshot();
    for (const listener of [...this.listeners]) listener(nodes);
  }
}

function isRunning(snapshot: SnapshotFrom<typeof nodeActorMachine>): boolean {
  return runningStates.has(snapshot.value);
}

function describeStatus(node: NodeStatus): string {
  if (node.lastExit === undefined) return node.state;
  return describeExitInfo(node.lastExit);
}
