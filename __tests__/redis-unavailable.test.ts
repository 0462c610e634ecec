// Nothing hangs on Redis: a Redis-backed limiter whose server is unreachable, accepts but never answers,
// or goes away mid-run rejects each request within REDIS_TIMEOUT_MS (plus one command timeout when the
// server vanished under a running limiter), with an error naming Redis and its address; nothing is sent.
import axios from 'axios';
import net from 'node:net';
import { attach, RedisUnavailableError, steadyInfo } from '../src/index.js';
import { REDIS_COMMAND_TIMEOUT_MS, REDIS_TIMEOUT_MS } from '../src/fleet/cluster.js';
import { freePort, startRedis } from '../test/servers/redis.js';
import { json, startServer, type TestServer } from '../test/servers/with-server.js';

jest.setTimeout(60_000);
let api: TestServer;
beforeAll(async () => {
  api = await startServer((_req, res) => json(res, 200, { ok: true }));
});
afterAll(() => api.close());

/** Sends one GET through a Redis-backed limiter; returns the error and how long it took to come. */
async function failure(port: number, before?: () => Promise<void>) {
  const client = axios.create({ baseURL: api.url, timeout: 1000 });
  const steady = attach(client, {
    limiter: { id: `unavailable-${port}`, datastore: 'ioredis', clientOptions: { host: '127.0.0.1', port } },
  });
  try {
    await before?.call(undefined);
    const arrived = api.seen.arrivals.length;
    const started = Date.now();
    const error = (await client.get('/x').then(
      () => undefined,
      (e: unknown) => e,
    )) as Error | undefined;
    const tookMs = Date.now() - started;
    expect(api.seen.arrivals.length).toBe(arrived); // nothing was sent
    // Its own error, with a code and a stop reason, counted as a failure (it was "not-retryable", uncounted).
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error).toMatchObject({ code: 'REDIS_UNAVAILABLE', address: `127.0.0.1:${port}`, limiterId: `unavailable-${port}` });
    expect(steadyInfo(error)?.stoppedBy).toBe('redis-unavailable');
    expect(steady.stats().failures).toBe(1);
    return { error, tookMs };
  } finally {
    steady.detach();
  }
}

it('nothing listening on the port: rejects after the bound, naming Redis and the address', async () => {
  const port = await freePort();
  const { error, tookMs } = await failure(port);
  expect(error?.message).toContain(`Redis at 127.0.0.1:${port}`);
  expect(tookMs).toBeGreaterThanOrEqual(REDIS_TIMEOUT_MS - 5);
  expect(tookMs).toBeLessThan(REDIS_TIMEOUT_MS + 15_000); // bounded; the slack is for a busy machine
});

it('a server that accepts and never answers: rejects after the bound', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as net.AddressInfo;
  try {
    const { error, tookMs } = await failure(port);
    expect(error?.message).toContain(`Redis at 127.0.0.1:${port}`);
    expect(tookMs).toBeLessThan(REDIS_TIMEOUT_MS + 15_000);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

it('Redis goes away under a running limiter: the next request rejects within the bound', async () => {
  const redis = await startRedis();
  try {
    const { error, tookMs } = await failure(redis.port, async () => {
      // A first request works, then the server is killed.
      await axios.create({ baseURL: api.url }).get('/warm');
      await redis.stop();
    });
    expect(error?.message).toContain(`Redis at 127.0.0.1:${redis.port}`);
    expect(tookMs).toBeLessThan(REDIS_TIMEOUT_MS + REDIS_COMMAND_TIMEOUT_MS + 15_000);
  } finally {
    await redis.stop();
  }
});
