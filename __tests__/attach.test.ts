import axios, { AxiosError, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import nock from 'nock';
import { steadyInfo, attach } from '../src/index.js';

afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

describe('attach()', () => {
  it("runs the user's request and response interceptors once for a request that needed 3 attempts", async () => {
    nock('http://api.test').get('/x').times(2).reply(503).get('/x').reply(200, { ok: 1 });
    const api = axios.create({ baseURL: 'http://api.test' });
    let requests = 0;
    let responses = 0;
    api.interceptors.request.use((c) => (requests++, c));
    api.interceptors.response.use((r) => (responses++, r));
    const steady = attach(api, { retry: { baseDelay: 1 } });
    api.interceptors.request.use((c) => (requests++, c)); // added after attach: also once
    const res = await api.get('/x');
    expect(steadyInfo(res)?.attempts).toHaveLength(3);
    expect(requests).toBe(2);
    expect(responses).toBe(1);
    steady.detach();
  });

  it("steadyInfo writes nothing on axios' config: not in its keys, JSON or symbols, not carried when the config is sent again", async () => {
    nock('http://api.test').get('/z').reply(503).get('/z').reply(200).get('/z').reply(200);
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: { baseDelay: 1 } });
    const first = await api.get('/z');
    expect(steadyInfo(first)?.attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(Object.keys(first.config)).not.toContain('attempts');
    expect(JSON.stringify(first.config)).not.toContain('attempts');
    expect(Object.getOwnPropertySymbols(first.config)).toEqual([]); // it rides on the request's own adapter
    expect(steadyInfo({ ...first.config })).toBeUndefined(); // a spread copy does not take it along
    const again = await api.request(first.config); // the token-refresh pattern: the same config, sent again
    expect(steadyInfo(again)?.attempts.map((a) => a.status)).toEqual([200]);
    expect(steadyInfo(first)?.attempts).toHaveLength(2); // the first request's record is unchanged
    steady.detach();
  });

  it('a first attempt sent at once gives its lane slot back whether it succeeds or fails', async () => {
    nock('http://api.test').get('/a').reply(200).get('/b').reply(503).get('/b').reply(200).get('/c').reply(200);
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: { baseDelay: 1 }, limiter: { maxConcurrent: 1 } });
    await api.get('/a');
    expect(steady.stats()).toMatchObject({ running: 0, queued: 0 });
    const [b, c] = await Promise.all([api.get('/b'), api.get('/c')]); // /c waits for /b's slot, then its retry goes
    expect(steadyInfo(b)?.attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(steadyInfo(c)?.attempts.map((a) => a.status)).toEqual([200]);
    expect(steady.stats()).toMatchObject({ running: 0, queued: 0, requests: 3, attempts: 4 });
    steady.detach();
  });

  it('detach() restores plain axios', async () => {
    nock('http://api.test').get('/y').reply(503).get('/y').reply(200);
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: { baseDelay: 1 } });
    steady.detach();
    steady.detach(); // idempotent
    const error = (await api.get('/y').catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(503);
    expect(steadyInfo(error)).toBeUndefined();
    expect((api.interceptors.request as unknown as { handlers: unknown[] }).handlers.every((h) => h === null)).toBe(true);
    const again = attach(api, { retry: { baseDelay: 1 } }); // re-attach works after detach
    expect((await api.get('/y')).status).toBe(200);
    again.detach();
  });

  it('leaves no timers behind after detach()', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    nock('http://api.test').get('/h').reply(503).get('/h').reply(200).get('/h').reply(200);
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: { baseDelay: 1 }, limiter: { maxConcurrent: 1, minTime: 5 }, deadline: 60_000 });
    await Promise.all([api.get('/h'), api.get('/h')]);
    steady.detach();
    // A leak here would be the 60 s deadline timer or a limiter heartbeat; allow a loaded machine 2 s to settle.
    for (let waited = 0; timers() > before && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('refuses to attach twice to one instance', () => {
    const api = axios.create();
    const steady = attach(api);
    expect(() => attach(api)).toThrow(/already attached/);
    steady.detach();
  });

  it('wraps a custom adapter instead of replacing it', async () => {
    let calls = 0;
    const adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
      calls++;
      if (calls < 3) throw new AxiosError('reset', 'ECONNRESET', config);
      return { data: 'custom', status: 200, statusText: 'OK', headers: {}, config };
    };
    const api = axios.create({ adapter });
    const steady = attach(api, { retry: { baseDelay: 1 } });
    const res = await api.get('/anything');
    expect(res.data).toBe('custom');
    expect(calls).toBe(3);
    steady.detach();
  });

  it('an error made after the adapter (bad JSON) still carries the history', async () => {
    nock('http://api.test').get('/bad').reply(503).get('/bad').reply(200, '{not json', { 'content-type': 'application/json' });
    const api = axios.create({ baseURL: 'http://api.test', transitional: { silentJSONParsing: false } });
    const steady = attach(api, { retry: { baseDelay: 1 } });
    const error = (await api.get('/bad', { responseType: 'json' }).catch((e: unknown) => e)) as AxiosError;
    expect(steadyInfo(error)?.attempts.map((a) => a.status)).toEqual([503, 200]);
    steady.detach();
  });

  it('a re-sent error.config is retried once per logical request, not wrapped twice', async () => {
    nock('http://api.test').get('/z').reply(500).get('/z').reply(500).get('/z').reply(200, 'ok');
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api, { retry: { retries: 1, baseDelay: 1 } });
    const error = (await api.get('/z').catch((e: unknown) => e)) as AxiosError;
    expect(steadyInfo(error)?.attempts).toHaveLength(2);
    const res = await api.request(error.config as InternalAxiosRequestConfig);
    expect(steadyInfo(res)?.attempts).toHaveLength(1);
    steady.detach();
  });

  it('writes nothing onto the response: the history is read with steadyInfo()', async () => {
    nock('http://api.test').get('/j').reply(200, { a: 1 });
    const api = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api);
    const res = await api.get('/j');
    expect('steady' in res).toBe(false);
    expect(steadyInfo(res)?.attempts).toHaveLength(1);
    steady.detach();
  });
});

