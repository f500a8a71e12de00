// What every browser test does besides the browser: call the console's AdminApi over its web
// wire (POST /api/admin/{method}, CONTRACT.md's console), learn each node's HTTP address from the
// console's own view, and wait until every member is up with its process running.

import type { ClusterView } from '../../../core/admin/admin-api.js';

export type AdminCall = (method: string, ...args: unknown[]) => Promise<unknown>;

/** AdminApi over the web console at `consoleUrl()` (read at each call: the console starts in beforeAll). */
export function adminCaller(consoleUrl: () => string): AdminCall {
  return async (method, ...args) => {
    const answer = await fetch(`${consoleUrl()}/api/admin/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ args }) });
    const body = (await answer.json()) as { result?: unknown; message?: string };
    if (!answer.ok) throw new Error(`${method}: ${body.message}`);
    return body.result;
  };
}

/** Each member's http://host:port, from the console's view. */
export async function memberUrls(admin: AdminCall): Promise<Map<string, string>> {
  const view = (await admin('clusterView')) as ClusterView;
  return new Map(view.members.map((member) => [member.id, `http://${member.http}`]));
}

/**
 * Waits until every member is up and its process runs (after a start, a kill, a restart or an
 * isolation); throws after `timeoutMs` saying what it last saw. Usable in hooks as in tests.
 */
export async function allMembersUp(admin: AdminCall, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'no answer yet';
  for (;;) {
    try {
      const view = (await admin('clusterView')) as ClusterView;
      if (view.members.length > 0 && view.members.every((m) => m.state === 'up' && m.process?.state === 'up')) return;
      seen = view.members.map((m) => `${m.id} ${m.state}/${m.process?.state ?? '-'}`).join(', ');
    } catch (error) {
      seen = String(error);
    }
    if (Date.now() > deadline) throw new Error(`the members were not all up within ${timeoutMs} ms; last seen: ${seen}`);
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
}

/** Between two looks at the cluster while waiting for it. */
const pollIntervalMs = 200;
