// The Handoff page in a real browser against a real `dynamo console` with five local node
// processes. With every replica reachable and the ring settled it says so. With n3 killed, writes
// to keys n3 replicates leave one hint each on the fallbacks, and the page counts them per holder,
// one backlog per holder → n3, adding up to the keys written; once n3 is restarted, each backlog's
// bar (named "Hints for n3 held by …") reaches 100% and its pending count 0. When a sixth node
// joins, each partition that moves to it gets a bar ("Transfer of partition … from … to n6") that
// reaches 100% when it has arrived. Driven by role and accessible name; axe-core on each view; a
// screenshot of every state, in light and dark.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinPlan } from '../../core/admin/admin-api.js';
import { hasChromium, launchBrowser, openPage, screenshot, seriousViolations } from './support/browser.js';
import { adminCaller, allMembersUp, memberUrls } from './support/console-admin.js';
import { type RunningProcess, startConsole } from './support/console-process.js';

const bucket = 'e2e-handoff';
const changeTimeoutMs = 30_000;

describe.skipIf(!hasChromium)('Handoff page', () => {
  let running: RunningProcess;
  let browser: Browser;
  let page: Page;
  const nodes = new Map<string, string>();

  const admin = adminCaller(() => running.url);
  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const status = () => page.getByRole('status').filter({ hasText: /hints? waiting/i });
  /** The hint backlogs the page lists: holder, target and pending count, from the table's cells. */
  const backlogs = async (): Promise<Array<{ holder: string; target: string; pending: number }>> => {
    const table = page.getByRole('table', { name: 'Hint backlogs' });
    if ((await table.count()) === 0) return [];
    const cells = await table
      .getByRole('row')
      .evaluateAll((rows) => rows.slice(1).map((row) => Array.from((row as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (cell) => cell.textContent)));
    return cells.map(([pair, pending]) => {
      const [, holder, target] = /^(n\d+)→holds hints for(n\d+)/.exec(pair) ?? [];
      return { holder, target, pending: Number(pending.replace(/,/g, '')) };
    });
  };
  const allUp = () => allMembersUp(admin);

  beforeAll(async () => {
    running = await startConsole({ nodes: 5 });
    for (const [id, url] of await memberUrls(admin)) nodes.set(id, url);
    browser = await launchBrowser();
    page = await openPage(browser, `${running.url}/#/cluster`);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  }, 60_000);

  it('says that nothing waits while every replica is reachable and the ring is settled', async () => {
    await page.getByRole('link', { name: 'Handoff', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Handoff' }).waitFor({ state: 'visible' });
    await status().waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await status().innerText()).toBe('No hints waiting · no transfer under way');
    await page.getByText('No hints waiting: every replica is reachable.').waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await page.getByText('No partitions are moving: the ring is settled.').count()).toBe(1);
    await screenshot(page, 'handoff-01-nothing-waiting');
    await expectAccessible();
  });

  it('counts the hints held for a killed node per holder, and delivers each backlog to 100% once it is back', async () => {
    await admin('killNode', 'n3');
    const keys: string[] = [];
    for (let i = 0; keys.length < 30 && i < 500; i++) {
      const where = (await (await fetch(`${nodes.get('n1')}/v1/admin/preference/${bucket}/h-${i}`)).json()) as { preference: string[] };
      if (where.preference.includes('n3')) keys.push(`h-${i}`);
    }
    for (const key of keys) {
      const answer = await fetch(`${nodes.get('n1')}/v1/kv/${bucket}/${key}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `for n3: ${key}` });
      expect(answer.status, `PUT ${key}`).toBe(204);
    }
    // One hint per key, on the fallbacks: the page's backlogs for n3 add up to the keys written.
    await expect
      .poll(async () => (await backlogs()).filter((b) => b.target === 'n3').reduce((sum, b) => sum + b.pending, 0), { timeout: changeTimeoutMs })
      .toBe(keys.length);
    const holders = (await backlogs()).filter((b) => b.target === 'n3').map((b) => b.holder);
    expect(holders.length).toBeGreaterThan(0);
    expect(holders).not.toContain('n3');
    await expect.poll(() => status().innerText(), { timeout: changeTimeoutMs }).toBe(`${keys.length} hints waiting for 1 member · no transfer under way`);
    expect(await page.getByRole('row', { name: /holds hints for\s*n3/ }).first().innerText()).toMatch(/waiting: n3 is down/);
    await page.getByText(/could not be read/).waitFor({ state: 'visible' });
    await screenshot(page, 'handoff-02-hints-waiting');
    await expectAccessible();

    await admin('restartNode', 'n3');
    // Each holder's backlog for n3 drains: its bar reaches 100% and its count 0.
    for (const holder of holders) {
      const bar = page.getByRole('progressbar', { name: `Hints for n3 held by ${holder}` });
      await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100');
      expect(await bar.getAttribute('aria-valuetext')).toMatch(/^all \d+ delivered/);
    }
    await expect.poll(async () => (await backlogs()).filter((b) => b.target === 'n3').map((b) => b.pending), { timeout: changeTimeoutMs }).toEqual(holders.map(() => 0));
    await expect.poll(() => status().innerText(), { timeout: changeTimeoutMs }).toBe('No hints waiting · no transfer under way');
    await screenshot(page, 'handoff-03-hints-delivered');
    await expectAccessible();
    await allUp();
  });

  it('shows a bar per partition moving to a node that joins, each reaching 100% once it has arrived', async () => {
    for (let i = 0; i < 200; i++) {
      const answer = await fetch(`${nodes.get(`n${(i % 5) + 1}`)}/v1/kv/${bucket}/join-${i}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `value ${i}` });
      expect(answer.status).toBe(204);
    }
    const plan = (await admin('planJoin')) as JoinPlan;
    expect(plan.moves.length).toBeGreaterThan(0);
    await admin('commitJoin', plan.planId);
    const bar = (move: JoinPlan['moves'][number]) => page.getByRole('progressbar', { name: `Transfer of partition ${move.partition} from ${move.from} to ${plan.node}` });
    await bar(plan.moves[0]).waitFor({ state: 'attached', timeout: 60_000 });
    await page.getByRole('table', { name: 'Transfers' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'handoff-04-transfers');
    for (const move of plan.moves) await expect.poll(() => bar(move).getAttribute('aria-valuenow'), { timeout: 90_000 }).toBe('100');
    await expect.poll(() => status().innerText(), { timeout: 60_000 }).toBe('No hints waiting · no transfer under way');
    expect(await page.getByRole('table', { name: 'Transfers' }).getByRole('row').filter({ hasText: 'done' }).count()).toBeGreaterThanOrEqual(plan.moves.length);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'handoff-05-transfers-done', true);
    await expectAccessible();
  });

  it('reads well in the dark theme too', async () => {
    await page.getByRole('button', { name: /switch to dark theme/i }).click();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'handoff-06-dark', true);
    await expectAccessible();
    await page.getByRole('button', { name: /switch to light theme/i }).click();
  });
});
