// The Metrics page in a real browser against a real `dynamo console` with five local node
// processes, while a small loop writes and reads keys through the nodes' HTTP API. The six
// charts are images with names that say what they show; their newest second moves on as samples
// arrive (the page's latest-sample time and each chart's latest-at attribute change), and the
// figures table shows the load. Killing n3 shades a killed band on every chart (each chart says
// how many bands it drew) and lists the period as ongoing; isolating n2 meanwhile adds a second,
// overlapping band; the restart and the heal close them, and the list gives their durations. The
// window, scope and operation controls work, also from the keyboard. A history that cannot be
// read is said with its reason and Try again; with no sample yet the page says it is waiting.
// axe-core checks light and dark; every state leaves a screenshot.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage, screenshot, seriousViolations } from './support/browser.js';
import { adminCaller, memberUrls } from './support/console-admin.js';
import { type RunningProcess, startConsole } from './support/console-process.js';

const changeTimeoutMs = 30_000;
const charts = ['Throughput', 'Throughput by node', 'Latency of get', 'Hints and transfers pending', 'Keys repaired', 'Peer traffic'];
/** The load loop's pace: enough operations to draw, little enough to leave the shared machine's cores to the cluster. */
const loadPauseMs = 15;
/** Loops at once: one waiting on a node that cannot answer (isolated) leaves the others going. */
const loadWorkers = 3;

