// Hedged requests against a real server on 127.0.0.1 whose chosen requests hang until the client gives up:
// the only way such a request can finish quickly is its hedge. No wall-clock assertion: the outcomes
// (which copy answered, what the server saw, the counters) say whether a hedge went.
import axios, { type AxiosError } from 'axios';
import { attach, steadyInfo, type SteadyOptions } from '../src/index.js';
import { json, startServer, until, type TestServer } from '../test/servers/with-server.js';

let server: TestServer | undefined;
let detach: (() => void) | undefined;
afterEach(async () => {
  detach?.();
  await server?.close();
});

/** Requests numbered in `hang` never answer (the socket stays open until the client closes it). */
async function start(hang: (n: number, url: string) => boolean, headers: Record<string, string> = {}) {
  let n = 0;
  const closedUnanswered: number[] = [];
  server = await startServer((req, res) => {
    const k = ++n;
    if (hang(k, req.url ?? '')) {
      req.on('close', () => closedUnanswered.push(k));
      return;
    }
    json(res, 200, { k }, headers);
  });
  return { closedUnanswered, count: () => n };
}

function client(options: SteadyOptions, timeout = 10_000) {
  const api = axios.create({ baseURL: server?.url, timeout });
  const steady = attach(api, options);
  detach = () => steady.detach();
  return { api, steady };
}

it('a GET that hangs is hedged after the delay: the hedge answers, the hung copy is cancelled', async () => {
  const seen = await start((n) => n === 1);
  const { api, steady } = client({ hedge: { delay: 50 } });
  const response = await api.get('/item');
  expect(response.data).toEqual({ k: 2 });
  expect(steadyInfo(response)).toMatchObject({ hedges: 1, retries: 0 });
  expect(steady.stats()).toMatchObject({ hedges: 1, attempts: 2, requests: 1 });
  await until(() => seen.closedUnanswered.includes(1)); // the loser's socket was closed, not left hanging
});

it('the first answer wins even when it is the original: the hedge is cancelled', async () => {
  let release: (() => void) | undefined;
  let n = 0;
  const closed: number[] = [];
  server = await startServer((req, res) => {
    const k = ++n;
    if (k === 1) release = () => json(res, 200, { k });
    else req.on('close', () => closed.push(k)); // the hedge hangs
  });
  const { api } = client({ hedge: { delay: 30 } });
  const pending = api.get('/item');
  await until(() => n === 2); // the hedge went
  release?.();
  expect((await pending).data).toEqual({ k: 1 });
  await until(() => closed.includes(2));
});

it('the hedge fails while the first copy hangs: the attempt fails now, the hung copy is cancelled, the retry answers', async () => {
  // 1 hangs, 2 (its hedge) is a 503, 3 (the retry) answers. Waiting on the hung copy would wait out the
  // 10 s timeout; the retry that answers proves the attempt ended on the hedge's 503 instead.
  let n = 0;
  const closed: number[] = [];
  server = await startServer((req, res) => {
    const k = ++n;
    if (k === 1) req.on('close', () => closed.push(k));
    else if (k === 2) json(res, 503, {});
    else json(res, 200, { k });
  });
  const { api, steady } = client({ hedge: { delay: 30 }, retry: { baseDelay: 1 } });
  const response = await api.get('/item');
  // The retry (3) answers — or, on a machine slow enough that it too outlives the hedge delay, its own hedge (4).
  expect((response.data as { k: number }).k).toBeGreaterThanOrEqual(3);
  expect(steadyInfo(response)?.attempts.map((a) => a.status)).toEqual([503, 200]);
  expect(steady.stats().retries).toBe(1);
  expect(steady.stats().hedges).toBeGreaterThanOrEqual(1);
  await until(() => closed.includes(1));
});

