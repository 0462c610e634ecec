import axios, { AxiosError } from 'axios';
import nock from 'nock';
import { steadyInfo, attach, type RetryEvent } from '../src/index.js';
import { json, startServer, wait, type TestServer } from '../test/servers/with-server.js';

const fast = { baseDelay: 1, maxDelay: 5 };

describe('retry with nock', () => {
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.restore());

  it('retries a GET on 503 until it succeeds, with the history on the response', async () => {
    const scope = nock('http://api.test').get('/x').times(2).reply(503).get('/x').reply(200, { ok: true });
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: fast });
    const res = await api.get('/x');
    expect(res.data).toEqual({ ok: true });
    expect(steadyInfo(res)?.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(steadyInfo(res)?.retries).toBe(2);
    expect(scope.isDone()).toBe(true);
    steady.detach();
  });

  it('gives the last AxiosError after the last attempt, with every attempt reachable from it', async () => {
    nock('http://api.test').get('/down').times(4).reply(503, { down: true });
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: fast });
    const error = (await api.get('/down').catch((e: unknown) => e)) as AxiosError;
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error.response?.status).toBe(503);
    expect(error.response?.data).toEqual({ down: true });
    expect(error.config?.url).toBe('/down');
    expect(steadyInfo(error)?.attempts).toHaveLength(4);
    expect(steadyInfo(error)?.stoppedBy).toBe('retries');
    expect(
      steadyInfo(error)
        ?.attempts.slice(0, 3)
        .every((a) => typeof a.delayMs === 'number'),
    ).toBe(true);
    steady.detach();
  });

  it('does not retry a POST by default, does with an Idempotency-Key', async () => {
    nock('http://api.test').post('/p').reply(503).post('/p').reply(503).post('/p').reply(201);
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: fast });
    const error = (await api.post('/p', { a: 1 }).catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(503);
    expect(steadyInfo(error)?.stoppedBy).toBe('not-retryable');
    const res = await api.post('/p', { a: 1 }, { headers: { 'Idempotency-Key': 'abc' } });
    expect(res.status).toBe(201);
    steady.detach();
  });

  it('does not retry 4xx other than 408/425/429, nor a request with retry: false', async () => {
    nock('http://api.test').get('/nf').reply(404).get('/once').reply(503);
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: fast });
    const notFound = await api.get('/nf').catch((e: unknown) => e);
    expect(notFound).toMatchObject({ response: { status: 404 } });
    expect(steadyInfo(notFound)).toMatchObject({ retries: 0, stoppedBy: 'not-retryable' });
    const once = await api.get('/once', { steady: { retry: false } }).catch((e: unknown) => e);
    expect(steadyInfo(once)).toMatchObject({ retries: 0, stoppedBy: 'disabled' });
    steady.detach();
  });

  it('per-request retry options override the instance', async () => {
    nock('http://api.test').get('/r').times(2).reply(500);
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: { ...fast, retries: 5 } });
    const error = (await api.get('/r', { steady: { retry: { retries: 1 } } }).catch((e: unknown) => e)) as AxiosError;
    expect(steadyInfo(error)?.attempts).toHaveLength(2);
    steady.detach();
  });

  it('shouldRetry replaces the verdict but not the limits; its errors propagate', async () => {
    nock('http://api.test').get('/c').times(3).reply(400);
    const api = axios.create({ baseURL: 'http://api.test' });
    const seen: boolean[] = [];
    const steady = attach(api, {
      retry: { ...fast, retries: 2, shouldRetry: ({ retryable }) => (seen.push(retryable), true) },
    });
    const error = (await api.get('/c').catch((e: unknown) => e)) as AxiosError;
    expect(steadyInfo(error)?.attempts).toHaveLength(3);
    expect(seen).toEqual([false, false, false]);
    steady.detach();

    nock('http://api.test').get('/t').reply(503);
    const boom = new Error('callback failed');
    const s2 = attach(api, {
      retry: {
        shouldRetry: () => {
          throw boom;
        },
      },
    });
    await expect(api.get('/t')).rejects.toBe(boom);
    s2.detach();
  });

  it('Retry-After: seconds, HTTP-date, 0 = now, garbage falls back to backoff, never jittered', async () => {
    nock('http://api.test')
      .get('/ra')
      .reply(429, '', { 'Retry-After': '0' })
      .get('/ra')
      .reply(503, '', { 'Retry-After': 'Thu, 01 Jan 1970 00:00:00 GMT' })
      .get('/ra')
      .reply(503, '', { 'Retry-After': 'soon' })
      .get('/ra')
      .reply(200, 'ok');
    const api = axios.create({ baseURL: 'http://api.test' });
    const events: RetryEvent[] = [];
    const steady = attach(api, { retry: { baseDelay: 40, jitter: 'none', onRetry: (e) => events.push(e) } });
    await api.get('/ra');
    expect(events.map((e) => [e.reason, e.delayMs])).toEqual([
      ['retry-after', 0],
      ['retry-after', 0],
      ['status', 160],
    ]);
    steady.detach();

    // Seconds and dates are used as given; abort during each wait so the test does not sleep it out.
    // An HTTP-date has whole seconds: 10 s ahead is 9–10 s away by the time it is read.
    for (const [header, low, high] of [
      ['7', 7000, 7000],
      [new Date(Date.now() + 10_000).toUTCString(), 8500, 10_000],
    ] as const) {
      nock('http://api.test').get('/s').reply(503, '', { 'Retry-After': header });
      const controller = new AbortController();
      const got: number[] = [];
      const s2 = attach(api, { retry: { onRetry: (e) => (got.push(e.delayMs), controller.abort()) } });
      await expect(api.get('/s', { signal: controller.signal })).rejects.toMatchObject({ code: 'ERR_CANCELED' });
      expect(got[0]).toBeGreaterThanOrEqual(low);
      expect(got[0]).toBeLessThanOrEqual(high);
      s2.detach();
    }
  });

  it('a Retry-After beyond maxRetryAfter fails fast with the 429', async () => {
    nock('http://api.test').get('/long').reply(429, { slow: 'down' }, { 'Retry-After': '3600' });
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api);
    const started = Date.now();
    const error = (await api.get('/long').catch((e: unknown) => e)) as AxiosError;
    expect(Date.now() - started).toBeLessThan(10_000); // failed fast: it did not wait the hour
    expect(error.response?.status).toBe(429);
    expect(steadyInfo(error)?.stoppedBy).toBe('retry-after-too-long');
    expect(steady.stats().pausedUntil).toBe(0);
    steady.detach();
  });

  it('waits the exact backoff sequence (full jitter, capped) with an injected random', async () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const arrivals: number[] = [];
      nock('http://api.test')
        .get('/b')
        .times(5)
        .reply(() => (arrivals.push(Date.now()), [500, '']))
        .get('/b')
        .reply(() => (arrivals.push(Date.now()), [200, 'ok']));
      const api = axios.create({ baseURL: 'http://api.test' });
      const delays: number[] = [];
      const steady = attach(api, { retry: { retries: 5, baseDelay: 40, maxDelay: 100, onRetry: (e) => delays.push(e.delayMs) } });
      await api.get('/b');
      expect(delays).toEqual([20, 40, 50, 50, 50]); // 0.5 × min(100, 40·2^(n-1))
      // Each retry really waited at least its delay (timers never fire early; 2 ms for clock rounding).
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]);
      gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(delays[i] - 2));
      steady.detach();
    } finally {
      random.mockRestore();
    }
  });
});

