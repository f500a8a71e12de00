// The Traces page in a real browser against a real `dynamo console` with five local node
// processes (N = 3, R = W = 2). A key is written through a node; the form "Trace a request"
// traces a GET of it through a node outside its preference list, and the page draws the
// space-time diagram at once, with one entry per replica message (three reads) and the two that
// made R = 2 marked. A PUT traced while a primary is isolated shows the fallback's write with
// the primary it keeps the hint for; a PUT through a node outside the preference list shows the
// forwarding hop and the coordinator's own trace. The table of traces lists them, filters by
// operation and orders slowest first. A trace exported as JSON opens again from the file and
// shows the same messages; a wrong file is refused with what is wrong. Driven by role and
// accessible name (CONTRACT.md, "Console"), from the keyboard too; axe-core checks each view,
// in the light and the dark theme; every step leaves a screenshot.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceView } from '../../core/admin/admin-api.js';
import { hasChromium, launchBrowser, openPage, screenshot, screenshotDir, seriousViolations } from './support/browser.js';
import { adminCaller, memberUrls } from './support/console-admin.js';
import { type RunningProcess, startConsole } from './support/console-process.js';

const bucket = 'e2e-traces';
const changeTimeoutMs = 30_000;

describe.skipIf(!hasChromium)('Traces page', () => {
  let running: RunningProcess;
  let browser: Browser;
  let page: Page;
  let downloads: string;
  /** Each node's http://host:port, from the console's own view. */
  const nodes = new Map<string, string>();

  const admin = adminCaller(() => running.url);
  const preference = async (key: string): Promise<string[]> => {
    const answer = await fetch(`${nodes.get('n1')}/v1/admin/preference/${bucket}/${encodeURIComponent(key)}`);
    return ((await answer.json()) as { preference: string[] }).preference;
  };
  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  /** A screenshot of one part of the page (a trace's card), as the README shows it. */
  const shoot = async (part: Locator, name: string) => {
    mkdirSync(screenshotDir, { recursive: true });
    // The shell's fixed header would cover the part's top as the page scrolls to it.
    await part.screenshot({ path: path.join(screenshotDir, `${name}.png`), style: 'header { visibility: hidden !important; }' });
  };
  const traceCard = (title: RegExp) => page.getByRole('article').filter({ has: page.getByRole('heading', { level: 3, name: title }) });
  const form = () => page.getByRole('form', { name: 'Trace a request' });
  const messages = () => page.getByRole('table', { name: 'Replica messages' }).first();
  /** The message table's rows as text, one string per message. */
  const messageRows = async (table: Locator = messages()) => table.locator('tbody').getByRole('row').allInnerTexts();

  /** Fills the form and submits it with the button (or with Enter in the Key box). */
  const traceRequest = async (fields: { node: string; op: 'GET' | 'PUT' | 'DELETE'; key: string; value?: string; quorum?: string }, submitWithEnter = false) => {
    const traced = form();
    await traced.getByRole('combobox', { name: 'Node' }).selectOption(fields.node);
    await traced.getByRole('radiogroup', { name: 'Operation' }).getByText(fields.op, { exact: true }).click();
    await traced.getByRole('textbox', { name: 'Bucket' }).fill(bucket);
    await traced.getByRole('textbox', { name: 'Key' }).fill(fields.key);
    if (fields.value !== undefined) await traced.getByRole('textbox', { name: 'Value' }).fill(fields.value);
    if (fields.quorum !== undefined) await traced.getByRole('combobox', { name: fields.op === 'GET' ? 'R' : 'W' }).selectOption(fields.quorum);
    if (submitWithEnter) {
      await traced.getByRole('textbox', { name: 'Key' }).press('Enter');
    } else {
      await traced.getByRole('button', { name: 'Trace a request' }).click();
    }
    await traced.getByRole('status').filter({ hasText: `answered ${fields.op} ${bucket}/${fields.key}` }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
  };

  beforeAll(async () => {
    running = await startConsole({ nodes: 5 });
    for (const [id, url] of await memberUrls(admin)) nodes.set(id, url);
    downloads = mkdtempSync(path.join(tmpdir(), 'dynamo-e2e-traces-'));
    browser = await launchBrowser();
    page = await openPage(browser, `${running.url}/#/cluster`);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    if (downloads !== undefined) rmSync(downloads, { recursive: true, force: true });
  }, 60_000);

  it('traces a GET through a node from the keyboard: one entry per replica message, the quorum marked', async () => {
    const written = await fetch(`${nodes.get('n1')}/v1/kv/${bucket}/greeting`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(written.status).toBe(204);
    const replicas = await preference('greeting');
    const outsider = [...nodes.keys()].find((id) => !replicas.includes(id))!;

    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Traces' }).waitFor({ state: 'visible' });
    await page.getByText('No trace shown').waitFor({ state: 'visible' });
    await screenshot(page, 'traces-01-empty');
    await expectAccessible();

    await traceRequest({ node: outsider, op: 'GET', key: 'greeting', quorum: '2' }, true);
    // The trace's heading takes the keyboard once it is drawn.
    const heading = page.getByRole('heading', { level: 3, name: new RegExp(`^GET ${bucket}/greeting coordinated by ${outsider}$`) });
    await heading.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    const focused = () =>
      heading.evaluate((element) => {
        const self = element as unknown as { ownerDocument: { activeElement: unknown } };
        return self.ownerDocument.activeElement === self;
      });
    await expect.poll(focused).toBe(true);
    expect(new URL(page.url()).hash).toMatch(new RegExp(`^#/traces/${outsider}/${outsider}-`));

    const diagram = page.getByRole('img', { name: /^Space-time diagram of get e2e-traces\/greeting coordinated by n\d, / });
    await diagram.waitFor({ state: 'visible' });
    expect(await diagram.getAttribute('aria-label')).toMatch(/: 3 reads to n\d, n\d and n\d/);
    expect(await page.getByRole('group', { name: 'Outcome' }).innerText()).toMatch(/200 · 1 version/);
    // The third read may still be on its way when the page first draws: it is read again until complete.
    await page.getByText(/^Still recording/).waitFor({ state: 'detached', timeout: changeTimeoutMs });
    const rows = await messageRows();
    const reads = rows.filter((row) => /\bread\b/.test(row) && !/read repair/.test(row));
    expect(reads).toHaveLength(3);
    expect(new Set(reads.map((row) => /n\d/.exec(row)![0]))).toEqual(new Set(replicas));
    expect(reads.filter((row) => /quorum$/i.test(row.trim()))).toHaveLength(2);
    expect(await diagram.getAttribute('aria-label')).toMatch(/2 replies from n\d and n\d made R = 2; answered ok/);
    expect(await page.getByRole('region', { name: 'States and events' }).innerText()).toMatch(/waitingForReplicas[\s\S]*readRepairing[\s\S]*done/);
    await heading.scrollIntoViewIfNeeded();
    await screenshot(page, 'traces-02-get-page');
    await shoot(traceCard(/^GET e2e-traces\/greeting/), 'traces-03-get-diagram');
    await expectAccessible();
  });

  it("traces a PUT while a primary is isolated: the fallback's write shows the primary it keeps the hint for", async () => {
    // Not n1: the console reads the cluster through n1, which must still reach its peers.
    let key = '';
    let replicas: string[] = [];
    for (let i = 0; key === ''; i++) {
      replicas = await preference(`hinted-${i}`);
      if (!replicas.slice(0, 2).includes('n1')) key = `hinted-${i}`;
    }
    const [coordinator, cut] = replicas;
    await admin('isolateNode', cut);
    try {
      await traceRequest({ node: coordinator, op: 'PUT', key, value: 'written while a primary was cut off' });
      const fallback = page.getByRole('table', { name: 'Replica messages' }).getByRole('row').filter({ hasText: `fallback for ${cut}` });
      await fallback.first().waitFor({ state: 'visible', timeout: changeTimeoutMs });
      await expect.poll(() => fallback.first().innerText(), { timeout: changeTimeoutMs }).toMatch(/\back\b/);
      const holder = /n\d/.exec(await fallback.first().innerText())![0];
      expect(replicas).not.toContain(holder);
      const diagram = page.getByRole('img', { name: /^Space-time diagram of put / });
      expect(await diagram.getAttribute('aria-label')).toContain(`${holder} keeps a hint for ${cut}`);
      expect(await page.getByRole('group', { name: 'Outcome' }).innerText()).toMatch(/204 stored/);
      await page.getByText(/^Still recording/).waitFor({ state: 'detached', timeout: changeTimeoutMs });
      await page.getByRole('heading', { level: 3, name: new RegExp(`^PUT ${bucket}/${key}`) }).scrollIntoViewIfNeeded();
      await screenshot(page, 'traces-04-put-fallback-page');
      await shoot(traceCard(new RegExp(`^PUT ${bucket}/${key}`)), 'traces-05-put-fallback-diagram');
      await expectAccessible();
    } finally {
      await admin('healNode', cut);
    }
  });

  it("traces a PUT through a node outside the preference list: the forwarding hop, then the coordinator's trace", async () => {
    const replicas = await preference('forwarded');
    const outsider = [...nodes.keys()].find((id) => !replicas.includes(id))!;
    await traceRequest({ node: outsider, op: 'PUT', key: 'forwarded', value: 'sent to the wrong node' });
    const hop = page.getByRole('article').filter({ hasText: 'The forwarding hop' });
    await hop.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    const coordinatorTrace = page.getByRole('article').filter({ hasText: 'The coordinator’s trace' });
    await coordinatorTrace.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await messageRows(hop.getByRole('table', { name: 'Replica messages' }))).toEqual([expect.stringMatching(/forward[\s\S]*answered ok/)]);
    const writes = (await messageRows(coordinatorTrace.getByRole('table', { name: 'Replica messages' }))).filter((row) => /\bwrite\b/.test(row));
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(await hop.getByRole('heading', { level: 3 }).innerText()).toMatch(new RegExp(`forwarded by ${outsider}`));
    await hop.scrollIntoViewIfNeeded();
    await shoot(hop, 'traces-06-forwarding-hop');
    await shoot(coordinatorTrace, 'traces-07-forwarded-coordinator');
    await expectAccessible();
  });

  it('lists the traces, filters them by operation and orders them slowest first; a row opens its trace', async () => {
    const table = page.getByRole('table', { name: 'Traces' });
    await expect.poll(() => table.locator('tbody').getByRole('row').count(), { timeout: changeTimeoutMs }).toBeGreaterThanOrEqual(3);
    const rows = await table.locator('tbody').getByRole('row').allInnerTexts();
    expect(rows.some((row) => /GET[\s\S]*e2e-traces\/greeting/.test(row))).toBe(true);
    expect(rows.some((row) => /PUT[\s\S]*e2e-traces\/hinted-\d+/.test(row))).toBe(true);

    const filter = page.getByRole('search', { name: 'Filter traces' });
    await filter.getByRole('combobox', { name: 'Operation' }).selectOption('put');
    await expect.poll(async () => (await table.locator('tbody').getByRole('row').allInnerTexts()).every((row) => /\bPUT\b/.test(row)), { timeout: changeTimeoutMs }).toBe(true);
    await filter.getByRole('textbox', { name: 'Key' }).fill('forwarded');
    await expect.poll(() => table.locator('tbody').getByRole('row').count(), { timeout: changeTimeoutMs }).toBe(2);
    await filter.getByRole('textbox', { name: 'Key' }).fill('');
    await filter.getByRole('combobox', { name: 'Operation' }).selectOption('');

    await page.getByRole('radiogroup', { name: 'Order' }).getByText('Slowest first').click();
    await page.getByRole('heading', { name: 'Slowest traces' }).waitFor({ state: 'visible' });
    await expect
      .poll(async () => {
        const durations = (await table.locator('tbody').getByRole('row').allInnerTexts()).map((row) => Number(/([\d,]+) ms/.exec(row)?.[1].replace(/,/g, '') ?? -1));
        return durations.every((duration, i) => i === 0 || durations[i - 1] >= duration);
      }, { timeout: changeTimeoutMs })
      .toBe(true);
    await screenshot(page, 'traces-08-slowest');
    await expectAccessible();

    await table.getByRole('link', { name: `${bucket}/greeting` }).first().click();
    await page.getByRole('heading', { level: 3, name: new RegExp(`^GET ${bucket}/greeting`) }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await table.locator('tbody tr[aria-current="true"]').innerText()).toMatch(/greeting/);
  });

  it('exports the shown trace as JSON and opens the file again, showing the same trace', async () => {
    const heading = page.getByRole('heading', { level: 3, name: new RegExp(`^GET ${bucket}/greeting`) });
    await heading.waitFor({ state: 'visible' });
    const [node, id] = decodeURIComponent(new URL(page.url()).hash.slice('#/traces/'.length)).split('/');
    const shownRows = await messageRows();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    expect(download.suggestedFilename()).toBe(`trace-${node}-${id}.json`);
    const file = path.join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as TraceView;
    expect(exported).toEqual(await admin('trace', node, id));

    await page.getByRole('link', { name: 'Cluster', exact: true }).click();
    await page.getByRole('link', { name: 'Traces', exact: true }).click();
    await page.getByText('No trace shown').waitFor({ state: 'visible' });
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Open trace file' }).click()]);
    await chooser.setFiles(file);
    await heading.waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await page.getByRole('article').first().innerText()).toContain(`opened from ${download.suggestedFilename()}`);
    expect(await messageRows()).toEqual(shownRows);
    expect(await page.getByRole('img', { name: /^Space-time diagram of get e2e-traces\/greeting/ }).count()).toBe(1);
    await screenshot(page, 'traces-09-opened-from-file');
    await expectAccessible();
  });

  it('refuses a file that is not a trace, saying what is wrong with it', async () => {
    const open = async (name: string, content: string) => {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Open trace file' }).click()]);
      await chooser.setFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
      return page.getByRole('alert').filter({ hasText: 'The file cannot be opened' });
    };
    const notJson = await open('notes.json', 'these are my notes');
    await notJson.waitFor({ state: 'visible' });
    expect(await notJson.innerText()).toMatch(/notes\.json is not JSON \(/);
    const wrongShape = await open('metrics.json', JSON.stringify({ id: 'n1-abcd-1', op: 'get', bucket: 'b', key: 'k', partition: 'seven' }));
    await expect.poll(() => wrongShape.innerText()).toMatch(/metrics\.json is not a request trace: partition must be a whole number from 0\./);
    // The trace shown before stays.
    expect(await page.getByRole('heading', { level: 3, name: new RegExp(`^GET ${bucket}/greeting`) }).count()).toBe(1);
    await wrongShape.scrollIntoViewIfNeeded();
    await screenshot(page, 'traces-10-wrong-file');
    await expectAccessible();
    await wrongShape.getByRole('button', { name: 'Dismiss' }).click();
    await wrongShape.waitFor({ state: 'detached' });
  });

  it('reads well in the dark theme too', async () => {
    await page.getByRole('button', { name: /switch to dark theme/i }).click();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'traces-11-dark-top');
    await shoot(traceCard(new RegExp(`^GET ${bucket}/greeting`)), 'traces-12-dark-get-diagram');
    await expectAccessible();
    await page.getByRole('table', { name: 'Traces' }).locator('tbody').getByRole('row').filter({ hasText: /hinted-\d+/ }).getByRole('link').first().click();
    await page.getByRole('table', { name: 'Replica messages' }).getByRole('row').filter({ hasText: 'fallback for' }).first().waitFor({ state: 'visible', timeout: changeTimeoutMs });
    await shoot(traceCard(/^PUT /), 'traces-13-dark-fallback-diagram');
    await expectAccessible();
    await page.getByRole('button', { name: /switch to light theme/i }).click();
  });
});
