// The quota model against rate limiters nobody here wrote (express-rate-limit 8 in every header format,
// @fastify/rate-limit, rate-limiter-flexible) and against a sliding-window log and a token bucket: the
// quota is not given to the client; it reads the headers (or the 429s) and stays under them.
import axios from 'axios';
import { attach, collect, pageNumber } from '../src/index.js';
import { LIMITERS, startLimitedApi, withHeaders, type LimitedApi } from '../test/servers/limiters.js';
import { json, startServer } from '../test/servers/with-server.js';

jest.setTimeout(60_000);
let api: LimitedApi | undefined;
afterEach(() => api?.close());

it.each(LIMITERS)('%s: every item once, in order; no 429 when the quota is in headers', async (kind) => {
  api = await startLimitedApi({ kind, limit: 10, windowMs: 1000, items: 300 });
  const client = axios.create({ baseURL: api.url });
  const steady = attach(client, { retry: { retries: 10 } });
  const items = await collect<{ id: number }>(client, '/page', {
    strategy: pageNumber({ totalPages: (r) => r.data.total_pages }),
    concurrency: 8,
  });
  steady.detach();
  expect(items.map((i) => i.id)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  if (withHeaders(kind)) expect(api.stats.rateLimited).toBe(0);
  // Only Retry-After: the first window's blind burst (up to concurrency) and the test of the provisional limit.
  else expect(api.stats.rateLimited).toBeLessThanOrEqual(8 + 3);
  expect(steady.quota()?.source ?? 'none').not.toBe('none');
});

it('legacy X-RateLimit with a window that is not whole seconds: the whole-second guess costs one 429, once', async () => {
  // The epoch reset is rounded up to a second; the tracker guesses the window is whole seconds (1 s here,
  // really 1.5 s), probes early once, gets a 429, and from then on waits for the bounds it learned.
  api = await startLimitedApi({ kind: 'erl-legacy', limit: 10, windowMs: 1500, items: 300 });
  const client = axios.create({ baseURL: api.url });
  const steady = attach(client, { retry: { retries: 10 } });
  const items = await collect<{ id: number }>(client, '/page', {
    strategy: pageNumber({ totalPages: (r) => r.data.total_pages }),
    concurrency: 8,
  });
  steady.detach();
  expect(items.map((i) => i.id)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  expect(api.stats.rateLimited).toBeLessThanOrEqual(1);
});

it('one 429 from an API without rate-limit headers costs its pause, and nothing after it', async () => {
  // 10 successes, one 429 (Retry-After: 1) on one endpoint, then never again.
  let n = 0;
  const server = await startServer((req, res) => {
    if (req.url === '/one' && n++ === 10) return json(res, 429, {}, { 'Retry-After': '1' });
    json(res, 200, { ok: true });
  });
  try {
    const client = axios.create({ baseURL: server.url });
    const pauses: string[] = [];
    const steady = attach(client, { onPause: (e) => pauses.push(e.source) });
    for (let i = 0; i < 11; i++) await client.get('/one');
    await Promise.all(Array.from({ length: 200 }, (_, i) => client.get(`/other/${i}`)));
    expect(pauses).toEqual(['retry-after']); // no quota pause: the 429 taught nothing that throttles
    expect(steady.quota()).toBeUndefined(); // the provisional limit was tested and forgotten
    expect(server.seen.arrivals).toHaveLength(11 + 1 + 200);
    steady.detach();
  } finally {
    await server.close();
  }
});
