// The console over a local cluster it runs (DESIGN.md, "The console"): the same supervisor and
// per-node XState actors as `dynamo cluster start`, with the process spawner injected (the
// desktop shell passes a utilityProcess spawner; child_process by default). On top of what every
// console does (console-service.ts) it kills and restarts node processes, publishes their process
// events, and adds nodes by a join plan: planJoin starts a new node without joining it and shows
// what its join would move; commitJoin joins it; cancelJoin stops and removes it.

import type { Capabilities, ClusterMode, ClusterView, JoinPlan, PlannedMove, ProcessView } from '../admin/admin-api.js';
import type { ExitReason } from '../admin/events.js';
import { nodeEntry, nodeProcessEnv } from '../host/local-cluster.js';
import { describeExitInfo, type ExitInfo } from '../host/node-launcher.js';
import { ClusterSupervisor, type NodeStatus } from '../host/supervisor.js';
import { formatAddress } from '../net/address.js';
import type { SourceCandidate, SourceReading } from './cluster-reader.js';
import { ConsoleBase, checkNodeId, type ConsoleService } from './console-service.js';
import { ConsoleError, fail } from './errors.js';
import { planJoinMoves, sameMoves } from './join-plan.js';
import { LocalNodes, type LocalConsoleOptions } from './local-nodes.js';
import { nodeBaseUrl, nodeFailure } from './node-http.js';

export type { LocalConsoleOptions } from './local-nodes.js';

/** Starts the cluster's nodes and resolves with a console over them once every node is up. */
export async function createLocalConsole(options: LocalConsoleOptions): Promise<ConsoleService> {
  const nodes = await LocalNodes.load(options);
  const console = new LocalConsole(options, nodes);
  await console.start();
  return console;
}

/** A waiting join plan and what commit needs. */
interface PendingJoin {
  plan: JoinPlan;
  seed: string;
}

class LocalConsole extends ConsoleBase {
  readonly mode: ClusterMode = 'local';
  private readonly supervisor: ClusterSupervisor;
  private readonly startedAt = new Map<string, number>();
  private readonly lastStates = new Map<string, NodeStatus['state']>();
  private readonly stopWatching: () => void;
  private pending: PendingJoin | undefined;
  /** Set while a plan is being made, so two plans never start two nodes. */
  private planning = false;
  private planCount = 0;

  constructor(
    options: LocalConsoleOptions,
    private readonly nodes: LocalNodes,
  ) {
    super({ token: nodes.token, clock: options.clock });
    this.supervisor = new ClusterSupervisor({
      entry: options.entry ?? nodeEntry,
      execArgv: options.execArgv,
      env: nodeProcessEnv,
      stdio: options.stdio ?? 'inherit',
      spawn: options.spawn,
    });
    this.stopWatching = this.supervisor.subscribe((statuses) => this.watch(statuses));
  }

  async start(): Promise<void> {
    for (const config of this.nodes.configs.values()) this.add(config.id);
    try {
      await this.supervisor.startAll();
    } catch (error) {
      await this.close().catch(() => undefined);
      throw new ConsoleError('internal', `cannot start the cluster: ${(error as Error).message}`, { cause: error });
    }
  }

  /** The view; when no node answers at all, the nodes as the supervisor knows them, all down. */
  override async clusterView(): Promise<ClusterView> {
    try {
      return await super.clusterView();
    } catch (error) {
      if (!(error instanceof ConsoleError) || error.code !== 'unavailable' || this.closed) throw error;
      return this.processOnlyView();
    }
  }

  /**
   * What the console knows without any node to ask (every process down): each node with its
   * process, `down`, so the operator can restart them. The ring is unknown until one answers.
   */
  private processOnlyView(): ClusterView {
    const processes = this.processes();
    const planned = this.pending?.plan.node;
    const configs = [...this.nodes.configs.values()].filter((config) => config.id !== planned);
    const first = configs[0];
    const plan = this.plannedJoin();
    return {
      mode: this.mode,
      source: '',
      n: first.n,
      r: first.r,
      w: first.w,
      members: configs.map((config) => ({
        id: config.id,
        http: formatAddress(config.host, config.httpPort),
        peer: formatAddress(config.host, config.peerPort),
        state: 'down',
        isolatedFrom: [],
        weight: config.weight,
        partitionsOwned: 0,
        hintsHeldFor: 0,
        transfersIn: 0,
        transfersOut: 0,
        process: processes.get(config.id),
      })),
      ring: undefined,
      hints: { pending: 0, byTarget: {} },
      transfers: { pending: 0, partitions: [] },
      capabilities: { ...this.capabilities(), faults: true },
      ...(plan === undefined ? {} : { plannedJoin: plan }),
    };
  }

