// The Keys page in a real browser against a real `dynamo console` with five local node
// processes. Keys written through the nodes' HTTP API are found by Bucket and Prefix, paged with
// a small page size while the page says how far the listing has got, and the bucket table filters
// the browser; two blind writes through two different nodes make siblings, which "Only keys with
// siblings" finds and the key's page announces with a link to the Conflicts page; a key's page
// shows its value in the viewer that fits it (text, foldable JSON, a hex dump, an image), its
// placement and every replica's copy, marking the copy of a node that missed a write; the form
// writes a value. It is driven by role and accessible name (CONTRACT.md, "Console"), also from
// the keyboard; axe-core checks each view; every step leaves a screenshot.

import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, openPage, screenshot, seriousViolations } from './support/browser.js';
import { adminCaller, memberUrls } from './support/console-admin.js';
import { type RunningProcess, startConsole } from './support/console-process.js';

const bucket = 'e2e-keys';
const changeTimeoutMs = 30_000;

/** A small PNG (a colour gradient), made here so the test needs no file. */
function gradientPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([Math.round((255 * x) / width), Math.round((255 * y) / height), 160], 1 + x * 3);
    rows.push(row);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

describe.skipIf(!hasChromium)('Keys page', () => {
  let running: RunningProcess;
  let browser: Browser;
  let page: Page;
  /** Each node's http://host:port, from the console's own view. */
  const nodes = new Map<string, string>();

  const admin = adminCaller(() => running.url);
  const put = async (through: string, key: string, value: string | Buffer, contentType = 'text/plain', target = bucket) => {
    const answer = await fetch(`${nodes.get(through)}/v1/kv/${encodeURIComponent(target)}/${encodeURIComponent(key)}`, {
      method: 'PUT',
      headers: { 'content-type': contentType },
      body: value,
    });
    expect(answer.status, `PUT ${key} through ${through}`).toBe(204);
  };
  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const keyLinks = () => page.getByRole('table', { name: 'Keys' }).getByRole('link');
  const status = () => page.getByRole('status').filter({ hasText: /keys? (shown|match)/i });
  const openKey = async (key: string) => {
    await page.goto(`${running.url}/#/keys/${encodeURIComponent(bucket)}/${encodeURIComponent(key)}`);
    await page.getByRole('heading', { level: 1, name: key }).waitFor({ state: 'visible' });
    await page.getByRole('heading', { name: 'Replicas' }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
  };

  beforeAll(async () => {
    running = await startConsole({ nodes: 5 });
    for (const [id, url] of await memberUrls(admin)) nodes.set(id, url);
    browser = await launchBrowser();
    page = await openPage(browser, `${running.url}/#/keys`);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  }, 60_000);

  it('finds keys written through the nodes by Bucket and Prefix, a page at a time, saying how far it has got', async () => {
    for (let i = 0; i < 23; i++) await put(`n${(i % 5) + 1}`, `user-${String(i).padStart(2, '0')}`, `user number ${i}`);
    for (const key of ['alpha', 'beta', 'gamma']) await put('n2', key, `in another bucket: ${key}`, 'text/plain', 'e2e-other');

    await page.getByRole('link', { name: 'Keys', exact: true }).click();
    await page.getByRole('textbox', { name: 'Bucket' }).fill(bucket);
    await page.getByRole('textbox', { name: 'Prefix' }).fill('user-');
    await page.getByRole('combobox', { name: 'Keys per page' }).selectOption('10');
    // The filter goes into the address at once; the list follows when its first page arrives (until
    // then the page may still show the list of the filter typed before, up to 25 keys).
    await expect.poll(() => new URL(page.url()).hash, { timeout: changeTimeoutMs }).toBe(`#/keys?bucket=${bucket}&prefix=user-&limit=10`);
    const firstPageShown = async () => {
      const match = /^(\d+) keys shown · \d+ of 64 partitions scanned$/.exec(await status().innerText());
      return match !== null && Number(match[1]) <= 10;
    };
    await expect.poll(firstPageShown, { timeout: changeTimeoutMs }).toBe(true);
    const firstPage = await keyLinks().count();
    expect(firstPage).toBeGreaterThan(0);
    expect(firstPage).toBeLessThanOrEqual(10);
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(true);
    await screenshot(page, 'keys-01-browser-first-page');
    await expectAccessible();

    for (let i = 0; i < 40 && (await page.getByRole('button', { name: 'Load more' }).isVisible()); i++) {
      const before = await status().innerText();
      await page.getByRole('button', { name: 'Load more' }).click();
      await expect.poll(() => status().innerText(), { timeout: changeTimeoutMs }).not.toBe(before);
    }
    expect(await status().innerText()).toBe('All 23 keys shown · all 64 partitions scanned');
    const shown = await keyLinks().allInnerTexts();
    expect([...shown].sort()).toEqual(Array.from({ length: 23 }, (_, i) => `user-${String(i).padStart(2, '0')}`));
    // The filter is in the address: the same list can be linked to.
    expect(new URL(page.url()).hash).toBe(`#/keys?bucket=${bucket}&prefix=user-&limit=10`);
    await screenshot(page, 'keys-02-browser-all-pages', true);

    await page.getByRole('combobox', { name: 'Keys per page' }).selectOption('25');
    await page.getByRole('textbox', { name: 'Prefix' }).fill('user-1');
    await expect.poll(() => status().innerText(), { timeout: changeTimeoutMs }).toBe('All 10 keys shown · all 64 partitions scanned');
  });

  it('lists the buckets with their counts; choosing one filters the browser', async () => {
    const buckets = page.getByRole('table', { name: 'Buckets' });
    await expect.poll(() => buckets.getByRole('row', { name: /e2e-keys/ }).innerText(), { timeout: changeTimeoutMs }).toMatch(/23/);
    await buckets.getByRole('button', { name: /^Bucket e2e-other/ }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Bucket' }).inputValue()).toBe('e2e-other');
    await page.getByRole('textbox', { name: 'Prefix' }).fill('');
    // Exactly the bucket's three keys (a list of the filter before may show until they arrive).
    await expect.poll(async () => (await keyLinks().allInnerTexts()).sort(), { timeout: changeTimeoutMs }).toEqual(['alpha', 'beta', 'gamma']);
    expect(await buckets.getByRole('button', { name: /^Bucket e2e-other/ }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'keys-03-bucket-chosen');
  });

  it('finds the key two blind writes through two nodes left with siblings, from the keyboard', async () => {
    await put('n1', 'cart', JSON.stringify({ items: ['milk', 'eggs'], owner: 'ada' }), 'application/json');
    await put('n4', 'cart', JSON.stringify({ items: ['milk', 'bread'], owner: 'ada' }), 'application/json');
    await page.getByRole('textbox', { name: 'Bucket' }).fill(bucket);
    // Tab from the Prefix box to the checkbox, and tick it with Space.
    await page.getByRole('textbox', { name: 'Prefix' }).focus();
    for (let i = 0; i < 4; i++) {
      const focused = (await page.evaluate('document.activeElement?.getAttribute("type")')) as string | null;
      if (focused === 'checkbox') break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Space');
    expect(await page.getByRole('checkbox', { name: 'Only keys with siblings' }).isChecked()).toBe(true);
    await expect.poll(() => keyLinks().allInnerTexts(), { timeout: changeTimeoutMs }).toEqual(['cart']);
    expect(await page.getByRole('row', { name: /cart/ }).innerText()).toMatch(/2 siblings/i);
    await screenshot(page, 'keys-04-only-siblings');
    await expectAccessible();
    // Tab reaches the key's link; Enter opens its page.
    await keyLinks().first().focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'cart' }).waitFor({ state: 'visible' });
  });

  it("shows the key's siblings, each value as foldable JSON, its placement and every replica's copy", async () => {
    await page.getByRole('heading', { name: 'Replicas' }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
    const conflicts = page.getByRole('link', { name: /resolve them on the conflicts page/i });
    expect(await conflicts.getAttribute('href')).toBe(`#/conflicts/${bucket}/cart`);
    expect(await page.getByText('2 concurrent versions (siblings)').count()).toBeGreaterThan(0);
    for (const name of ['Version 1 of 2', 'Version 2 of 2']) {
      const version = page.getByRole('region', { name });
      await version.getByRole('tree').waitFor({ state: 'visible' });
      expect(await version.innerText()).toMatch(/application\/json/);
    }
    expect(await page.getByRole('tree').first().innerText()).toMatch(/"items": \[2 items\]/);
    // The ring comes with the cluster view, read once the page is open.
    await page.getByRole('img', { name: /^Ring: the key is in partition \d+ of 64; its preference list is / }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
    // Each of the three preference-list nodes' copies holds both versions, like the read.
    await expect.poll(async () => page.getByRole('region', { name: /^Copy on n\d: same$/ }).count(), { timeout: changeTimeoutMs }).toBe(3);
    await screenshot(page, 'keys-05-key-with-siblings');
    await screenshot(page, 'keys-06-key-with-siblings-full', true);
    await expectAccessible();
  });

  it('shows text, binary as a hex dump, an image, and cuts a long value until Show all', async () => {
    await put('n1', 'notes.txt', `First line of a note.\n${'All work and no play. '.repeat(400)}`, 'text/plain; charset=utf-8');
    await put('n2', 'blob.bin', Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 37) % 256)), 'application/octet-stream');
    await put('n3', 'logo.png', gradientPng(96, 64), 'image/png');

    await openKey('notes.txt');
    const text = page.getByRole('region', { name: 'Value', exact: true });
    expect(await text.innerText()).toMatch(/^First line of a note\./);
    expect(await page.getByText(/Showing the first 4,000 of 8,822 characters/).count()).toBe(1);
    await page.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(async () => (await text.innerText()).length).toBeGreaterThan(8000);
    await screenshot(page, 'keys-07-text-value');

    await openKey('blob.bin');
    const dump = page.getByRole('region', { name: 'Value (hex dump)' });
    expect(await dump.innerText()).toMatch(/^00000000 {2}00 25 4a 6f/);
    expect(await page.getByRole('button', { name: 'Show all' }).count()).toBe(1);
    await screenshot(page, 'keys-08-binary-value');
    await expectAccessible();

    await openKey('logo.png');
    const image = page.getByRole('img', { name: /^Value: image\/png image/ });
    await image.waitFor({ state: 'visible' });
    expect(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(96);
    await screenshot(page, 'keys-09-image-value');
    await expectAccessible();
  });

  it('marks the copy of a replica that missed a write, and names who holds its hint', async () => {
    await put('n1', 'missed', 'before');
    const detail = (await admin('keyDetail', bucket, 'missed')) as { preference: string[] };
    // Not n1: the console reads the cluster through n1, which must still reach its peers.
    const behind = detail.preference.filter((id) => id !== 'n1').at(-1)!;
    const through = detail.preference.find((id) => id !== behind)!;
    await admin('isolateNode', behind);
    try {
      const read = (await (await fetch(`${nodes.get(through)}/v1/kv/${bucket}/missed`)).headers.get('x-dynamo-context')) ?? '';
      const answer = await fetch(`${nodes.get(through)}/v1/kv/${bucket}/missed`, { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-dynamo-context': read }, body: 'after' });
      expect(answer.status).toBe(204);
      await openKey('missed');
      const copy = page.getByRole('region', { name: `Copy on ${behind}: differs` });
      await copy.waitFor({ state: 'visible', timeout: changeTimeoutMs });
      expect(await copy.innerText()).toMatch(/Lacks n\d:\d+/);
      // The write went to a fallback as a hint for the cut-off node: the page names its holder.
      const hinted = page.getByText(new RegExp(`^n\\d holds \\d+ hints? for ${behind}, possibly a copy of this key`));
      await expect
        .poll(
          async () => {
            if ((await hinted.count()) > 0) return true;
            await page.getByRole('button', { name: 'Refresh' }).click();
            return false;
          },
          { timeout: changeTimeoutMs, interval: 1000 },
        )
        .toBe(true);
      await copy.scrollIntoViewIfNeeded();
      await screenshot(page, 'keys-10-copy-differs');
      await expectAccessible();
    } finally {
      await admin('healNode', behind);
    }
  });

  it('writes a value from the form and opens it', async () => {
    await page.goto(`${running.url}/#/keys`);
    await page.getByRole('button', { name: 'Write a value' }).click();
    const dialog = page.getByRole('dialog', { name: 'Write a value' });
    await dialog.waitFor({ state: 'visible' });
    await dialog.getByRole('textbox', { name: 'Bucket' }).fill('e2e-written');
    await dialog.getByRole('textbox', { name: 'Key' }).fill('greeting/en');
    await dialog.getByRole('textbox', { name: 'Value' }).fill('{"hello": "world", "n": [1, 2, 3]}');
    await dialog.getByRole('textbox', { name: 'Content type' }).fill('application/json');
    await screenshot(page, 'keys-11-write-form');
    await expectAccessible();
    await dialog.getByRole('button', { name: 'Write' }).click();
    await dialog.getByRole('status').filter({ hasText: 'greeting/en now holds 1 version' }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
    await dialog.getByRole('link', { name: 'Open greeting/en' }).click();
    await page.getByRole('heading', { level: 1, name: 'greeting/en' }).waitFor({ state: 'visible' });
    expect(new URL(page.url()).hash).toBe('#/keys/e2e-written/greeting%2Fen');
    await page.getByRole('tree').waitFor({ state: 'visible', timeout: changeTimeoutMs });
    expect(await page.getByRole('tree').innerText()).toMatch(/"hello": "world"/);
    await screenshot(page, 'keys-12-written-key');
  });

  it('reads well in the dark theme too', async () => {
    await openKey('cart');
    await page.getByRole('button', { name: /switch to dark theme/i }).click();
    await screenshot(page, 'keys-13-dark-key');
    await expectAccessible();
    await page.goto(`${running.url}/#/keys?bucket=${bucket}`);
    await page.getByRole('table', { name: 'Keys' }).waitFor({ state: 'visible', timeout: changeTimeoutMs });
    await screenshot(page, 'keys-14-dark-browser');
    await expectAccessible();
    await page.getByRole('button', { name: /switch to light theme/i }).click();
  });
});
