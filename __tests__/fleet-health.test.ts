// An outage seen by a fleet: three attached instances, each with its own Redis-backed Bottleneck (its own
// ioredis client) on one limiter id, against a real redis-server and a real HTTP server that goes down. One
// probe per interval for the whole fleet; an instance that joins during the outage waits too.
import axios from 'axios';
import { attach, collect, pageNumber, type Steady } from '../src/index.js';
import { startRedis, type RedisServer } from '../test/servers/redis.js';
import { json, startServer, type TestServer } from '../test/servers/with-server.js';

jest.setTimeout(60_000);
let redis: RedisServer;
let server: TestServer;
const state = { down: false, whileDown: 0 };
beforeAll(async () => {
  redis = await startRedis();
  server = await startServer((req, res) => {
    if (state.down) {
      state.whileDown++;
      return json(res, 503, { error: 'down' });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const page = Number(url.searchParams.get('page') ?? 1);
    json(res, 200, { items: Array.from({ length: 10 }, (_, i) => ({ id: (page - 1) * 10 + i })), total_pages: 20 });
  });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

const member = (id: string) => {
  const api = axios.create({ baseURL: server.url, timeout: 2000 });
  const steady = attach(api, {
    retry: { baseDelay: 10 },
    health: { minProbeMs: 500 },
    limiter: { id, datastore: 'ioredis', clientOptions: { host: '127.0.0.1', port: redis.port }, maxConcurrent: 4 },
  });
  return { api, steady };
};
const strategy = pageNumber({ totalPages: (r) => r.data.total_pages });
const ids = (items: unknown[]) => items.map((i) => (i as { id: number }).id);

it('three instances, one limiter id, the API down for ~2.5 s: every item once each, few requests fleet-wide while down', async () => {
  const id = `fleet-health-${Date.now()}`;
  const fleet = [member(id), member(id), member(id)];
  let late: { api: ReturnType<typeof axios.create>; steady: Steady } | undefined;
  try {
    await Promise.all(fleet.map(({ steady }) => steady.limiter.ready()));
    let pages = 0;
    const outage = (async () => {
      while (pages < 6) await new Promise((r) => setTimeout(r, 2));
      state.down = true;
      await new Promise((r) => setTimeout(r, 1000));
      // A fourth instance joins during the outage: it waits for the fleet's probes too.
      late = member(id);
      await late.steady.limiter.ready();
      const joined = collect(late.api, '/late', { strategy });
      await new Promise((r) => setTimeout(r, 1500));
      state.down = false;
      return joined;
    })();
    const results = await Promise.all(fleet.map(({ api }, i) => collect(api, `/m${i}`, { strategy, onProgress: () => pages++ })));
    for (const items of results) expect(ids(items)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(ids(await outage)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // What the fleet had in flight (≤ 4: one maxConcurrent for the fleet), the run that tripped it, and one
    // probe per interval for the whole fleet (0.5 s, 1 s…) — not 4 instances × their own probes and retries.
    expect(state.whileDown).toBeLessThanOrEqual(12);
    expect(fleet.every(({ steady }) => steady.stats().outages >= 1)).toBe(true);
    expect(late?.steady.stats().outages).toBe(1); // it heard the outage rather than finding it itself
  } finally {
    for (const { steady } of [...fleet, ...(late ? [late] : [])]) steady.detach();
  }
});
