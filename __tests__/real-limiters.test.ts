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

/** Collects the items (300: 30 pages) of a limited API at concurrency 8 through attach(): the ids, the quota seen, the server's stats. */
async function collectAll(kind: (typeof LIMITERS)[number], windowMs: number, items = 300) {
  const limited = await startLimitedApi({ kind, limit: 10, windowMs, items });
  api = limited;
  const client = axios.create({ baseURL: limited.url });
  const steady = attach(client, { retry: { retries: 10 } });
  const got = await collect<{ id: number }>(client, '/page', {
    strategy: pageNumber({ totalPages: (r) => r.data.total_pages }),
    concurrency: 8,
  });
  steady.detach();
  return { ids: got.map((i) => i.id), quota: steady.quota(), stats: limited.stats };
}
const all = Array.from({ length: 300 }, (_, i) => i);

it.each(LIMITERS)('%s: every item once, in order; no 429 when the quota is in headers', async (kind) => {
  const { ids, quota, stats } = await collectAll(kind, 1000);
  expect(ids).toEqual(all);
  if (withHeaders(kind)) expect(stats.rateLimited).toBe(0);
  // Only Retry-After: the first window's blind burst (up to concurrency) and the test of the provisional limit.
  else expect(stats.rateLimited).toBeLessThanOrEqual(8 + 3);
  expect(quota?.source ?? 'none').not.toBe('none');
});

it('rate-limiter-flexible (only Retry-After) for 15 windows: once the limit is confirmed, at most one 429 per five windows', async () => {
  // The learned limit widens to find a raised one; the API refusing each widening spaces the next out (2, then
  // 4 windows): one 429 per five windows, not one per two. Bound: the blind burst (≤ concurrency), the
  // provisional limit's test, and one per five of the 15 windows.
  const { ids, stats } = await collectAll('flexible', 1000, 1500);
  expect(ids).toEqual(Array.from({ length: 1500 }, (_, i) => i));
  expect(stats.rateLimited).toBeLessThanOrEqual(8 + 1 + 3);
});

it('legacy X-RateLimit with a window that is not whole seconds: the whole-second guess costs one 429, once', async () => {
  // The epoch reset is rounded up to a second; the tracker guesses the window is whole seconds (1 s or 2 s
  // here, by the phase; really 1.5 s). A 1 s guess probes early once, gets a 429, and from then on the
  // tracker waits for the bounds it learned; a 2 s guess is late, never early.
  const { ids, stats } = await collectAll('erl-legacy', 1500);
  expect(ids).toEqual(all);
  expect(stats.rateLimited).toBeLessThanOrEqual(1);
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
