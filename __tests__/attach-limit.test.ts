import axios, { type AxiosError } from 'axios';
import Bottleneck from 'bottleneck';
import { steadyInfo, attach } from '../src/index.js';
import { expectPace, json, startServer, until, wait, type TestServer } from '../test/servers/with-server.js';

let server: TestServer;
afterEach(() => server?.close());

const slow = (ms: number) => async (_req: unknown, res: Parameters<typeof json>[0]) => {
  await wait(ms);
  json(res, 200, { ok: true });
};

describe('limiter at a real server', () => {
  it('maxConcurrent is never exceeded, and is used', async () => {
    server = await startServer(slow(30));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { limiter: { maxConcurrent: 3 } });
    await Promise.all(Array.from({ length: 20 }, (_, i) => api.get(`/c/${i}`)));
    expect(server.seen.arrivals).toHaveLength(20);
    expect(server.seen.maxInFlight).toBe(3);
    steady.detach();
  });

  it('minTime spaces attempt starts', async () => {
    server = await startServer(slow(1));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { limiter: { minTime: 60 } });
    const from = Date.now();
    await Promise.all(Array.from({ length: 6 }, (_, i) => api.get(`/m/${i}`)));
    // The run's pace, not single gaps: one late start shortens the gap after it on a busy machine.
    expectPace(
      server.seen.arrivals.map((a) => a.at),
      from,
      60,
    );
    steady.detach();
  });

  it('retries pass through the limiter too', async () => {
    const first = new Set<string>();
    server = await startServer(async (req, res) => {
      await wait(20);
      if (!first.has(req.url ?? '')) {
        first.add(req.url ?? '');
        return json(res, 503, {});
      }
      json(res, 200, {});
    });
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { limiter: { maxConcurrent: 2 }, retry: { baseDelay: 1 } });
    await Promise.all(Array.from({ length: 10 }, (_, i) => api.get(`/r/${i}`)));
    expect(server.seen.arrivals).toHaveLength(20);
    expect(server.seen.maxInFlight).toBeLessThanOrEqual(2);
    expect(steady.stats()).toMatchObject({ requests: 10, attempts: 20, retries: 10 });
    steady.detach();
  });

  it.each([
    ['the local lane', { maxConcurrent: 4 }],
    ['bottleneck', { maxConcurrent: 4, minTime: 1 }],
  ])('one 429 with Retry-After: 1 holds every other request of the limiter for that second (%s)', async (_name, limiter) => {
    let served429 = 0;
    server = await startServer(async (req, res) => {
      if (req.url === '/limited' && served429++ === 0) return json(res, 429, {}, { 'Retry-After': '1' });
      await wait(5);
      json(res, 200, {});
    });
    const api = axios.create({ baseURL: server.url });
    const pauses: number[] = [];
    const steady = attach(api, { limiter, onPause: (e) => pauses.push(e.delayMs) });
    const limited = api.get('/limited');
    await until(() => pauses.length > 0); // the 429 is in and the gate closed; now the siblings come
    await Promise.all([limited, ...Array.from({ length: 6 }, (_, i) => api.get(`/other/${i}`))]);
    const t429 = server.seen.arrivals[0].at;
    const later = server.seen.arrivals.slice(1).map((a) => a.at - t429);
    expect(later).toHaveLength(7);
    // No attempt of this limiter reached the server during the named second (timers never fire early).
    for (const gap of later) expect(gap).toBeGreaterThanOrEqual(990);
    expect(pauses).toEqual([1000]);
    expect(steady.stats().pauses).toBe(1);
    steady.detach();
  });

  it('two instances given one Bottleneck share its limit and its pause gate', async () => {
    server = await startServer(slow(20));
    const shared = new Bottleneck({ maxConcurrent: 2 });
    const a = axios.create({ baseURL: server.url });
    const b = axios.create({ baseURL: server.url });
    const sa = attach(a, { limiter: shared });
    const sb = attach(b, { limiter: shared });
    expect(sa.limiter).toBe(shared);
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).get(`/s/${i}`)));
    expect(server.seen.maxInFlight).toBe(2);
    sa.pause(300);
    expect(sb.stats().pausedUntil).toBeGreaterThan(Date.now());
    const started = Date.now();
    await b.get('/after-pause');
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    sa.detach();
    sb.detach();
    await shared.disconnect();
  });

  it('after a pause, minTime still spaces the starts: jobs granted during the pause do not all start when it ends', async () => {
    let first = true;
    server = await startServer((_req, res) => {
      if (first) {
        first = false;
        return json(res, 429, {}, { 'Retry-After': '1' });
      }
      json(res, 200, {});
    });
    const api = axios.create({ baseURL: server.url });
    let pauseEnd = 0;
    const steady = attach(api, { limiter: { maxConcurrent: 4, minTime: 100 }, onPause: (e) => (pauseEnd ||= e.until) });
    // All queued in bottleneck at once: the first is answered 429 while the others wait for their grants.
    await Promise.all(Array.from({ length: 5 }, (_, i) => api.get(`/p/${i}`)));
    const after = server.seen.arrivals.slice(1).map((a) => a.at);
    expect(after).toHaveLength(5);
    // bottleneck grants jobs 100 ms apart; a granted job that finds the gate closed gives its slot back and
    // queues again, so after the pause the starts keep minTime's pace (held slots would all start at its end).
    expect(pauseEnd).toBeGreaterThan(0);
    expectPace(after, pauseEnd, 100);
    steady.detach();
  });

  it('updateSettings on the limiter applies to the next request', async () => {
    server = await startServer(slow(20));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { limiter: { maxConcurrent: 5 } });
    await steady.limiter.updateSettings({ maxConcurrent: 1 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => api.get(`/u/${i}`)));
    expect(server.seen.maxInFlight).toBe(1);
    steady.detach();
  });

  it('updateSettings({ minTime }) not awaited (axios-rate-limit’s setMaxRPS() migration) applies to requests made right after it', async () => {
    // bottleneck applies settings a tick later; before the fix the five GETs all went at once through the
    // local lane chosen before the update landed (29 ms instead of ≥ 400 ms).
    server = await startServer((_req, res) => json(res, 200, {}));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api);
    const started = Date.now();
    void steady.limiter.updateSettings({ minTime: 100 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => api.get(`/m/${i}`)));
    expectPace(
      server.seen.arrivals.map((a) => a.at),
      started,
      100,
    );
    steady.detach();
  });
});

