// The README's migration table from axios-retry, checked row by row: the same request through axios-retry 4
// and through axios-steady, against the same local server, must behave the same (where the table says
// "the same"). If a row stops being true, this fails — the table cannot drift again.
import axios, { type AxiosError, type AxiosInstance } from 'axios';
import axiosRetry, { exponentialDelay, linearDelay, type IAxiosRetryConfig } from 'axios-retry';
import { attach, steadyInfo, type SteadyOptions } from '../src/index.js';
import { json, startServer, type Handler, type TestServer } from '../test/servers/with-server.js';

let server: TestServer;
afterEach(() => server?.close());

type Send = (api: AxiosInstance) => Promise<unknown>;
const get: Send = (api) => api.get('/x');

/** Runs `send` through axios-retry and through axios-steady on fresh servers; what each server saw and got. */
async function both(handler: () => Handler, retry: IAxiosRetryConfig, steady: SteadyOptions, send: Send = get) {
  const run = async (setup: (api: AxiosInstance) => () => void) => {
    server = await startServer(handler());
    const api = axios.create({ baseURL: server.url });
    const undo = setup(api);
    const outcome = await send(api).then(
      (r) => ({ ok: true, value: r as unknown }),
      (e: unknown) => ({ ok: false, value: e }),
    );
    undo();
    const requests = server.seen.arrivals.length;
    await server.close();
    return { ...outcome, requests };
  };
  const viaRetry = await run((api) => {
    const ids = axiosRetry(api, retry);
    return () => {
      api.interceptors.request.eject(ids.requestInterceptorId);
      api.interceptors.response.eject(ids.responseInterceptorId);
    };
  });
  const viaSteady = await run((api) => {
    const handle = attach(api, steady);
    return () => handle.detach();
  });
  return { viaRetry, viaSteady };
}

const always503 = () => (_req: Parameters<Handler>[0], res: Parameters<Handler>[1]) => json(res, 503, {});
const failTwice = () => {
  let n = 0;
  return (_req: Parameters<Handler>[0], res: Parameters<Handler>[1]) => (n++ < 2 ? json(res, 503, {}) : json(res, 200, { ok: true }));
};

it('axiosRetry(api, { retries: 3 }) ↔ attach(api, { retry: { retries: 3 } })', async () => {
  const { viaRetry, viaSteady } = await both(always503, { retries: 3 }, { retry: { retries: 3, baseDelay: 1 } });
  expect([viaRetry.requests, viaSteady.requests]).toEqual([4, 4]);
});

it('retryCondition ↔ shouldRetry', async () => {
  const never = () => false;
  const { viaRetry, viaSteady } = await both(always503, { retryCondition: never }, { retry: { shouldRetry: never } });
  expect([viaRetry.requests, viaSteady.requests]).toEqual([1, 1]);
});

it('onRetry(count, error, config) ↔ onRetry({ attempt, error, config })', async () => {
  const counts: number[][] = [[], []];
  await both(
    failTwice,
    { retries: 3, onRetry: (count) => void counts[0]?.push(count) },
    { retry: { baseDelay: 1, onRetry: ({ attempt }) => void counts[1]?.push(attempt) } },
  );
  expect(counts).toEqual([
    [1, 2],
    [1, 2],
  ]);
});

it('retryDelay: exponentialDelay ↔ delay: ({ attempt, error }) => exponentialDelay(attempt, error)', async () => {
  const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
  try {
    const waits: number[][] = [[], []];
    await both(
      failTwice,
      { retries: 3, retryDelay: (n, e) => (waits[0]?.push(exponentialDelay(n, e)), exponentialDelay(n, e)) },
      {
        retry: { delay: ({ attempt, error }) => exponentialDelay(attempt, error), onRetry: ({ delayMs }) => void waits[1]?.push(delayMs) },
      },
    );
    expect(waits[1]).toEqual(waits[0]);
  } finally {
    random.mockRestore();
  }
});