  // ── Processes ───────────────────────────────────────────────────────────────────────────

  async killNode(id: string): Promise<void> {
    this.supervised(id);
    await this.supervisor.kill(id);
  }

  async restartNode(id: string): Promise<void> {
    this.supervised(id);
    try {
      await this.supervisor.restart(id);
    } catch (error) {
      fail('internal', `${id} did not come back up: ${(error as Error).message}`, error);
    }
  }

  protected processes(): ReadonlyMap<string, ProcessView> {
    const views = new Map<string, ProcessView>();
    for (const node of this.supervisor.snapshot()) {
      views.set(node.id, {
        state: node.state,
        pid: node.pid,
        startedAt: node.state === 'up' ? this.startedAt.get(node.id) : undefined,
        restarts: node.restarts,
        lastExit: node.lastExit === undefined ? undefined : { reason: exitReason(node.lastExit), code: node.lastExit.code, signal: node.lastExit.signal },
      });
    }
    return views;
  }

  protected candidates(): SourceCandidate[] {
    const planned = this.pending?.plan.node;
    return this.supervisor
      .snapshot()
      .filter((node) => node.state === 'up' && node.id !== planned)
      .map((node) => ({ id: node.id, url: this.urlOf(node.id) as string }));
  }

  protected capabilities(): Omit<Capabilities, 'faults'> {
    return { processActions: true, processActionsReason: undefined };
  }

  // ── Join plan ───────────────────────────────────────────────────────────────────────────

  protected override plannedJoin(): JoinPlan | undefined {
    return this.pending?.plan;
  }

