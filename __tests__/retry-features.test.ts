// What axios-retry and aiohttp-retry users reach for: validateResponse, delay families, per-attempt
// overrides (beforeAttempt), and the failures that used to escape retrying — against a real local server.
import axios, { AxiosError, type AxiosAdapter } from 'axios';
import { attach, backoffDelay, steadyInfo, type AttemptContext, type DelayContext } from '../src/index.js';
import { json, startServer, wait, type TestServer } from '../test/servers/with-server.js';

let server: TestServer;
afterEach(() => server?.close());

describe('validateResponse', () => {
  it('a 200 with a wrong body is a failed attempt, retried; the good one resolves', async () => {
    let n = 0;
    server = await startServer((_req, res) => json(res, 200, n++ < 2 ? { error: 'maintenance' } : { items: [1] }));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 1, validateResponse: (r) => Array.isArray(r.data.items) } });
    const res = await api.get('/v');
    expect(res.data).toEqual({ items: [1] });
    expect(steadyInfo(res)?.attempts.map((a) => a.status)).toEqual([200, 200, 200]);
    steady.detach();
  });

  it('when retries end: an AxiosError ERR_BAD_RESPONSE carrying the response; per request too', async () => {
    server = await startServer((_req, res) => json(res, 200, { error: 'nope' }));
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { retries: 1, baseDelay: 1 } });
    const error = (await api
      .get('/v', { steady: { retry: { validateResponse: async () => false } } })
      .catch((e: unknown) => e)) as AxiosError;
    expect(error.code).toBe(AxiosError.ERR_BAD_RESPONSE);
    expect(error.response?.data).toEqual({ error: 'nope' });
    expect(steadyInfo(error)?.stoppedBy).toBe('retries');
    expect(server.seen.arrivals).toHaveLength(2);
    steady.detach();
  });
});

describe("the backoff grows with the API's trouble, not with one request's bad luck", () => {
  // /ok always answers; /flaky/<id> fails its first `fails` attempts (503, or 429 without Retry-After).
  async function api(options: Parameters<typeof attach>[1], fails = 3, status = 503) {
    const counts = new Map<string, number>();
    server = await startServer((req, res) => {
      if (req.url === '/ok') return json(res, 200, {});
      const n = (counts.get(req.url ?? '') ?? 0) + 1;
      counts.set(req.url ?? '', n);
      json(res, n <= fails ? status : 200, {});
    });
    const client = axios.create({ baseURL: server.url });
    const delays: number[] = [];
    const steady = attach(client, {
      ...options,
      retry: { baseDelay: 10, jitter: 'none', retries: 5, ...options?.retry, onRetry: (e) => void delays.push(e.delayMs) },
    });
    return { client, delays, steady };
  }

  it('most attempts succeed: a request that fails three times in a row waits the first step each time', async () => {
    const { client, delays, steady } = await api({});
    for (let i = 0; i < 20; i++) await client.get('/ok');
    await client.get('/flaky/1');
    expect(delays).toEqual([10, 10, 10]);
    steady.detach();
  });

  it('most attempts fail (a fresh instance, a failing API): the backoff grows', async () => {
    const { client, delays, steady } = await api({});
    await client.get('/flaky/1');
    expect(delays).toEqual([10, 20, 40]);
    steady.detach();
  });

  it('a 429 without Retry-After grows the backoff however well the API answers otherwise', async () => {
    const { client, delays, steady } = await api({}, 3, 429);
    for (let i = 0; i < 20; i++) await client.get('/ok');
    await client.get('/flaky/1');
    expect(delays).toEqual([10, 20, 40]);
    steady.detach();
  });

  it('without a budget (retry.budget: false) it grows per request, as in axios-retry', async () => {
    const { client, delays, steady } = await api({ retry: { budget: false } });
    for (let i = 0; i < 20; i++) await client.get('/ok');
    await client.get('/flaky/1');
    expect(delays).toEqual([10, 20, 40]);
    steady.detach();
  });
});

describe('delay', () => {
  it('linear and fibonacci grow as named, capped, jittered', () => {
    const none = { baseDelay: 100, maxDelay: 450, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, { ...none, family: 'linear' }))).toEqual([100, 200, 300, 400, 450]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, { ...none, family: 'fibonacci' }))).toEqual([100, 100, 200, 300, 450]);
  });

  it('a list is used as given (the last repeats); a function gets the context and wins', async () => {
    server = await startServer((_req, res) => json(res, 503, {}, { 'Retry-After': '0' }));
    const api = axios.create({ baseURL: server.url });
    const waits: number[] = [];
    const seen: DelayContext[] = [];
    const a = attach(api, { retry: { retries: 3, delay: [5, 10], onRetry: (e) => void waits.push(e.delayMs) } });
    await api.get('/x', { steady: { retry: { retries: 3 } } }).catch(() => undefined);
    a.detach();
    expect(waits).toEqual([0, 0, 0]); // the server named 0: a list never overrides what the server asked
    waits.length = 0;
    const b = attach(api, {
      retry: { retries: 2, delay: (ctx) => (seen.push(ctx), 7 * ctx.attempt), onRetry: (e) => void waits.push(e.delayMs) },
    });
    await api.get('/x').catch(() => undefined);
    b.detach();
    expect(waits).toEqual([7, 14]);
    expect(seen[0]).toMatchObject({ attempt: 1, serverDelayMs: 0, defaultDelayMs: 0 });
    expect(seen[0]?.response?.status).toBe(503);
  });
});