describe('cancellation', () => {
  it.each([
    ['the local lane', { maxConcurrent: 1 }],
    ['bottleneck', { maxConcurrent: 1, minTime: 1 }],
  ])('an AbortSignal cancels a queued request promptly; it never reaches the server (%s)', async (_name, limiter) => {
    // The server holds /busy open until the test lets it go: the queued request must reject while its
    // slot is still taken — promptly, measured by order rather than by a clock a busy machine can stretch.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    server = await startServer(async (_req, res) => {
      await held;
      json(res, 200, {});
    });
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { limiter });
    const busy = api.get('/busy');
    await until(() => server.seen.arrivals.length === 1);
    const controller = new AbortController();
    const queued = api.get('/queued', { signal: controller.signal });
    await wait(30);
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    release();
    await busy;
    await wait(50);
    expect(server.seen.arrivals.map((a) => a.path)).toEqual(['/busy']);
    steady.detach();
  });

  it('an AbortSignal cancels a backoff wait; no further attempt', async () => {
    server = await startServer((_req, res) => json(res, 503, {}));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 10_000, jitter: 'none' } });
    const controller = new AbortController();
    const pending = api.get('/x', { signal: controller.signal });
    await wait(100);
    const t = Date.now();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    // It did not sit out the 10 s backoff (half of it is slack no busy machine eats).
    expect(Date.now() - t).toBeLessThan(5_000);
    await wait(50);
    expect(server.seen.arrivals).toHaveLength(1);
    steady.detach();
  });

  it('an AbortSignal cancels a pause wait; no further attempt', async () => {
    server = await startServer((_req, res) => json(res, 429, {}, { 'Retry-After': '30' }));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api);
    const first = api.get('/a', { steady: { retry: false } }).then(
      () => undefined,
      (e: AxiosError) => e,
    );
    expect((await first)?.response?.status).toBe(429);
    expect(steady.stats().pausedUntil).toBeGreaterThan(Date.now() + 20_000);
    const controller = new AbortController();
    const paused = api.get('/b', { signal: controller.signal });
    await wait(50);
    controller.abort();
    await expect(paused).rejects.toMatchObject({ code: 'ERR_CANCELED' });
    expect(server.seen.arrivals).toHaveLength(1);
    steady.detach();
  });
});

describe('retry budget', () => {
  it('with the server down, 100 concurrent requests spend at most the floor (2/s × 10 s) + 20 % on retries', async () => {
    server = await startServer((_req, res) => json(res, 503, {}));
    const api = axios.create({ baseURL: server.url });
    // The budget alone (the health gate, which would turn these away at once, is tested in health.test.ts).
    const steady = attach(api, { retry: { baseDelay: 5, maxDelay: 20 }, health: false });
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => api.get(`/d/${i}`)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const retries = server.seen.arrivals.length - 100;
    expect(retries).toBeLessThanOrEqual(20 + 100 * 0.2); // not 300: ≤ 40 % extra load
    expect(retries).toBeGreaterThan(0);
    const stopped = results
      .map((r) => (r as PromiseRejectedResult).reason as AxiosError)
      .filter((e) => steadyInfo(e)?.stoppedBy === 'budget');
    expect(stopped.length).toBeGreaterThan(40);
    // Why, in words, where steadyInfo shows it; the caller's error message is the AxiosError's own.
    for (const error of stopped) {
      expect(steadyInfo(error)?.reason).toMatch(/^retry budget exhausted: the API failed \d+ of the last \d+ attempts in 10 s$/);
      expect(error.message).toBe('Request failed with status code 503');
    }
    steady.detach();
  });
});