describe('retry against a real server', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('retries a connection reset', async () => {
    let n = 0;
    server = await startServer((req, res) => {
      if (n++ < 2) return void req.socket.destroy();
      json(res, 200, { n });
    });
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: fast });
    const res = await api.get('/reset');
    expect(res.data).toEqual({ n: 3 });
    expect(steadyInfo(res)?.attempts.map((a) => a.code ?? a.status)).toEqual(['ECONNRESET', 'ECONNRESET', 200]);
    steady.detach();
  });

  it('does not retry a response Node cannot parse (headers over its limit): the same answer would come back', async () => {
    server = await startServer((_req, res) => {
      res.setHeader('X-Huge', 'x'.repeat(20_000));
      json(res, 200, {});
    });
    const api = axios.create({ baseURL: server.url });
    const steady = attach(api, { retry: fast });
    const error = (await api.get('/big').catch((e: unknown) => e)) as AxiosError;
    expect(error.code).toBe('HPE_HEADER_OVERFLOW');
    expect(server.seen.arrivals).toHaveLength(1);
    expect(steadyInfo(error)?.stoppedBy).toBe('not-retryable');
    steady.detach();
  });

  it('retries an attempt that hits the axios timeout', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      if (n++ === 0) return; // hang: never answer
      json(res, 200, { late: false });
    });
    const api = axios.create({ baseURL: server.url, timeout: 200 });
    const steady = attach(api, { retry: fast });
    const res = await api.get('/hang');
    expect(res.data).toEqual({ late: false });
    expect(steadyInfo(res)?.attempts[0].code).toBe('ECONNABORTED');
    steady.detach();
  });

  it('deadline bounds the whole logical request: queue, attempts and waits', async () => {
    server = await startServer(() => undefined); // every request hangs
    const api = axios.create({ baseURL: server.url, timeout: 300 });
    // Without the deadline: 21 attempts × 300 ms plus backoff, over 6 s. With it, about 1 s.
    const steady = attach(api, { deadline: 1000, retry: { retries: 20, baseDelay: 100, budget: false } });
    const started = Date.now();
    const error = (await api.get('/hang').catch((e: unknown) => e)) as AxiosError;
    const took = Date.now() - started;
    expect(axios.isAxiosError(error)).toBe(true);
    expect(error.code).toBe(AxiosError.ETIMEDOUT);
    expect(steadyInfo(error)?.stoppedBy).toBe('deadline');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(5000);
    steady.detach();
  });
});