it('the first copy fails while its hedge is out: the hedge is waited for', async () => {
  // 1 hangs until 2 (its hedge) arrives, then fails with a 503; the hedge answers.
  let n = 0;
  let failFirst: (() => void) | undefined;
  server = await startServer((req, res) => {
    const k = ++n;
    if (k === 1) {
      failFirst = () => json(res, 503, {});
      return;
    }
    failFirst?.();
    setTimeout(() => json(res, 200, { k }), 50);
  });
  const { api, steady } = client({ hedge: { delay: 30 }, retry: { retries: 0 } });
  const response = await api.get('/item');
  expect(response.data).toEqual({ k: 2 });
  expect(steady.stats()).toMatchObject({ hedges: 1, retries: 0 });
});

it('never hedges a POST (not idempotent): it waits for its own answer', async () => {
  await start((n) => n === 1);
  const { api, steady } = client({ hedge: { delay: 20 }, retry: { retries: 0 } }, 300);
  const error = (await api.post('/item', { a: 1 }).catch((e: unknown) => e)) as AxiosError;
  expect(error.code).toBe('ECONNABORTED');
  expect(steady.stats().hedges).toBe(0);
});

it('hedges a POST that carries an Idempotency-Key', async () => {
  await start((n) => n === 1);
  const { api, steady } = client({ hedge: { delay: 20 } });
  const response = await api.post('/item', { a: 1 }, { headers: { 'Idempotency-Key': 'k-1' } });
  expect(response.data).toEqual({ k: 2 });
  expect(steady.stats().hedges).toBe(1);
});

it('no hedge without a retry from the budget (a fresh instance whose budget has neither floor nor ratio)', async () => {
  await start((n) => n === 1);
  const { api, steady } = client({ hedge: { delay: 20 }, retry: { retries: 0, budget: { minPerSecond: 0, ratio: 0 } } }, 300);
  await expect(api.get('/item')).rejects.toMatchObject({ code: 'ECONNABORTED' });
  expect(steady.stats().hedges).toBe(0);
});

it('no hedge while the quota is nearly spent (RateLimit: remaining=1)', async () => {
  // Only /item hangs: on a slow machine /first itself may be hedged (nothing is known of the quota yet).
  await start((_, url) => url === '/item', { RateLimit: 'limit=100, remaining=1, reset=30' });
  const { api, steady } = client({ hedge: { delay: 20 }, retry: { retries: 0 } }, 300);
  await api.get('/first'); // teaches the quota: 1 left
  const before = steady.stats().hedges;
  await expect(api.get('/item')).rejects.toMatchObject({ code: 'ECONNABORTED' });
  expect(steady.stats().hedges).toBe(before);
});

it("at a percentile: nothing is hedged until 20 latencies are known, then a slow request is, per request's override", async () => {
  const seen = await start((n) => n === 1 || n === 22);
  const { api, steady } = client({ hedge: true, retry: { retries: 0 } }, 5000);
  await expect(api.get('/early', { timeout: 300 })).rejects.toMatchObject({ code: 'ECONNABORTED' }); // no samples yet: no hedge
  for (let i = 0; i < 20; i++) await api.get(`/warm/${i}`);
  expect(steady.stats().hedges).toBe(0);
  const response = await api.get('/slow'); // request 22 hangs; its hedge (request 23) answers
  expect(response.data).toEqual({ k: 23 });
  expect(steady.stats().hedges).toBe(1);
  await expect(api.get('/off', { steady: { hedge: false }, timeout: 2000 }).then(() => 'answered')).resolves.toBe('answered');
  expect(seen.count()).toBe(24);
});

it.each<[unknown, RegExp]>([
  ['p95', /"hedge" must be a boolean or an object/],
  [{ delay: 'p42' }, /"hedge.delay" must be a delay in ms or one of "p50", "p90", "p95", "p99"/],
  [{ delay: -1 }, /"hedge.delay" must be a finite number ≥ 0/],
  [{ max: 2 }, /"hedge.max" must be one of the known options/],
])('hedge: %j is a TypeError naming it', (hedge, message) => {
  expect(() => attach(axios.create(), { hedge } as SteadyOptions)).toThrow(message);
});
