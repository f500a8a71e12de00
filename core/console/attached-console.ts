// The console attached to a cluster it does not run (`dynamo console --attach URL`): it follows
// the cluster through one node's HTTP API, and through every member's event stream, over HTTP
// only. Process actions (kill, restart, adding a node) need the processes, so they are refused
// with the reason, and the view says so (capabilities.processActions = false).

import type { Capabilities, ClusterMode, JoinPlan, ProcessView } from '../admin/admin-api.js';
import type { ConsoleEvent } from '../admin/events.js';
import type { Clock } from '../common/clock.js';
import type { SourceCandidate, SourceReading } from './cluster-reader.js';
import { ConsoleBase, type ConsoleService } from './console-service.js';
import { fail } from './errors.js';
import { nodeBaseUrl } from './node-http.js';

export interface AttachedConsoleOptions {
  /** A node of the cluster: http://host:port of its HTTP API. */
  url: string;
  /** The bearer token the cluster's nodes require, if any. */
  token?: string;
  clock?: Clock;
}

/** Why process actions are refused on an attached console. */
export const attachedProcessActionsReason = 'attached to a remote cluster: the console does not own its processes';

/** Attaches to the cluster `url` belongs to; rejects `unavailable` when that node does not answer. */
export async function createAttachedConsole(options: AttachedConsoleOptions): Promise<ConsoleService> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    fail('bad_request', `${options.url} is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('bad_request', `${options.url} is not an http:// URL`);
  const console = new AttachedConsole(url.origin, options);
  try {
    await console.start();
  } catch (error) {
    await console.close();
    throw error;
  }
  return console;
}

class AttachedConsole extends ConsoleBase {
  readonly mode: ClusterMode = 'attached';
  /** Each member's base URL, as the cluster reported it last. */
  private readonly urls = new Map<string, string>();
  private syncing: Promise<void> | undefined;
  private syncAgain = false;

  constructor(
    private readonly url: string,
    options: AttachedConsoleOptions,
  ) {
    super({ token: options.token, clock: options.clock });
  }

  async start(): Promise<void> {
    this.followMembers(await this.readSource());
  }

  protected candidates(): SourceCandidate[] {
    const candidates: SourceCandidate[] = [{ id: undefined, url: this.url }];
    for (const [id, url] of this.urls) if (url !== this.url) candidates.push({ id, url });
    return candidates;
  }

  protected processes(): ReadonlyMap<string, ProcessView> | undefined {
    return undefined;
  }

  protected capabilities(): Omit<Capabilities, 'faults'> {
    return { processActions: false, processActionsReason: attachedProcessActionsReason };
  }

  protected override async readSource(): Promise<SourceReading> {
    const source = await super.readSource();
    this.followMembers(source);
    return source;
  }

  async killNode(): Promise<void> {
    this.refuse();
  }

  async restartNode(): Promise<void> {
    this.refuse();
  }

  async planJoin(): Promise<JoinPlan> {
    this.refuse();
  }

  async commitJoin(): Promise<void> {
    this.refuse();
  }

  async cancelJoin(): Promise<void> {
    this.refuse();
  }

  /** A member this console does not follow yet, or one that left: follow the members anew. */
  protected override publish(event: ConsoleEvent): void {
    super.publish(event);
    if (event.type === 'member' && (event.state === 'left' || !this.urls.has(event.id))) this.resync();
  }

  private refuse(): never {
    fail('unavailable', `${attachedProcessActionsReason}; run the console with a local cluster (--nodes) to kill, restart or add nodes`);
  }

  /** Follows every member's event stream; stops following those that are no longer members. */
  private followMembers(source: SourceReading): void {
    if (this.closed) return;
    const members = new Set(source.status.members.map((member) => member.id));
    for (const member of source.status.members) {
      this.urls.set(member.id, nodeBaseUrl(member.http));
      this.follow(member.id, () => this.urls.get(member.id));
    }
    for (const id of this.following()) {
      if (members.has(id)) continue;
      this.urls.delete(id);
      void this.unfollow(id);
    }
  }

  /** Reads the members again, one read at a time (events may ask for it in bursts). */
  private resync(): void {
    if (this.syncing !== undefined) {
      this.syncAgain = true;
      return;
    }
    this.syncing = this.readSource()
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.syncing = undefined;
        if (this.syncAgain && !this.closed) {
          this.syncAgain = false;
          this.resync();
        }
      });
  }

  override async close(): Promise<void> {
    await super.close();
    await this.syncing;
  }
}
