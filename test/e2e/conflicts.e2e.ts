// The Conflicts page in a real browser against a real `dynamo console` with three local node
// processes (N=3, so each write is coordinated by the node it is sent to). Blind writes of JSON
// carts through two nodes' HTTP APIs make siblings; the page lists the keys newest first, shows
// each sibling as a group with its value and clock, draws the version graph, and resolves:
// "Keep this" leaves one value, an edited merge of two carts writes their union, and a write
// that races the resolution is reported as such, not as a success. Every result is read back
// through a node's own HTTP API. Driven by role and accessible name (CONTRACT.md, "Console"),
// partly from the keyboard; axe-core checks each state; every step leaves a screenshot.

import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage, screenshot, seriousViolations } from './support/browser.js';
import { adminCaller, allMembersUp, memberUrls } from './support/console-admin.js';
import { type RunningProcess, startConsole } from './support/console-process.js';

const changeTimeoutMs = 30_000;
const bucket = 'carts';

interface Envelope {
  context: string;
  siblings: { value: string; contentType: string; clock: Record<string, number>; dot: { node: string; counter: number } }[];
}

describe.skipIf(!hasChromium)('Conflicts page', () => {
  let running: RunningProcess;
  let browser: Browser;
  let page: Page;
  /** host:port of each node's HTTP API, by id. */
  /** Each node's http://host:port, from the console's own view. */
  const nodes = new Map<string, string>();
  const admin = adminCaller(() => running.url);

  const put = async (node: string, key: string, cart: string[], context?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (context !== undefined) headers['x-dynamo-context'] = context;
    const answer = await fetch(`${nodes.get(node)}/v1/kv/${bucket}/${key}`, { method: 'PUT', headers, body: JSON.stringify(cart) });
    expect(answer.status).toBe(204);
  };
  const envelope = async (node: string, key: string): Promise<Envelope> => {
    const answer = await fetch(`${nodes.get(node)}/v1/kv/${bucket}/${key}?format=json`);
    expect(answer.status).toBe(200);
    return (await answer.json()) as Envelope;
  };
  const carts = (read: Envelope) => read.siblings.map((s) => JSON.parse(Buffer.from(s.value, 'base64').toString('utf8')) as string[]);
  const sibling = (n: number): Locator => page.getByRole('group', { name: `Sibling ${n}`, exact: true });
  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const openKey = async (key: string) => {
    await page.goto(`${running.url}/#/conflicts`);
    await page.getByRole('link', { name: new RegExp(`^${bucket}/${key},`) }).click();
    await sibling(2).waitFor({ state: 'visible', timeout: changeTimeoutMs });
  };

  beforeAll(async () => {
    running = await startConsole({ nodes: 3 });
    // The console prints its address before its nodes are all up: wait for them.
    await allMembersUp(admin);
    for (const [id, url] of await memberUrls(admin)) nodes.set(id, url);

    // alice: two blind writes through two nodes, the paper's divergent carts.
    await put('n1', 'alice', ['milk', 'eggs']);
    await put('n2', 'alice', ['milk', 'bread']);
    // bob: one cart, then two writes from that one read through two nodes (Figure 3's shape).
    await put('n1', 'bob', ['milk']);
    const base = await envelope('n1', 'bob');
    await put('n1', 'bob', ['milk', 'eggs'], base.context);
    await put('n2', 'bob', ['milk', 'bread'], base.context);
    // carol: for the race.
    await put('n1', 'carol', ['tea']);
    await put('n3', 'carol', ['coffee']);
    for (const key of ['alice', 'bob', 'carol']) expect((await envelope('n3', key)).siblings).toHaveLength(2);

    browser = await launchBrowser();
    page = await openPage(browser, `${running.url}/#/conflicts`);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  }, 60_000);

  it('lists every key with siblings, newest first, with its number of versions', async () => {
    const table = page.getByRole('table', { name: 'Keys with siblings' });
    await table.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    const links = table.getByRole('link');
    await expect.poll(() => links.count(), { timeout: changeTimeoutMs }).toBe(3);
    const names = await Promise.all((await links.all()).map((link) => link.getAttribute('aria-label')));
    expect(names).toEqual([
      'carts/carol, 2 versions',
      'carts/bob, 2 versions',
      'carts/alice, 2 versions',
    ]);
    expect(await page.getByRole('link', { name: 'Conflicts' }).count()).toBe(1);
    await screenshot(page, 'conflicts-01-list');
    await expectAccessible();
  });

  it('shows both siblings as groups with their values and clocks, and draws the version graph', async () => {
    await openKey('alice');
    const values = `${await sibling(1).innerText()}\n${await sibling(2).innerText()}`;
    for (const item of ['milk', 'eggs', 'bread']) expect(values).toContain(item);
    for (const n of [1, 2]) {
      const clock = sibling(n).getByRole('table', { name: `Clock of Sibling ${n}` });
      expect(await clock.innerText()).toMatch(/n[12][\s\S]*1/);
      expect(await sibling(n).getByRole('button', { name: 'Keep this' }).count()).toBe(1);
    }
    const graph = page.getByRole('img', { name: /^Version graph/ });
    const name = (await graph.getAttribute('aria-label')) ?? '';
    expect(name).toMatch(/current siblings n1:1 \(Sibling \d\) and n2:1 \(Sibling \d\)/);
    // Blind writes share nothing: no ancestor to highlight.
    expect(name).toMatch(/their common ancestor is not in the kept history/);
    expect(await page.getByText('This write supersedes these 2 versions; the new version descends from all of them.').count()).toBeGreaterThan(0);
    await page.getByRole('heading', { name: 'Differences' }).waitFor();
    await screenshot(page, 'conflicts-02-siblings');
    await screenshot(page, 'conflicts-03-siblings-full-page', true);
    await expectAccessible();
  });

  it('"Keep this" resolves the key to that sibling’s value', async () => {
    const kept = (await sibling(2).innerText()).includes('bread') ? ['milk', 'bread'] : ['milk', 'eggs'];
    await sibling(2).getByRole('button', { name: 'Keep this' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Resolved: one version remains' });
    await status.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await status.getByRole('table', { name: 'Versions that remain' }).getByRole('row').count()).toBe(2);
    const read = await envelope('n3', 'alice');
    expect(carts(read)).toEqual([kept]);
    await page.getByText('The key holds one version now').waitFor();
    await screenshot(page, 'conflicts-04-kept');
    await expectAccessible();
  });

  it('writes an edited merge of two carts, their union, from the keyboard', async () => {
    await openKey('bob');
    const name = (await page.getByRole('img', { name: /^Version graph/ }).getAttribute('aria-label')) ?? '';
    expect(name).toContain('n1:1 → n1:2, n1:1 → n2:1');
    expect(name).toContain('common ancestor n1:1');
    const merged = page.getByRole('textbox', { name: 'Merged value' });
    expect(new Set(JSON.parse(await merged.inputValue()) as string[])).toEqual(new Set(['milk', 'eggs', 'bread']));
    // The operator edits the proposal (here: to one line) and writes it, all from the keyboard.
    await merged.focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('["milk","eggs","bread"]');
    await screenshot(page, 'conflicts-05-merge-edited');
    const focusedText = async () => (await page.evaluate('document.activeElement?.textContent ?? ""')) as string;
    for (let i = 0; i < 10 && (await focusedText()) !== 'Write merged value'; i++) await page.keyboard.press('Tab');
    expect(await focusedText()).toBe('Write merged value');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Resolved: one version remains' }).waitFor({ timeout: changeTimeoutMs });
    const read = await envelope('n2', 'bob');
    expect(carts(read)).toEqual([['milk', 'eggs', 'bread']]);
    // The graph now shows the merge descending from both siblings.
    const after = (await page.getByRole('img', { name: /^Version graph/ }).getAttribute('aria-label')) ?? '';
    expect(after).toMatch(/n1:2 → n1:3, n2:1 → n1:3/);
    await screenshot(page, 'conflicts-06-merged', true);
  });

  it('says plainly when a write raced the resolution, and shows the versions that remain', async () => {
    await openKey('carol');
    // Another client writes after the page read the key and before the operator decides.
    await put('n3', 'carol', ['gum']);
    await sibling(1).getByRole('button', { name: 'Keep this' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /another write arrived meanwhile/i });
    await alert.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await alert.innerText()).toMatch(/2 versions remain/);
    expect(await alert.getByRole('table', { name: 'Versions that remain' }).getByRole('row').count()).toBe(3);
    expect(await page.getByRole('status').filter({ hasText: 'Resolved' }).count()).toBe(0);
    const read = await envelope('n1', 'carol');
    expect(read.siblings).toHaveLength(2);
    expect(carts(read)).toContainEqual(['gum']);
    // The page has read the key again: the two versions are the siblings now.
    await expect.poll(async () => (await sibling(2).innerText()).includes('gum') || (await sibling(1).innerText()).includes('gum'), { timeout: changeTimeoutMs }).toBe(true);
    await screenshot(page, 'conflicts-07-raced');
    await expectAccessible();
  });

  it('shows what failed and why when the write is refused', async () => {
    await page.route('**/api/admin/writeKey', (route) =>
      route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: 'conflict', message: 'the node refused the write' }) }),
    );
    await sibling(1).getByRole('button', { name: 'Keep this' }).click();
    const failure = page.getByText('Keeping Sibling 1 of carts/carol failed: the node refused the write (conflict).');
    await failure.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    await page.unroute('**/api/admin/writeKey');
    expect((await envelope('n1', 'carol')).siblings).toHaveLength(2);
    await screenshot(page, 'conflicts-08-write-failed');
  });

  it('reads well in the dark theme too', async () => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.getByRole('button', { name: /switch to dark theme/i }).click();
    await page.mouse.move(600, 400);
    await screenshot(page, 'conflicts-09-dark');
    await expectAccessible();
    await page.getByRole('button', { name: /switch to light theme/i }).click();
  });
});
