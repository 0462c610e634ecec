// The React example (examples/react) in real headless Chromium against the simulated API on 127.0.0.1:
// all items render (over axios' XMLHttpRequest adapter and over its fetch adapter), a 429 from the API is
// retried in the browser, and Cancel stops the requests.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/servers/chromium.js';
import { startSimApi, type SimApi } from '../test/servers/sim-api.js';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'examples/react/dist');
let browser: Browser;
let site: http.Server;
let siteUrl: string;

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', 'examples/react'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' }, // jest sets NODE_ENV=test; ship what users ship
  });
  site = http.createServer((req, res) => {
    const file = path.join(dist, new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(dist) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
});

let sim: SimApi;
let page: Page;
afterEach(async () => {
  await page?.close();
  await sim?.close();
});

const statusText = () => page.getByTestId('status').innerText();

it.each(['xhr', 'fetch'])(
  'lists every item, retrying the 429s and 503s the API answers with, in the browser (%s adapter)',
  async (adapter) => {
    // 15 requests per second, no RateLimit headers: the first burst of 4-at-a-time runs into 429 + Retry-After;
    // and flaky: 8 % of requests answer 503.
    sim = await startSimApi({
      items: 400,
      pageSize: 10,
      latencyMs: 5,
      cors: true,
      quota: { limit: 15, windowMs: 1000, headers: 'none' },
      faults: { seed: 3, error503: 0.08 },
    });
    page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const kinds = new Set<string>();
    page.on('request', (request) => void (request.url().startsWith(sim.url) && kinds.add(request.resourceType())));
    await page.goto(`${siteUrl}/?api=${encodeURIComponent(sim.url)}&adapter=${adapter}`);
    await page.getByRole('button', { name: 'Load all' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent?.startsWith('done'), undefined, {
      timeout: 60_000,
    });
    expect(await page.locator('[data-testid="items"] li').count()).toBe(400);
    const ids = await page.locator('[data-testid="items"] li').allInnerTexts();
    expect(ids).toEqual(Array.from({ length: 400 }, (_, i) => `#${i}`));
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('rate-limited').innerText())).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('retries').innerText())).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect([...kinds]).toEqual([adapter]); // the transport asked for, and only it
    expect(sim.stats.faults).toBeGreaterThan(0);
  },
);

it('each load shows its own counters: the 429s of a second load are that load’s, not a running sum', async () => {
  sim = await startSimApi({ items: 200, pageSize: 10, latencyMs: 5, cors: true, quota: { limit: 15, windowMs: 1000, headers: 'none' } });
  page = await browser.newPage();
  await page.goto(`${siteUrl}/?api=${encodeURIComponent(sim.url)}`);
  const load = async () => {
    await page.getByRole('button', { name: 'Load all' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent?.startsWith('done'), undefined, {
      timeout: 60_000,
    });
    return Number(await page.getByTestId('rate-limited').innerText());
  };
  const first = await load();
  const afterFirst = sim.stats.rateLimited;
  expect(first).toBe(afterFirst);
  const second = await load();
  expect(second).toBe(sim.stats.rateLimited - afterFirst);
});

it('Cancel stops the requests', async () => {
  sim = await startSimApi({ items: 5000, pageSize: 10, latencyMs: 150, cors: true });
  page = await browser.newPage();
  await page.goto(`${siteUrl}/?api=${encodeURIComponent(sim.url)}`);
  await page.getByRole('button', { name: 'Load all' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="items"] li').length >= 30, undefined, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent?.startsWith('canceled'), undefined, {
    timeout: 10_000,
  });
  const atCancel = sim.stats.requests;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(sim.stats.requests).toBe(atCancel);
  expect(sim.stats.requests).toBeLessThan(500);
  expect(await statusText()).toMatch(/^canceled/);
});
