// The telemetry span tree in real headless Chromium: a page bundled by vite (test/otel/browser) registers the web
// SDK and instrumentation-xml-http-request before axios loads, then sends one GET through attach() to a server on
// 127.0.0.1 that answers 503, 503, 200. The tree must be the one Node gives (__tests__/telemetry.test.ts): one
// INTERNAL span, exactly 3 CLIENT spans under it with resend_count unset/1/2, each attempt with its own traceparent,
// and no second CLIENT span from the XHR instrumentation.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { SpanJson as Span } from '../test/otel/span-json.js';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../test/servers/chromium.js';

jest.setTimeout(120_000);
const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'test/otel/browser/dist');
let browser: Browser;
const servers: http.Server[] = [];

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', 'test/otel/browser'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function retriedTwice(telemetry: boolean): Promise<{ spans: Span[]; traceparents: string[] }> {
  const site = await listen((req, res) => {
    const file = path.join(dist, new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/$/, '/index.html'));
    if (!file.startsWith(dist) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(readFileSync(file));
  });
  const traceparents: string[] = [];
  let n = 0;
  const api = await listen((req, res) => {
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'traceparent, tracestate' };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    traceparents.push(String(req.headers.traceparent));
    res.writeHead(++n <= 2 ? 503 : 200, { ...cors, 'content-type': 'application/json' }).end('{}');
  });
  const page = await browser.newPage();
  await page.goto(site);
  await page.waitForFunction(() => document.title === 'ready');
  const { status, spans } = (await page.evaluate(
    ([url, on]) => (window as unknown as { run: (u: string, t: boolean) => Promise<unknown> }).run(url, on),
    [`${api}/item`, telemetry] as const,
  )) as { status: number; spans: Span[] };
  await page.close();
  expect(status).toBe(200);
  return { spans, traceparents };
}

it('a request retried twice in Chromium: one INTERNAL span, exactly 3 CLIENT spans, each attempt its own traceparent', async () => {
  const { spans, traceparents } = await retriedTwice(true);
  const internal = spans.filter((s) => s.scope === 'axios-steady' && s.kind === 0);
  expect(internal).toHaveLength(1);
  const clients = spans.filter((s) => s.kind === 2);
  expect(clients.map((c) => c.scope)).toEqual(['axios-steady', 'axios-steady', 'axios-steady']);
  expect(clients.every((c) => c.parentSpanId === internal[0]?.spanId && c.traceId === internal[0]?.traceId)).toBe(true);
  expect(clients.map((c) => c.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
  // Each attempt carried its own span's traceparent: the server saw three, one per CLIENT span.
  expect(traceparents.map((t) => t.split('-')[2])).toEqual(clients.map((c) => c.spanId));
});

it('with telemetry: false the XHR instrumentation makes its own CLIENT spans (so it was ours that stood it aside)', async () => {
  const { spans } = await retriedTwice(false);
  expect(spans.filter((s) => s.scope === 'axios-steady')).toEqual([]);
  expect(spans.filter((s) => s.kind === 2).map((s) => s.scope)).toEqual(Array(3).fill('@opentelemetry/instrumentation-xml-http-request'));
});
