// Transports: axios' HTTP/2 (`httpVersion: 2`, axios ≥ 1.13) against a real Node http2 server, and axios'
// fetch adapter in Node, each through attach() and collect(). A stream the server refused was never processed
// (RFC 9113 §8.7): it is retried whatever the method; a stream reset after it was read is not, unless the
// method is idempotent.
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import { attach, collect, pageNumber, steadyInfo } from '../src/index.js';
import { startHttp2Api, type Http2Api, type StreamFault } from '../test/servers/http2.js';
import { startSimApi, type SimApi } from '../test/servers/sim-api.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const ids = (items: unknown[]) => items.map((item) => (item as { id: number }).id);
let servers: (Http2Api | SimApi)[] = [];
let instances: { detach(): void }[] = [];
afterEach(async () => {
  for (const steady of instances) steady.detach();
  instances = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function h2(fault?: (n: number, path: string, method: string) => StreamFault, items = 200) {
  const api = await startHttp2Api({ items, pageSize: 10, fault });
  servers.push(api);
  const client: AxiosInstance = axios.create({ baseURL: api.url, httpVersion: 2 } as Parameters<typeof axios.create>[0]);
  const steady = attach(client, { retry: { baseDelay: 1, maxDelay: 5 }, limiter: { maxConcurrent: 16 } });
  instances.push(steady);
  return { api, client, steady };
}

describe('HTTP/2 (httpVersion: 2) through attach()', () => {
  it('many streams on one connection: 20 pages in parallel over one session', async () => {
    const { api, client } = await h2();
    const items = await collect(client, '/items', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 8 });
    expect(ids(items)).toEqual(range(200));
    expect(api.stats.sessions).toBe(1);
    expect(api.stats.maxConcurrentStreams).toBeGreaterThan(1);
  });

  it('a refused stream (REFUSED_STREAM) is retried even for POST: it was never processed', async () => {
    const { api, client } = await h2((n) => (n % 3 === 1 ? 'refuse' : undefined));
    const results = await Promise.all(range(12).map((i) => client.post(`/items?page=${i + 1}`, { i })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.reduce((sum, r) => sum + (steadyInfo(r)?.retries ?? 0), 0)).toBeGreaterThanOrEqual(4);
    expect(api.stats.faults).toBeGreaterThanOrEqual(4);
  });

  it('a stream reset after the server read it (INTERNAL_ERROR): a GET is retried, a POST is not (it may have run)', async () => {
    const { client } = await h2((n) => (n === 1 ? 'reset' : undefined));
    const post = (await client.post('/items?page=1', { a: 1 }).catch((e: unknown) => e)) as AxiosError;
    expect(axios.isAxiosError(post)).toBe(true);
    expect(post.message).toMatch(/NGHTTP2_INTERNAL_ERROR/);
    expect(steadyInfo(post)?.attempts).toHaveLength(1);
    const { client: again } = await h2((n) => (n === 1 ? 'reset' : undefined));
    const get = await again.get('/items?page=1');
    expect(steadyInfo(get)?.retries).toBe(1);
  });

  it('a GOAWAY mid-collection: the streams it did not take are sent again on a new session; nothing lost', async () => {
    const { api, client } = await h2((n) => (n === 7 ? 'goaway' : undefined));
    const items = await collect(client, '/items', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 8 });
    expect(ids(items)).toEqual(range(200));
    expect(api.stats.sessions).toBe(2);
  });

  it('faults over HTTP/2 lose nothing: refused and reset streams and 429s across a 40-page collection', async () => {
    const faults: StreamFault[] = ['refuse', 'reset', '429'];
    const { api, client, steady } = await h2((n) => (n % 5 === 2 ? faults[((n / 5) % 3) | 0] : undefined), 400);
    const items = await collect(client, '/items', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 8 });
    expect(ids(items)).toEqual(range(400));
    expect(api.stats.faults).toBeGreaterThan(5);
    expect(steady.stats().rateLimited).toBeGreaterThan(0);
  });
});

describe("axios' fetch adapter (adapter: 'fetch') in Node through attach()", () => {
  it('a flaky, rate-limited collection: every item once, in order, and the quota kept (RateLimit headers read)', async () => {
    const sim = await startSimApi({
      items: 300,
      pageSize: 10,
      quota: { limit: 40, windowMs: 1000, headers: 'draft7' },
      faults: { seed: 3, error503: 0.15, reset: 0.05 },
    });
    servers.push(sim);
    const client = axios.create({ baseURL: sim.url, adapter: 'fetch' });
    const steady = attach(client, { retry: { baseDelay: 1, maxDelay: 20 } });
    instances.push(steady);
    const items = await collect(client, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }) });
    expect(ids(items)).toEqual(range(300));
    expect(sim.stats.faults).toBeGreaterThan(0);
    expect(sim.stats.rateLimited).toBe(0);
    expect(steady.quota()).toMatchObject({ limit: 40, source: 'ratelimit' });
  });

  it('a hung response times out and is retried', async () => {
    const sim = await startSimApi({ items: 50, pageSize: 10, faults: { seed: 9, hang: 0.2 } });
    servers.push(sim);
    const client = axios.create({ baseURL: sim.url, adapter: 'fetch', timeout: 200 });
    const steady = attach(client, { retry: { baseDelay: 1, maxDelay: 5 } });
    instances.push(steady);
    const items = await collect(client, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }) });
    expect(ids(items)).toEqual(range(50));
    expect(steady.stats().retries).toBeGreaterThan(0);
  });

  it('a 429 with Retry-After (no rate-limit headers) pauses the limiter; every item arrives', async () => {
    const sim = await startSimApi({ items: 60, pageSize: 10, quota: { limit: 3, windowMs: 1000, headers: 'none' } });
    servers.push(sim);
    const client = axios.create({ baseURL: sim.url, adapter: 'fetch' });
    const steady = attach(client);
    instances.push(steady);
    const items = await collect(client, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }) });
    expect(ids(items)).toEqual(range(60));
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    expect(steady.stats().pauses).toBeGreaterThan(0);
  });
});