  async planJoin(): Promise<JoinPlan> {
    this.checkOpen();
    if (this.pending !== undefined) fail('conflict', `the join plan for ${this.pending.plan.node} is waiting: commit or cancel it first`);
    if (this.planning) fail('conflict', 'a join plan is being made');
    this.planning = true;
    try {
      const source = await this.readSource();
      if (source.ring === undefined || source.membership === undefined) fail('unavailable', 'the cluster has no ring yet');
      const members = source.membership.members.map((member) => member.id);
      const id = this.nodes.nextId(members);
      // Seeds: every member's peer listener, those that are up first.
      const byState = [...source.status.members].sort((a, b) => Number(b.state === 'up') - Number(a.state === 'up'));
      const seeds = byState.map((member) => member.peer);
      const config = await this.nodes.plan(id, seeds);
      this.add(id);
      try {
        await this.supervisor.start(id);
        const plan = await this.makePlan(source, id, (this.urlOf(id) ?? formatAddress(config.host, config.httpPort)).replace(/^https?:\/\//, ''));
        this.pending = { plan, seed: seeds[0] };
        this.publish({ type: 'join-plan', node: id, at: this.clock.now(), planId: plan.planId, state: 'planned' });
        return plan;
      } catch (error) {
        await this.remove(id);
        throw error instanceof ConsoleError ? error : new ConsoleError('internal', `${id} did not start: ${(error as Error).message}`, { cause: error });
      }
    } finally {
      this.planning = false;
    }
  }

  async commitJoin(planId: string): Promise<void> {
    const pending = this.pendingPlan(planId);
    const { node } = pending.plan;
    // The plan holds only if the cluster is as it was: compare with a fresh one before joining.
    const fresh = await this.makePlan(await this.readSource(), node, pending.plan.http);
    if (!sameMoves(fresh.moves, pending.plan.moves)) {
      fail('conflict', `the cluster changed since plan ${planId} was made: cancel it and plan again`);
    }
    await this.http.post(this.urlOf(node) as string, '/v1/admin/join', { seed: pending.seed }).catch((error) => {
      throw nodeFailure(node, error);
    });
    this.pending = undefined;
    await this.nodes.commit(node);
    this.publish({ type: 'join-plan', node, at: this.clock.now(), planId, state: 'committed' });
  }

  async cancelJoin(planId: string): Promise<void> {
    const { plan } = this.pendingPlan(planId);
    this.pending = undefined;
    await this.remove(plan.node);
    this.publish({ type: 'join-plan', node: plan.node, at: this.clock.now(), planId, state: 'cancelled' });
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    const planned = this.pending?.plan.node;
    this.pending = undefined;
    await super.close();
    this.stopWatching();
    await this.supervisor.stopAll();
    // A plan nobody committed leaves nothing behind.
    if (planned !== undefined) await this.nodes.forget(planned);
  }

  /** The plan for joining `node`: the moves claim makes, with key estimates from their owners. */
  private async makePlan(source: SourceReading, node: string, http: string): Promise<JoinPlan> {
    if (source.ring === undefined || source.membership === undefined) fail('unavailable', 'the cluster has no ring yet');
    const { moves, ownershipAfter } = planJoinMoves(
      {
        ringSize: source.membership.ringSize,
        n: source.membership.n,
        members: source.membership.members,
        targets: source.membership.targets,
        owners: source.ring.partitions.map((partition) => partition.owner),
      },
      node,
    );
    // How many keys each moving partition holds, as its current owner counts them.
    const counts = new Map<string, Map<number, number>>();
    await Promise.all(
      [...new Set(moves.map((move) => move.from))].map(async (owner) => {
        const member = source.status.members.find((candidate) => candidate.id === owner);
        if (member === undefined) return;
        const answer = await this.http
          .get<{ partitions: Array<{ index: number; keys: number }> }>(nodeBaseUrl(member.http), '/v1/admin/partitions')
          .catch(() => undefined);
        counts.set(owner, new Map((answer?.partitions ?? []).map((p) => [p.index, p.keys])));
      }),
    );
    const planned: PlannedMove[] = moves.map((move) => ({ ...move, keysEstimate: counts.get(move.from)?.get(move.partition) ?? 0 }));
    return { planId: `join-${node}-${++this.planCount}`, node, http, moves: planned, ownershipAfter };
  }

  private pendingPlan(planId: string): PendingJoin {
    this.checkOpen();
    if (typeof planId !== 'string' || this.pending === undefined || this.pending.plan.planId !== planId) {
      fail('not_found', `no join plan ${String(planId)} is waiting`);
    }
    return this.pending;
  }

  // ── Nodes under the supervisor ──────────────────────────────────────────────────────────

  private add(id: string): void {
    const config = this.nodes.configs.get(id);
    if (config === undefined) throw new Error(`no configuration for ${id}`);
    this.supervisor.add(config);
    this.follow(id, () => (this.supervisor.has(id) && this.lastStates.get(id) === 'up' ? this.urlOf(id) : undefined));
  }

  /** Stops a planned node and forgets it: process, event feed and directory. */
  private async remove(id: string): Promise<void> {
    await this.unfollow(id);
    if (this.supervisor.has(id)) await this.supervisor.remove(id);
    this.startedAt.delete(id);
    this.lastStates.delete(id);
    await this.nodes.forget(id);
  }

  private urlOf(id: string): string | undefined {
    const status = this.supervisor.snapshot().find((node) => node.id === id);
    if (status?.http !== undefined) return nodeBaseUrl(status.http);
    const config = this.nodes.configs.get(id);
    return config === undefined ? undefined : nodeBaseUrl(formatAddress(config.host, config.httpPort));
  }

  private supervised(id: string): void {
    this.checkOpen();
    checkNodeId(id);
    if (!this.supervisor.has(id)) fail('not_found', `${id} is not a node of this console`);
  }

  /** Publishes a process event for every node whose process changed state. */
  private watch(statuses: NodeStatus[]): void {
    for (const node of statuses) {
      if (this.lastStates.get(node.id) === node.state) continue;
      this.lastStates.set(node.id, node.state);
      if (node.state === 'up') {
        this.startedAt.set(node.id, this.clock.now());
        this.reconnect(node.id);
      }
      const ended = (node.state === 'stopped' || node.state === 'crashed') && node.lastExit !== undefined;
      this.publish({
        type: 'process',
        node: node.id,
        at: this.clock.now(),
        state: node.state,
        ...(node.pid === undefined ? {} : { pid: node.pid }),
        ...(ended ? { reason: exitReason(node.lastExit!), message: describeExitInfo(node.lastExit!) } : {}),
      });
    }
  }
}

/** The launcher's exit reason as the console names it: a requested stop is a clean exit. */
function exitReason(exit: ExitInfo): ExitReason {
  return exit.reason === 'stopped' ? 'clean-exit' : exit.reason;
}