describe('beforeAttempt', () => {
  it('overrides one attempt only (a fallback host, a fresh token); interceptors still run once', async () => {
    const backup = await startServer((req, res) => json(res, 200, { from: 'backup', auth: req.headers.authorization }));
    server = await startServer((_req, res) => json(res, 503, {}));
    try {
      const api = axios.create({ baseURL: server.url });
      let interceptorRuns = 0;
      api.interceptors.request.use((c) => (interceptorRuns++, c));
      const told: AttemptContext[] = [];
      const steady = attach(api, {
        retry: {
          baseDelay: 1,
          beforeAttempt: async (ctx) => {
            told.push(ctx);
            await wait(5);
            return ctx.attempt === 1 ? undefined : { baseURL: backup.url, headers: { Authorization: `Bearer fresh-${ctx.attempt}` } };
          },
        },
      });
      const res = await api.get('/x');
      expect(res.data).toEqual({ from: 'backup', auth: 'Bearer fresh-2' });
      expect(told.map((c) => c.attempt)).toEqual([1, 2]);
      expect(interceptorRuns).toBe(1);
      steady.detach();
    } finally {
      await backup.close();
    }
  });
});

describe('failures that used to escape retrying', () => {
  it('a custom adapter throwing a plain Error: retried for GET, then an AxiosError whose cause is that error', async () => {
    let calls = 0;
    const flaky: AxiosAdapter = async (config) => {
      if (calls++ < 2) throw new Error('transport hiccup');
      return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config };
    };
    const api = axios.create({ adapter: flaky });
    const steady = attach(api, { retry: { baseDelay: 1 } });
    expect((await api.get('/x')).data).toBe('ok');
    expect(calls).toBe(3);
    calls = -100;
    const error = (await api.get('/y', { steady: { retry: { retries: 1 } } }).catch((e: unknown) => e)) as AxiosError;
    expect(axios.isAxiosError(error)).toBe(true);
    expect((error.cause as Error).message).toBe('transport hiccup');
    steady.detach();
  });

  it.each(['reset', 'eof'])('a 200 whose body breaks off (%s) is retried like a network error', async (how) => {
    let n = 0;
    server = await startServer((req, res) => {
      if (n++ > 0) return json(res, 200, { ok: true });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"items":[1,2');
      setTimeout(() => (how === 'reset' ? req.socket.destroy() : res.socket?.end()), 10);
    });
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: { baseDelay: 1 } });
    const res = await api.get('/b');
    expect(res.data).toEqual({ ok: true });
    expect(steadyInfo(res)?.attempts[0]).toMatchObject({ status: 200, code: 'ERR_BAD_RESPONSE' });
    steady.detach();
  });

  it('an attempt cut by the deadline is recorded: the server saw it, so does steadyInfo', async () => {
    server = await startServer(() => undefined); // hangs
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { deadline: 200 });
    const error = (await api.get('/h').catch((e: unknown) => e)) as AxiosError;
    const info = steadyInfo(error);
    expect(info?.stoppedBy).toBe('deadline');
    expect(info?.attempts).toHaveLength(server.seen.arrivals.length);
    expect(info?.retries).toBe(0);
    steady.detach();
  });

  it('durations beyond what a timer holds are refused, naming the option', () => {
    const api = axios.create();
    expect(() => attach(api, { deadline: 2 ** 31 })).toThrow(/"deadline" must be at most 2147483647 ms/);
    expect(() => attach(api, { retry: { maxDelay: 2 ** 40 } })).toThrow(/"retry.maxDelay" must be at most/);
    expect(() => attach(api, { retry: { delay: [1, -1] } })).toThrow(/"retry.delay"/);
  });
});

it('a change to config in onRetry reaches the next attempt with or without a deadline (beforeAttempt is the documented way)', async () => {
  server = await startServer((req, res) => (req.url === '/fallback' ? json(res, 200, { ok: true }) : json(res, 503, {})));
  for (const deadline of [undefined, 60_000]) {
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, {
      ...(deadline && { deadline }),
      retry: { baseDelay: 1, onRetry: ({ config }) => void (config.url = '/fallback') },
    });
    expect((await api.get('/primary')).data).toEqual({ ok: true });
    steady.detach();
  }
});