describe('invalid options throw a TypeError naming option and value', () => {
  const api = axios.create();
  it.each([
    [{ retry: { retries: -1 } }, /"retry.retries" must be a finite integer ≥ 0, got -1 \(number\)/],
    [{ retry: { retries: 1.5 } }, /"retry.retries".*1.5/],
    [{ retry: { baseDelay: '300' } }, /"retry.baseDelay" must be a finite number ≥ 0, got "300" \(string\)/],
    [{ retry: { maxDelay: Number.NaN } }, /"retry.maxDelay".*got NaN \(number\)/],
    [{ retry: { jitter: 'random' } }, /"retry.jitter" must be one of "full", "equal", "none", got "random"/],
    [{ retry: { statuses: [503, 'x'] } }, /"retry.statuses" must be an array of HTTP status codes/],
    [{ retry: { methods: 'GET' } }, /"retry.methods"/],
    [{ retry: { retires: 3 } }, /"retry.retires" must be one of the known options/],
    [{ retry: { budget: { ratio: -1 } } }, /"retry.budget.ratio"/],
    [{ retry: { onRetry: 5 } }, /"retry.onRetry" must be a function, got 5 \(number\)/],
    [{ retry: 3 }, /"retry" must be an object or false, got 3/],
    [{ deadline: 0 }, /"deadline" must be a finite number ≥ 1, got 0/],
    [{ limiter: { maxConcurrent: 0 } }, /"limiter.maxConcurrent".*got 0/],
    [{ limiter: { minTime: -5 } }, /"limiter.minTime".*-5/],
    [{ limiter: 'fast' }, /"limiter" must be bottleneck options or a Bottleneck instance, got "fast"/],
    [{ limiter: { maxConcurent: 2 } }, /"limiter.maxConcurent" must be a bottleneck option \(maxConcurrent, minTime/],
    [{ limitter: {} }, /"options.limitter" must be one of the known options/],
  ])('%j', (options, message) => {
    expect(() => attach(api, options as never)).toThrow(TypeError);
    expect(() => attach(api, options as never)).toThrow(message);
  });

  // Every option bottleneck 2.19.5 reads is checked for what it must be: the outside found 4 of 70 bad options
  // accepted silently (a limiter that quietly did something else).
  it.each<[string, unknown, RegExp]>([
    ['highWater', -1, /an integer ≥ 0/],
    ['highWater', 'ten', /an integer ≥ 0/],
    ['strategy', 'leak', /one of Bottleneck.strategy.LEAK/],
    ['strategy', 9, /one of Bottleneck.strategy/],
    ['penalty', -3, /a number of ms ≥ 0/],
    ['reservoir', 2.5, /an integer ≥ 0/],
    ['reservoirRefreshInterval', 0, /a number of ms ≥ 1/],
    ['reservoirRefreshInterval', '1s', /a number of ms ≥ 1/],
    ['reservoirRefreshAmount', -1, /an integer ≥ 0/],
    ['reservoirIncreaseInterval', Number.NaN, /a number of ms ≥ 1/],
    ['reservoirIncreaseAmount', 'x', /an integer ≥ 0/],
    ['reservoirIncreaseMaximum', -2, /an integer ≥ 0/],
    ['id', 42, /a non-empty string/],
    ['id', '', /a non-empty string/],
    ['rejectOnDrop', 'yes', /a boolean/],
    ['trackDoneStatus', 1, /a boolean/],
    ['datastore', 'redis-cluster', /"local", "redis" or "ioredis"/],
    ['clientOptions', 'redis://x', /an object of Redis client options/],
    ['clusterNodes', { host: 'x' }, /an array of Redis Cluster nodes/],
    ['clearDatastore', 'true', /a boolean/],
    ['clientTimeout', 0, /a number of ms ≥ 1/],
    ['timeout', -1, /a number of ms ≥ 1/],
    ['heartbeatInterval', 0, /a number of ms ≥ 1/],
    ['minTime', 2 ** 31, /a number of ms ≥ 0/],
    ['maxConcurrent', 2.5, /an integer ≥ 1/],
    ['Promise', {}, /a Promise constructor/],
  ])('limiter.%s = %j', (name, value, message) => {
    const call = () => attach(api, { limiter: { [name]: value } as never });
    expect(call).toThrow(TypeError);
    expect(call).toThrow(new RegExp(`option "limiter\\.${name}" must be ${message.source}`));
  });

  it('a reservoir refresh needs both its interval and its amount', () => {
    expect(() => attach(api, { limiter: { reservoir: 5, reservoirRefreshInterval: 1000 } })).toThrow(
      /"limiter.reservoirRefreshAmount" must be set together with reservoirRefreshInterval/,
    );
  });

  it('null is bottleneck’s "none" for the limits, and accepted', () => {
    const steady = attach(axios.create(), { limiter: { maxConcurrent: null, reservoir: null, highWater: null, penalty: null } });
    steady.detach();
  });

  it('per-request options are checked when the request is made', async () => {
    nock('http://api.test').get('/p').reply(200);
    const api2 = axios.create({ baseURL: 'http://api.test' });
    const steady = attach(api2);
    await expect(api2.get('/p', { steady: { retry: { retries: -2 } } })).rejects.toThrow(/"steady.retry.retries"/);
    await expect(api2.get('/p', { steady: { priority: 12 } })).rejects.toThrow(TypeError);
    await expect(api2.get('/p', { steady: { retry: { budget: false } } as never })).rejects.toThrow(/"steady.retry.budget"/);
    steady.detach();
  });

  it('attach() needs an axios instance', () => {
    expect(() => attach({} as never)).toThrow(TypeError);
  });
});
