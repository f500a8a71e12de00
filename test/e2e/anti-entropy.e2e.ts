// The Anti-entropy page in a real browser against a real `dynamo console` with five local node
// processes. A whole-cluster run shows a bar per node and the ring's partitions lighting up as
// the nodes tell each exchange (the console's answer is held back until every node has told all
// of its exchanges, so the page is seen mid-run), then a report where nothing differed. Keys
// written through n4 while it was cut off from every peer (no fallback reachable, so no hint
// either) exist on n4 alone; a run of n4 with n2 from the page names "keys repaired" with its
// number and lists exactly those keys, n2 behind, before none and after n4's write, each linking
// to its key page. The nodes also run background exchanges every ten seconds, which may repair
// some of those keys first: the test reads the history to tell which, so the count it expects is
// exact either way. A one-partition run on its first replica lists only that partition's keys and
// leaves every replica's own copy equal (each read alone, so no read repair can stand in for
// it); the history opens any run's report; a node that is not running cannot run, and a
// whole-cluster run says so. Driven by role and accessible name (also from the keyboard); axe-core on each view; a
// screenshot of every state, in light and dark.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AntiEntropyRuns, HandoffView } from '../../core/admin/admin-api.js';
import { hasChromium, launchBrowser, openPage, screenshot, seriousViolations } from './support/browser.js';
import { adminCaller, allMembersUp, memberUrls } from './support/console-admin.js';
import { type RunningProcess, startConsole } from './support/console-process.js';

const bucket = 'e2e-ae';
const changeTimeoutMs = 30_000;
/** A five-node cluster of 64 partitions and N = 3: each partition on 3 replicas, each with 2 peers. */
const exchangesInAll = 64 * 3 * 2;

