// Many processes, one quota: a Redis-backed limiter shared by id across real worker processes, against a
// real redis-server (started here on a free loopback port, stopped by pid) and a real HTTP server.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Redis } from 'ioredis';
import { json, startServer, wait, type TestServer } from '../test/servers/with-server.js';
import { startRedis, type RedisServer } from '../test/servers/redis.js';
import { startSimApi } from '../test/servers/sim-api.js';

jest.setTimeout(90_000);

let redis: RedisServer;
let server: TestServer;
const spans: { path: string; start: number; end: number }[] = [];
let handler: (path: string, res: Parameters<typeof json>[0]) => Promise<void> | void;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());
beforeEach(async () => {
  spans.length = 0;
  handler = async (_path, res) => {
    await wait(20);
    json(res, 200, {});
  };
  server = await startServer(async (req, res) => {
    const span = { path: req.url ?? '', start: Date.now(), end: Infinity };
    spans.push(span);
    res.on('close', () => (span.end = Date.now()));
    await handler(span.path, res);
  });
});
afterEach(() => server?.close());

interface Report {
  done: number;
  failures: string[];
}

function worker(
  limiterId: string,
  paths: string[],
  limiter: Record<string, unknown>,
  timeout?: number,
  apiUrl = server.url,
): { child: ChildProcess; report: Promise<Report> } {
  const child = fork(
    path.join(__dirname, '../test/servers/fleet-worker.ts'),
    [JSON.stringify({ redisPort: redis.port, limiterId, apiUrl, paths, limiter, timeout })],
    {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    },
  );
  const report = new Promise<Report>((resolve, reject) => {
    child.on('message', (m) => (m as Report).done !== undefined && resolve(m as Report));
    child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before reporting`)));
  });
  report.catch(() => undefined);
  return { child, report };
}

const fleet = (id: string, workers: number, each: number, limiter: Record<string, unknown>) =>
  Array.from({ length: workers }, (_, w) =>
    worker(
      id,
      Array.from({ length: each }, (_, i) => `/w${w}/r${i}`),
      limiter,
    ),
  );

/** Largest number of requests the server was handling at once, among spans starting after `from`. */
function maxOverlap(from = 0): number {
  const events = spans.filter((s) => s.start >= from).flatMap((s) => [[s.start, 1] as const, [s.end, -1] as const]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (now += delta));
  return max;
}

const exactlyOnce = (workers: number, each: number) => {
  const counts = new Map<string, number>();
  for (const s of spans) counts.set(s.path, (counts.get(s.path) ?? 0) + 1);
  expect(counts.size).toBe(workers * each);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
};

it('4 processes × 25 requests share maxConcurrent 2 and minTime 50', async () => {
  const reports = await Promise.all(fleet('shared-limit', 4, 25, { maxConcurrent: 2, minTime: 50 }).map((w) => w.report));
  expect(reports.map((r) => r.failures)).toEqual([[], [], [], []]);
  exactlyOnce(4, 25);
  expect(maxOverlap()).toBeLessThanOrEqual(2);
  const starts = spans.map((s) => s.start).sort((a, b) => a - b);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40); // minTime 50, 10 ms for loopback and timer jitter
});

it('one process gets 429 + Retry-After: 1, and no process sends to the API during that second', async () => {
  let served429 = false;
  handler = async (_path, res) => {
    if (!served429) {
      served429 = true;
      return json(res, 429, {}, { 'Retry-After': '1' });
    }
    await wait(10);
    json(res, 200, {});
  };
  const reports = await Promise.all(fleet('fleet-pause', 4, 10, { maxConcurrent: 2, minTime: 50 }).map((w) => w.report));
  expect(reports.map((r) => r.failures)).toEqual([[], [], [], []]);
  const t429 = spans[0].start;
  const during = spans.slice(1).filter((s) => s.start < t429 + 990);
  expect(during).toEqual([]);
  expect(spans).toHaveLength(41); // 40 requests + the one retry
});

it.each([
  ['redis-server is restarted', () => redis.restart()],
  [
    'the limiter keys are deleted',
    async () => {
      const client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
      await client.connect();
      await client.flushall();
      client.disconnect();
    },
  ],
])('%s mid-run: every worker finishes, nothing lost or sent twice, the limit holds after recovery', async (_name, disrupt) => {
  const workers = fleet(`recover-${Date.now()}`, 4, 30, { maxConcurrent: 2, minTime: 25 });
  await wait(1000);
  const disruptedAt = Date.now();
  await disrupt();
  const reports = await Promise.all(workers.map((w) => w.report));
  expect(reports.map((r) => r.failures)).toEqual([[], [], [], []]);
  exactlyOnce(4, 30);
  expect(spans.filter((s) => s.start > disruptedAt).length).toBeGreaterThan(0);
  expect(maxOverlap(disruptedAt + 1000)).toBeLessThanOrEqual(2);
});

it('a worker killed mid-job (SIGKILL) frees its slot within the job expiration', async () => {
  let hangs: (() => void) | undefined;
  const hung = new Promise<void>((resolve) => (hangs = resolve));
  handler = async (p, res) => {
    if (p === '/hang') return void hangs?.(); // never answers
    await wait(10);
    json(res, 200, {});
  };
  const id = `crash-${Date.now()}`;
  const limiter = { maxConcurrent: 1, heartbeatInterval: 250 };
  const doomed = worker(id, ['/hang'], limiter, 2000); // timeout 2000 ms → job expiration 3000 ms
  await hung;
  const hungAt = Date.now();
  doomed.child.kill('SIGKILL');
  const survivor = worker(id, ['/after/1', '/after/2', '/after/3'], limiter);
  const report = await survivor.report;
  expect(report.failures).toEqual([]);
  const firstAfter = spans.find((s) => s.path.startsWith('/after'))?.start ?? Infinity;
  expect(firstAfter - hungAt).toBeLessThanOrEqual(3000 + 1500);
});

it('a quota learned by one process pauses the others: a fleet on a rate-limited API sees few 429s', async () => {
  const sim = await startSimApi({ items: 1200, pageSize: 10, latencyMs: 5, quota: { limit: 30, windowMs: 1000, headers: 'draft7' } });
  try {
    const id = `quota-${Date.now()}`;
    const paths = (w: number) => Array.from({ length: 40 }, (_, i) => `/page?page=${w * 40 + i + 1}`);
    const reports = await Promise.all([0, 1, 2].map((w) => worker(id, paths(w), { maxConcurrent: 4 }, undefined, sim.url).report));
    expect(reports.map((r) => r.failures)).toEqual([[], [], []]);
    expect(sim.stats.pages).toBe(120);
    // Each process counts only its own requests in flight against the fleet-wide remaining: a few 429s
    // can slip through at a window's edge (measured 3.2 %; with quota: false the same fleet got 7.7 %).
    expect(sim.stats.rateLimited / sim.stats.requests).toBeLessThanOrEqual(0.05);
  } finally {
    await sim.close();
  }
});