describe('user callbacks are safe', () => {
  beforeAll(() => {
    if (!nock.isActive()) nock.activate();
  });
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.restore());

  it.each([
    [
      'shouldRetry throws',
      {
        shouldRetry: () => {
          throw new Error('boom');
        },
      },
      'boom',
    ],
    [
      'shouldRetry rejects with a non-Error',
      { shouldRetry: () => Promise.reject('nope') },
      'axios-steady: retry.shouldRetry failed with nope',
    ],
    ['onRetry rejects', { onRetry: () => Promise.reject(new Error('log down')) }, 'log down'],
  ])('%s: the request rejects with that error, the attempt its cause, counted and told', async (_name, retry, message) => {
    nock('http://api.test').get('/c').reply(503, 'busy');
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: { baseDelay: 1, ...retry } });
    const error = (await api.get('/c').catch((e: unknown) => e)) as Error & { cause?: AxiosError };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(message);
    expect(axios.isAxiosError(error.cause)).toBe(true);
    expect([error.cause?.message, error.cause?.response?.status]).toEqual(['Request failed with status code 503', 503]);
    expect(steadyInfo(error)?.stoppedBy).toBe('callback');
    expect(steady.stats().failures).toBe(1);
    steady.detach();
  });

  it('an async onRetry is awaited before the retry is sent', async () => {
    nock('http://api.test').get('/w').reply(503).get('/w').reply(200, 'ok');
    const api = axios.create({ baseURL: 'http://api.test' });
    const order: string[] = [];
    api.interceptors.response.use((r) => (order.push('response'), r));
    const steady = attach(api, {
      retry: { baseDelay: 1, onRetry: async () => (await wait(50), order.push('onRetry done')) },
    });
    await api.get('/w');
    expect(order).toEqual(['onRetry done', 'response']);
    steady.detach();
  });
});