it("retryDelay: linearDelay() ↔ delay: 'linear', baseDelay: 100, jitter: 'none'", async () => {
  const waits: number[][] = [[], []];
  await both(
    failTwice,
    { retries: 3, retryDelay: (n, e) => (waits[0]?.push(linearDelay()(n, e)), 1) },
    { retry: { delay: 'linear', baseDelay: 100, jitter: 'none', onRetry: ({ delayMs }) => void waits[1]?.push(delayMs) } },
  );
  expect(waits).toEqual([
    [100, 200],
    [100, 200],
  ]);
});

it('validateResponse + a retryCondition that takes its rejections ↔ validateResponse', async () => {
  const handler = () => {
    let n = 0;
    return (_req: Parameters<Handler>[0], res: Parameters<Handler>[1]) => json(res, 200, n++ < 1 ? { error: 'x' } : { items: [] });
  };
  const valid = (r: { data: { items?: unknown } }) => Array.isArray(r.data.items);
  // axios-retry rejects a response validateResponse turns down, but retries it only when retryCondition agrees
  // (its default condition does not: 1 request, rejected); axios-steady retries it under the same limits.
  const alone = await both(handler, { retries: 3, validateResponse: valid }, { retry: { baseDelay: 1, validateResponse: valid } });
  expect([alone.viaRetry.ok, alone.viaRetry.requests, alone.viaSteady.ok, alone.viaSteady.requests]).toEqual([false, 1, true, 2]);
  const paired = await both(
    handler,
    { retries: 3, validateResponse: valid, retryCondition: (e) => e.response?.status === 200 },
    { retry: { baseDelay: 1, validateResponse: valid } },
  );
  expect([paired.viaRetry.ok, paired.viaSteady.ok, paired.viaRetry.requests, paired.viaSteady.requests]).toEqual([true, true, 2, 2]);
});

it('shouldResetTimeout: true ↔ always (timeout is per attempt)', async () => {
  const handler = () => {
    let n = 0;
    return (_req: Parameters<Handler>[0], res: Parameters<Handler>[1]) => void (n++ === 0 ? undefined : json(res, 200, {}));
  };
  const send: Send = (api) => api.get('/x', { timeout: 150 });
  const { viaRetry, viaSteady } = await both(
    handler,
    { retries: 2, shouldResetTimeout: true, retryCondition: () => true },
    { retry: { baseDelay: 1 } },
    send,
  );
  expect([viaRetry.ok, viaSteady.ok]).toEqual([true, true]);
});

it("onMaxRetryTimesExceeded ↔ steadyInfo(error).stoppedBy === 'retries'", async () => {
  let told = 0;
  const { viaSteady } = await both(
    always503,
    { retries: 1, onMaxRetryTimesExceeded: () => void told++ },
    { retry: { retries: 1, baseDelay: 1 } },
  );
  expect(told).toBe(1);
  expect(steadyInfo(viaSteady.value as AxiosError)?.stoppedBy).toBe('retries');
});

it("per request 'axios-retry': { retries } ↔ { steady: { retry: { retries } } }", async () => {
  const viaRetry = await both(always503, { retries: 3 }, { retry: { baseDelay: 1 } }, (api) =>
    api.get('/x', { 'axios-retry': { retries: 1 }, steady: { retry: { retries: 1 } } } as never),
  );
  expect([viaRetry.viaRetry.requests, viaRetry.viaSteady.requests]).toEqual([2, 2]);
});

it('axios-retry left on an attached instance: told once, as a process warning naming the fix', async () => {
  // The outside found one GET hitting the server 16 times (4 × 4) in silence.
  server = await startServer((_req, res) => json(res, 503, {}));
  const api = axios.create({ baseURL: server.url });
  axiosRetry(api, { retries: 1 });
  const steady = attach(api, { retry: { retries: 1, baseDelay: 1 } });
  // jest's sandboxed `process` does not emit 'warning' events: watch the call itself.
  const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    await api.get('/x').catch(() => undefined);
    await api.get('/y').catch(() => undefined);
    expect(emitted).toHaveBeenCalledTimes(1);
    expect(emitted.mock.calls[0]).toEqual([
      expect.stringMatching(/axios-retry is also installed on this instance.*Remove axios-retry/),
      'AxiosSteadyWarning',
    ]);
  } finally {
    emitted.mockRestore();
    steady.detach();
  }
});