describe.skipIf(!hasChromium)('Anti-entropy page', () => {
  let running: RunningProcess;
  let browser: Browser;
  let page: Page;
  /** Each node's http://host:port, from the console's own view. */
  const nodes = new Map<string, string>();
  /** The keys written through n4 while it was cut off, and those the page's run listed. */
  let written: string[] = [];
  let listed: string[] = [];

  const admin = adminCaller(() => running.url);
  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const scope = (name: string) => page.getByRole('radiogroup', { name: 'Scope' }).getByText(name, { exact: true }).click();
  const run = () => page.getByRole('button', { name: 'Run anti-entropy' }).click();
  const report = () => page.getByRole('region', { name: /^Report: / });
  const headline = () => report().getByRole('status');
  const repairedKeys = () => report().getByRole('table', { name: 'Repaired keys' });
  const keysRepaired = async () => Number(/^(\d+) keys? repaired · /.exec(await headline().innerText())?.[1]);
  const placement = async (key: string) =>
    (await (await fetch(`${nodes.get('n1')}/v1/admin/preference/${bucket}/${encodeURIComponent(key)}`)).json()) as { partition: number; preference: string[] };
  /** The dots of one node's own copy of a key (GET /v1/admin/local: no quorum, so no read repair either); [] when it has none. */
  const localDots = async (node: string, key: string): Promise<string[]> => {
    const answer = await fetch(`${nodes.get(node)}/v1/admin/local/${bucket}/${encodeURIComponent(key)}`);
    if (answer.status === 404) return [];
    const envelope = (await answer.json()) as { siblings: Array<{ dot: { node: string } }> };
    return envelope.siblings.map((sibling) => sibling.dot.node);
  };
  /** Keys some background run repaired since `since` (epoch ms). */
  const repairedInBackground = async (since: number): Promise<Set<string>> => {
    const history = (await admin('antiEntropyRuns')) as AntiEntropyRuns;
    const runs = history.runs.filter((r) => r.trigger === 'background' && r.finishedAt >= since);
    return new Set(runs.flatMap((r) => r.repairedKeys.filter((k) => k.bucket === bucket).map((k) => k.key)));
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

  it('runs over the whole cluster partition by partition, with a bar per node, and reports that nothing differed', async () => {
    await page.getByRole('link', { name: 'Anti-entropy', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Anti-entropy' }).waitFor({ state: 'visible' });
    await page.getByRole('img', { name: 'Partitions this run compares: 64 of 64' }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await page.getByText(`${exchangesInAll} exchanges in all`).count()).toBe(1);
    await screenshot(page, 'anti-entropy-01-form');
    await expectAccessible();

    // The console's answer waits until every node has told all its exchanges: the page is seen mid-run.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/admin/runAntiEntropy', async (route) => {
      const response = await route.fetch({ timeout: 120_000 });
      await released;
      await route.fulfill({ response });
    });
    try {
      await run();
      const bars = page.getByRole('progressbar', { name: /^Anti-entropy on n\d$/ });
      await expect.poll(() => bars.count(), { timeout: changeTimeoutMs }).toBe(5);
      await expect
        .poll(async () => Promise.all([0, 1, 2, 3, 4].map((i) => bars.nth(i).getAttribute('aria-valuenow'))), { timeout: 60_000 })
        .toEqual(['100', '100', '100', '100', '100']);
      expect(await bars.first().getAttribute('aria-valuetext')).toMatch(/^\d+ of \d+ exchanges done$/);
      await page.getByRole('img', { name: 'Partitions so far: 64 of 64 partitions compared, 0 with differing segments' }).waitFor({ state: 'visible' });
      await page.getByRole('region', { name: 'Running: Whole cluster' }).scrollIntoViewIfNeeded();
      await screenshot(page, 'anti-entropy-02-progress');
      await expectAccessible();
    } finally {
      release();
    }
    await report().waitFor({ state: 'visible', timeout: changeTimeoutMs });
    await page.unroute('**/api/admin/runAntiEntropy');
    expect(await headline().innerText()).toMatch(new RegExp(`^0 keys repaired · ${exchangesInAll} exchanges \\(partition × peer\\) · 0 segments differing · `));
    expect(await report().getByRole('table', { name: 'Runs in this report' }).getByRole('row').count()).toBe(6);
    expect(await report().getByText('No key needed repair: the replicas compared held the same data.').count()).toBe(1);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'anti-entropy-03-report-in-sync', true);
  });

  it('lists exactly the keys written while n4 was cut off, n2 behind, each linking to its key page', async () => {
    for (let i = 0; written.length < 8 && i < 500; i++) {
      const where = await placement(`k-${i}`);
      if (where.preference.includes('n4') && where.preference.includes('n2')) written.push(`k-${i}`);
    }
    expect(written).toHaveLength(8);
    await admin('isolateNode', 'n4');
    try {
      for (const key of written) {
        const answer = await fetch(`${nodes.get('n4')}/v1/kv/${bucket}/${key}?w=1`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `written on n4 alone: ${key}` });
        expect(answer.status, `PUT ${key} through n4`).toBe(204);
      }
    } finally {
      await admin('healNode', 'n4');
    }
    // No fallback was reachable from n4, so no hint holds a copy: only anti-entropy can repair them.
    expect(((await admin('handoff')) as HandoffView).hints.filter((backlog) => backlog.pending > 0)).toEqual([]);

    // From the keyboard: the arrow key moves the scope from "Whole cluster" to "One node".
    await page.getByRole('radiogroup', { name: 'Scope' }).getByRole('radio', { checked: true }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'One node' }).isChecked()).toBe(true);
    await page.getByRole('combobox', { name: 'Node' }).selectOption('n4');
    await page.getByRole('combobox', { name: 'Peer' }).selectOption('n2');
    expect(await page.getByText(/^n4 compares the \d+ partitions it shares with n2: \d+ exchanges\./).count()).toBe(1);
    await screenshot(page, 'anti-entropy-04-node-form');
    await expectAccessible();
    await run();
    await page.getByRole('region', { name: /^Report: n4 with n2 at \d\d:\d\d:\d\d$/ }).waitFor({ state: 'visible', timeout: changeTimeoutMs });

    const count = await keysRepaired();
    const rows = repairedKeys().getByRole('row');
    listed = (await repairedKeys().getByRole('link').allInnerTexts()).map((text) => text.replace(`${bucket}/`, ''));
    expect(listed).toHaveLength(count);
    expect(await rows.count()).toBe(count + 1);
    expect(new Set(listed).size).toBe(listed.length);
    for (const key of listed) expect(written).toContain(key);
    // A background exchange may have repaired a key first (n4 with n2, or n2 from the third replica):
    // every written key the page does not list is in such a run.
    const background = await repairedInBackground(0);
    for (const key of written) expect(listed.includes(key) || background.has(key), `${key} is listed or was repaired in the background`).toBe(true);
    console.log(`the run repaired ${count} of the ${written.length} keys; background exchanges had repaired ${written.length - count} before it`);

    for (let i = 1; i <= count; i++) {
      const text = await rows.nth(i).innerText();
      expect(text).toMatch(/n4 ↔ n2/);
      expect(text).toMatch(/n2 behind/i);
      expect(text).toMatch(/n2\s+before:\s*none\s*→\s*after:\s*n4:\d+/);
    }
    // The repairs are in place: n2's own copy (read alone: a quorum read would repair it) is n4's write.
    for (const key of listed) expect(await localDots('n2', key)).toEqual(['n4']);
    if (count > 0) {
      await page.getByRole('region', { name: /^Report: / }).getByRole('heading', { name: 'Repaired keys' }).scrollIntoViewIfNeeded();
      await screenshot(page, 'anti-entropy-05-repaired-keys');
    }
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'anti-entropy-06-report-full', true);
    await expectAccessible();

    // Each key links to its key page.
    if (count > 0) {
      await repairedKeys().getByRole('link').first().click();
      await page.getByRole('heading', { level: 1, name: listed[0] }).waitFor({ state: 'visible' });
      expect(new URL(page.url()).hash).toBe(`#/keys/${bucket}/${listed[0]}`);
      await page.goBack();
      await page.getByRole('heading', { level: 1, name: 'Anti-entropy' }).waitFor({ state: 'visible' });
    }
  });

  it('runs one partition on its first replica that is up, which leaves every replica of it equal', async () => {
    const { partition, preference } = await placement(written[0]);
    const inPartition: string[] = [];
    for (const key of written) if ((await placement(key)).partition === partition) inPartition.push(key);
    await scope('One partition');
    await page.getByRole('textbox', { name: 'Partition' }).fill(String(partition));
    await page.getByRole('img', { name: 'Partitions this run compares: 1 of 64' }).waitFor({ state: 'visible' });
    expect(await page.getByText(`${preference[0]} compares partition ${partition} with ${preference[1]} and ${preference[2]} (its first replica that is up).`).count()).toBe(1);
    // The third replica (neither n4 nor n2) still lacks them, unless a background exchange got there first.
    const third = preference.find((id) => id !== 'n4' && id !== 'n2')!;
    const checkedAt = Date.now();
    const lacking: string[] = [];
    for (const key of inPartition) if ((await localDots(third, key)).length === 0) lacking.push(key);
    await run();
    const region = page.getByRole('region', { name: new RegExp(`^Report: Partition ${partition} on ${preference[0]} at \\d\\d:\\d\\d:\\d\\d$`) });
    await region.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await headline().innerText()).toMatch(/^\d+ keys? repaired · 2 exchanges \(partition × peer\)/);
    const rows = await repairedKeys()
      .getByRole('row')
      .evaluateAll((all) => all.slice(1).map((row) => Array.from((row as unknown as { cells: ArrayLike<{ textContent: string }> }).cells, (cell) => cell.textContent)));
    expect(rows).toHaveLength(await keysRepaired());
    for (const [key, cell] of rows) {
      expect(cell).toBe(String(partition));
      expect(inPartition).toContain(key.replace(`${bucket}/`, ''));
    }
    const shown = new Set(rows.map(([key]) => key.replace(`${bucket}/`, '')));
    const background = await repairedInBackground(checkedAt);
    for (const key of lacking) expect(shown.has(key) || background.has(key), `${key} is listed or was repaired in the background`).toBe(true);
    console.log(`partition ${partition}: ${lacking.length} of its ${inPartition.length} written keys lacking on ${third} before the run, ${rows.length} repairs listed`);
    // Every replica's own copy of each key is n4's write now.
    for (const key of inPartition) for (const id of preference) expect(await localDots(id, key), `${key} on ${id}`).toEqual(['n4']);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'anti-entropy-07-partition-report', true);
  });

  it('opens any run of the history, manual or background, newest first', async () => {
    const history = page.getByRole('table', { name: 'Recent runs' });
    const row = history.getByRole('row').filter({ hasText: 'all partitions with n2' });
    const open = row.getByRole('button', { name: /^Report of n4's manual run at \d\d:\d\d:\d\d$/ });
    await open.click();
    expect(await open.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('region', { name: /^Report: n4's manual run at \d\d:\d\d:\d\d$/ }).waitFor({ state: 'visible' });
    const reopened = (await repairedKeys().getByRole('link').allInnerTexts()).map((text) => text.replace(`${bucket}/`, ''));
    expect(reopened).toEqual(listed);
    const before = await history.getByRole('row').count();
    await page.getByRole('checkbox', { name: /^Include background runs that found everything in sync/ }).check();
    expect(await history.getByRole('row').count()).toBeGreaterThanOrEqual(before);
    await history.scrollIntoViewIfNeeded();
    await screenshot(page, 'anti-entropy-08-history');
    await expectAccessible();
  });

  it('says why a node that is not running cannot run, and a whole-cluster run reports it', async () => {
    await admin('killNode', 'n5');
    try {
      await scope('One node');
      await page.getByRole('combobox', { name: 'Node' }).selectOption('n5');
      await page.getByRole('combobox', { name: 'Peer' }).selectOption('');
      await run();
      const alert = page.getByRole('alert').filter({ hasText: 'Anti-entropy did not run' });
      await alert.waitFor({ state: 'visible', timeout: changeTimeoutMs });
      expect(await alert.innerText()).toContain('n5 is not running (its process is stopped) (unavailable).');
      await screenshot(page, 'anti-entropy-09-node-not-running');
      await expectAccessible();

      await scope('Whole cluster');
      await expect.poll(() => page.getByText(/^n5 is not up: the run goes on without it and compares the other replicas/).count(), { timeout: changeTimeoutMs }).toBe(1);
      await run();
      await page.getByRole('region', { name: /^Report: Whole cluster at \d\d:\d\d:\d\d$/ }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
      expect(await report().getByText('n5 did not run').count()).toBe(1);
      expect(await report().getByText('n5 is not running (its process is stopped), so it was not asked to run.').count()).toBe(1);
      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'anti-entropy-10-whole-cluster-with-n5-down', true);
      await expectAccessible();
    } finally {
      await admin('restartNode', 'n5');
      await allUp();
    }
  });

  it('reads well in the dark theme too', async () => {
    await page.getByRole('button', { name: /switch to dark theme/i }).click();
    await page.getByRole('table', { name: 'Recent runs' }).getByRole('row').filter({ hasText: 'all partitions with n2' }).getByRole('button').click();
    await report().waitFor({ state: 'visible' });
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'anti-entropy-11-dark');
    await screenshot(page, 'anti-entropy-12-dark-full', true);
    await expectAccessible();
    await page.getByRole('button', { name: /switch to light theme/i }).click();
  });
});