describe.skipIf(!hasChromium)('Metrics page', () => {
  let running: RunningProcess;
  let browser: Browser;
  let page: Page;
  const nodes = new Map<string, string>();
  let loading = false;
  let load: Promise<void> = Promise.resolve();
  let loadOk = 0;

  const admin = adminCaller(() => running.url);
  /** One loop of PUTs, GETs and DELETEs through every node in turn until stopped; a node that is down just fails its turn. */
  const runLoad = async (worker: number) => {
    for (let i = worker; loading; i += loadWorkers) {
      const base = nodes.get(`n${(i % 5) + 1}`);
      const key = `${base}/v1/kv/e2e-metrics/worker-${worker}-key-${i % 40}`;
      try {
        // Twice as many reads as writes, and now and then a delete: three lines to tell apart.
        const put = await fetch(key, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `value ${i}` });
        for (let read = 0; read < 2; read++) await (await fetch(key)).arrayBuffer();
        if (i % 8 === 0) await (await fetch(key, { method: 'DELETE' })).arrayBuffer();
        if (put.status === 204) loadOk++;
      } catch {
        // The node is down (killed by the test): the next turn goes to the next node.
      }
      await new Promise((resolve) => setTimeout(resolve, loadPauseMs));
    }
  };
  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const chart = (title: string) => page.getByRole('img', { name: new RegExp(`^${title} chart`) });
  const faultRow = (text: string) => page.getByRole('table', { name: 'Fault periods' }).getByRole('row').filter({ hasText: text });
  const pageRoot = () => page.locator('[data-latest-sample-at]');

  beforeAll(async () => {
    running = await startConsole({ nodes: 5 });
    for (const [id, url] of await memberUrls(admin)) nodes.set(id, url);
    loading = true;
    load = Promise.all(Array.from({ length: loadWorkers }, (_, worker) => runLoad(worker))).then(() => undefined);
    browser = await launchBrowser();
    page = await openPage(browser, `${running.url}/#/cluster`);
  }, 150_000);

  afterAll(async () => {
    loading = false;
    await load;
    await browser?.close();
    await running?.stop();
  }, 60_000);

  it('draws six named charts whose data moves with every second, and the figures show the load', async () => {
    await page.getByRole('link', { name: 'Metrics' }).click();
    await page.getByRole('heading', { level: 1, name: 'Metrics' }).waitFor();
    for (const title of charts) await chart(title).waitFor({ state: 'visible', timeout: changeTimeoutMs });

    // The newest sample's time moves on, on the page and in a chart.
    await expect.poll(() => pageRoot().getAttribute('data-latest-sample-at'), { timeout: changeTimeoutMs }).not.toBeNull();
    const firstSample = await pageRoot().getAttribute('data-latest-sample-at');
    const firstDrawn = await chart('Throughput').getAttribute('data-latest-at');
    await expect.poll(() => pageRoot().getAttribute('data-latest-sample-at'), { timeout: changeTimeoutMs }).not.toBe(firstSample);
    await expect.poll(() => chart('Throughput').getAttribute('data-latest-at'), { timeout: changeTimeoutMs }).not.toBe(firstDrawn);

    // The load shows: the cluster's put rate and each node reporting.
    const figures = page.getByRole('table', { name: 'Current figures' });
    const clusterRow = figures.getByRole('row').filter({ hasText: 'Whole cluster' });
    await expect.poll(async () => (await clusterRow.getByRole('cell').nth(3).innerText()).trim(), { timeout: changeTimeoutMs }).toMatch(/^(?!0\/s)[\d.,k]+\/s$/);
    for (const node of nodes.keys()) expect(await figures.getByRole('row', { name: new RegExp(`^${node} `) }).innerText()).toMatch(/just now|\d+s ago/);
    await expect.poll(() => page.getByRole('status').filter({ hasText: /reporting/ }).innerText(), { timeout: changeTimeoutMs }).toMatch(/^5 nodes reporting · latest sample \d\d:\d\d:\d\d/);
    expect(await chart('Throughput').getAttribute('aria-label')).toMatch(/^Throughput chart, whole cluster, last 5 minutes: get [\d.,k]+\/s, put [\d.,k]+\/s, delete [\d.,k]+\/s; no faults in this window$/);
    expect(await page.getByRole('table', { name: 'Fault periods' }).count()).toBe(0);
    expect(await page.getByText('No node was killed, crashed, stopped or isolated in the last 5 minutes.').count()).toBe(1);
    expect(loadOk).toBeGreaterThan(0);

    // The pointer over a chart reads its values at that second.
    const box = await chart('Throughput').boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.move((box?.x ?? 0) + (box?.width ?? 0) * 0.97, (box?.y ?? 0) + (box?.height ?? 0) / 2);
    const section = page.getByRole('region', { name: 'Throughput', exact: true });
    await section.getByText(/^at \d\d:\d\d:\d\d$/).waitFor();
    await page.mouse.move(0, 0);
    await section.getByText(/^latest \d\d:\d\d:\d\d$/).waitFor();
    await screenshot(page, 'metrics-01-live');
    await screenshot(page, 'metrics-02-live-full-page', true);
    await expectAccessible();
  });

  it('shades a kill and an isolation on every chart, lists them, and closes each with its duration', async () => {
    // The last minute: the faults of this test fill the charts' width.
    await page.getByRole('radiogroup', { name: 'Window' }).getByText('1 min', { exact: true }).click();
    await admin('killNode', 'n3');
    await expect.poll(() => faultRow('n3 killed').innerText(), { timeout: changeTimeoutMs }).toMatch(/killed.*now.*ongoing/is);
    for (const title of charts) await expect.poll(() => chart(title).getAttribute('data-fault-bands'), { timeout: changeTimeoutMs }).toBe('1');
    expect(await chart('Throughput').getAttribute('aria-label')).toMatch(/; 1 fault period shaded$/);
    // n3 sends nothing while it is down: its row says for how long.
    const n3Row = page.getByRole('table', { name: 'Current figures' }).getByRole('row', { name: /^n3 / });
    await expect.poll(() => n3Row.innerText(), { timeout: changeTimeoutMs }).toMatch(/silent for \d+s/);

    // A second fault of another node, overlapping the first.
    await admin('isolateNode', 'n2', ['n1', 'n4']);
    await expect.poll(() => faultRow('n2 isolated from n1, n4').innerText(), { timeout: changeTimeoutMs }).toMatch(/isolated.*now.*ongoing/is);
    for (const title of charts) await expect.poll(() => chart(title).getAttribute('data-fault-bands'), { timeout: changeTimeoutMs }).toBe('2');
    await screenshot(page, 'metrics-03-kill-and-isolation');
    await expectAccessible();

    await admin('restartNode', 'n3');
    await admin('healNode', 'n2');
    for (const label of ['n3 killed', 'n2 isolated from n1, n4']) {
      await expect.poll(() => faultRow(label).innerText(), { timeout: changeTimeoutMs }).toMatch(/\d\d:\d\d:\d\d\s+\d\d:\d\d:\d\d\s+(\d+m )?\d+s$/);
    }
    // Both bands stay in the window, now closed; n3 reports again.
    for (const title of charts) expect(await chart(title).getAttribute('data-fault-bands')).toBe('2');
    await expect.poll(() => n3Row.innerText(), { timeout: changeTimeoutMs }).toMatch(/just now|\d+s ago/);
    await screenshot(page, 'metrics-04-faults-closed');
    await expectAccessible();
  }, 120_000);

  it('changes the window, the scope and the latency operation, also from the keyboard', async () => {
    const window = page.getByRole('radiogroup', { name: 'Window' });
    // The radios are visually hidden behind their labels: a person clicks the label.
    await window.getByText('1 min', { exact: true }).click();
    expect(await window.getByRole('radio', { name: '1 min', exact: true }).isChecked()).toBe(true);
    await expect.poll(() => chart('Throughput').getAttribute('aria-label')).toMatch(/last minute:/);
    await window.getByText('15 min', { exact: true }).click();
    await expect.poll(() => chart('Throughput').getAttribute('aria-label')).toMatch(/last 15 minutes:/);
    // Arrow keys move between the window's choices.
    await window.getByRole('radio', { name: '15 min', exact: true }).focus();
    await page.keyboard.press('ArrowLeft');
    expect(await window.getByRole('radio', { name: '5 min', exact: true }).isChecked()).toBe(true);
    await expect.poll(() => chart('Throughput').getAttribute('aria-label')).toMatch(/last 5 minutes:/);

    await page.getByRole('combobox', { name: 'Scope' }).selectOption('n2');
    await expect.poll(() => chart('Throughput').getAttribute('aria-label')).toMatch(/^Throughput chart, node n2, /);
    expect(await page.getByText('Operations answered per second, by operation (node n2).').count()).toBe(1);
    await page.getByRole('radiogroup', { name: 'Latency of' }).getByText('put', { exact: true }).click();
    await chart('Latency of put').waitFor();
    expect(await chart('Latency of put').getAttribute('aria-label')).toMatch(/^Latency of put chart, node n2, last 5 minutes: p50 .*, p99 .*, p99\.9 .*; 2 fault periods shaded$/);
    await screenshot(page, 'metrics-05-node-n2-put-latency');
    await expectAccessible();
    await page.getByRole('combobox', { name: 'Scope' }).selectOption('cluster');
    await expect.poll(() => chart('Throughput').getAttribute('aria-label')).toMatch(/^Throughput chart, whole cluster, /);
  });

  it('says why when the history cannot be read, and waits for the first samples', async () => {
    // A page of its own whose back end is stood in for: the history fails, then answers with
    // nothing; the event stream is held open without a word, so no live sample reaches it.
    const other = await openPage(browser, 'about:blank');
    try {
      let failing = true;
      await other.route('**/api/admin/metricsHistory', (route) =>
        failing
          ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'unavailable', message: 'the console is shutting down' }) })
          : route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ result: { now: Date.now(), windowMs: 15 * 60_000, points: [], faults: [] } }) }),
      );
      await other.route('**/api/events*', () => undefined);
      await other.goto(`${running.url}/#/metrics`);
      const alert = other.getByRole('alert').filter({ hasText: 'The metrics cannot be read' });
      await alert.waitFor({ timeout: changeTimeoutMs });
      expect(await alert.innerText()).toContain('Reading the metrics history failed: the console is shutting down (unavailable).');
      await screenshot(other, 'metrics-08-history-failed');
      expect(await seriousViolations(other)).toEqual([]);

      failing = false;
      await alert.getByRole('button', { name: 'Try again' }).click();
      await other.getByText('Waiting for the first samples').waitFor({ timeout: changeTimeoutMs });
      expect(await other.getByRole('status').filter({ hasText: 'No samples yet' }).count()).toBe(1);
      expect(await other.getByRole('img', { name: / chart, / }).count()).toBe(0);
      await screenshot(other, 'metrics-09-waiting-for-samples');
      expect(await seriousViolations(other)).toEqual([]);
    } finally {
      await other.context().close();
    }
  });

  it('follows the dark theme', async () => {
    const dark = await openPage(browser, `${running.url}/#/metrics`, 'dark');
    try {
      for (const title of ['Throughput', 'Latency of get']) await dark.getByRole('img', { name: new RegExp(`^${title} chart`) }).waitFor({ timeout: changeTimeoutMs });
      await expect.poll(() => dark.getByRole('img', { name: /^Throughput chart/ }).getAttribute('data-fault-bands'), { timeout: changeTimeoutMs }).toBe('2');
      await screenshot(dark, 'metrics-06-dark');
      await screenshot(dark, 'metrics-07-dark-full-page', true);
      expect(await seriousViolations(dark)).toEqual([]);
    } finally {
      await dark.context().close();
    }
  });
});
