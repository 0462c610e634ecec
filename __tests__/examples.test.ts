// The Node examples are documentation: they must keep running. Each imports only 'axios-steady' (the
// package's self-reference, the built dist/) and takes its API from API_URL; here each gets a simulated API
// on 127.0.0.1 (and the fleet a real redis-server), and the checks read what the API saw.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startRedis } from '../test/servers/redis.js';
import { startSimApi, type SimOptions } from '../test/servers/sim-api.js';

jest.setTimeout(90_000);
const root = path.resolve(__dirname, '..');

async function run(example: string, sim: SimOptions, route: string, env: Record<string, string> = {}) {
  const api = await startSimApi(sim);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', `examples/${example}.ts`], {
      cwd: root,
      env: { ...process.env, API_URL: `${api.url}${route}`, ...env },
      timeout: 60_000,
    });
    return { stdout, stats: api.stats };
  } finally {
    await api.close();
  }
}

it('github-link: every issue over Link headers', async () => {
  const { stdout } = await run('github-link', { items: 230, pageSize: 30 }, '/link?per_page=30');
  expect(stdout).toMatch(/^230 issues;/m);
});

it('cursor: every member of a flaky cursor API, retried', async () => {
  const { stdout, stats } = await run('cursor', { items: 120, pageSize: 25, faults: { seed: 5, error503: 0.2 } }, '/cursor');
  expect(stats.faults).toBeGreaterThan(0);
  expect(stdout).toMatch(/^120 members;/m);
});

it('telemetry: the walk, its page requests and their attempts as spans, with retries, pauses and resend counts', async () => {
  const sim = { items: 300, pageSize: 10, latencyMs: 5, quota: { limit: 20, windowMs: 1000 }, faults: { seed: 3, error503: 0.1 } };
  const { stdout } = await run('telemetry', sim, '/page');
  expect(stdout).toMatch(/^steady\.walk .* steady\.pages=30 steady\.items=300/m);
  expect(stdout).toMatch(/GET \(CLIENT\) .*http\.request\.resend_count=1 http\.response\.status_code=200/);
  expect(stdout).toMatch(/"steady\.wait\.reason":"(backoff|retry-after)"/);
  expect(stdout).toMatch(/^300 items;/m);
});

it('shared-limiter: two instances, one limit', async () => {
  const { stdout, stats } = await run('shared-limiter', { items: 200, pageSize: 10, latencyMs: 20 }, '/page');
  expect(stdout).toMatch(/A: 200 items, B: 200 items/);
  expect(stats.maxInFlight).toBeLessThanOrEqual(3);
});

it('resume-checkpoint: a stopped crawl resumes from its file, each item once, in order', async () => {
  const { stdout } = await run('resume-checkpoint', { items: 500, pageSize: 50 }, '/offset');
  expect(stdout).toMatch(/run 1 stopped \(PAGE_FAILED\) after 250 items/);
  const ids = JSON.parse(stdout.trim().split('\n').at(-1) as string) as number[];
  expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => i));
});

it('fleet: 4 processes share one limit and the learned quota through Redis', async () => {
  const redis = await startRedis();
  try {
    const { stdout, stats } = await run(
      'fleet/index',
      { items: 600, pageSize: 10, latencyMs: 20, quota: { limit: 25, windowMs: 2000, headers: 'draft7' } },
      '/page',
      { REDIS_PORT: String(redis.port), PAGES: '60' },
    );
    expect(stdout).toMatch(/collected 600 items/);
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(stats.rateLimited).toBe(0);
  } finally {
    await redis.stop();
  }
});
