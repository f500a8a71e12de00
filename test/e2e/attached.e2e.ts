// The console attached to a cluster it does not run (`dynamo console --attach`): the page shows
// the cluster's members up, and the process actions (Kill, Restart, Add node) are disabled with
// the reason written on the page, while Leave and Isolate stay available; axe-core finds nothing
// serious.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage, screenshot, seriousViolations } from './support/browser.js';
import { attachConsole, type RunningProcess, startCluster } from './support/console-process.js';

describe.skipIf(!hasChromium)('Cluster page, attached', () => {
  let cluster: RunningProcess;
  let attached: RunningProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3 });
    attached = await attachConsole(cluster.url);
    browser = await launchBrowser();
    page = await openPage(browser, `${attached.url}/#/cluster`);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await attached?.stop();
    await cluster?.stop();
  }, 60_000);

  it('shows the members and says why process actions are unavailable', async () => {
    const row = page.getByRole('row', { name: /^n2\b/ });
    await expect.poll(async () => (await row.getByText(/^up$/i).textContent())?.trim(), { timeout: 30_000 }).toBe('up');
    const kill = row.getByRole('button', { name: /kill/i });
    expect(await kill.isDisabled()).toBe(true);
    expect(await row.getByRole('button', { name: /restart/i }).isDisabled()).toBe(true);
    expect(await row.getByRole('button', { name: /leave/i }).isDisabled()).toBe(false);
    expect(await row.getByRole('button', { name: /isolate/i }).isDisabled()).toBe(false);
    expect(await page.getByRole('button', { name: /add node/i }).isDisabled()).toBe(true);
    // The reason is on the page and describes the disabled buttons.
    const reason = await page.getByText(/unavailable/i).first().innerText();
    expect(reason.length).toBeGreaterThan(0);
    const describedBy = await kill.getAttribute('aria-describedby');
    expect(describedBy).not.toBeNull();
    expect((await page.locator(`[id="${describedBy}"]`).innerText()).length).toBeGreaterThan(10);
    await screenshot(page, '12-attached');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
