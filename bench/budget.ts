// P3b: the retry budget at defaults (only a per-attempt timeout set). A flaky API must be collected
// completely; a dead one must not be stormed.
import { bounded } from './lib/stats.js';
import axios from 'axios';
import { attach, collect, pageNumber } from 'axios-steady';
import { startSimProcess } from './sim-api/index.js';
import { complete } from './contenders.js';
import type { Scenario } from './report.js';

export async function budget(seeds: number, log: (text: string) => void): Promise<Scenario> {
  const rows: Scenario['rows'] = [];
  // 1. 2,000 pages, 25 % of attempts fail (20 % 503 without Retry-After, 5 % connection resets).
  let completed = 0;
  let requests = 0;
  let ms = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const sim = await startSimProcess({ items: 20_000, pageSize: 10, faults: { seed, error503: 0.2, reset: 0.05 } });
    const api = axios.create({ baseURL: sim.url, timeout: 2000 });
    const steady = attach(api);
    const started = performance.now();
    let ids: number[] = [];
    try {
      const items = await bounded(
        collect<{ id: number }>(api, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 8 }),
        300_000,
        `P3b seed ${seed}`,
      );
      ids = items.map((i) => i.id);
    } catch (error) {
      log(`  P3b seed ${seed}: ${(error as Error).message}`);
    }
    const took = performance.now() - started;
    steady.detach();
    const stats = await sim.stats();
    sim.close();
    if (complete(ids, 20_000)) completed++;
    requests += stats.requests;
    ms += took;
    log(`  P3b seed ${seed}: complete ${complete(ids, 20_000)}, ${stats.requests} requests, ${Math.round(took)} ms`);
  }
  rows.push({
    contender: `2,000 pages, 25 % failing: complete in ${completed} of ${seeds} seeds`,
    medianMs: ms / seeds,
    minMs: ms / seeds,
    maxMs: ms / seeds,
    ratio: completed / seeds,
    requests: Math.round(requests / seeds),
    rateLimited: 0,
    complete: completed === seeds,
  });
  // 2. A dead API: 100 concurrent GETs; then 50 requests/s for 10 s.
  const dead = await startSimProcess({ items: 10, faults: { error503: 1 } });
  const api = axios.create({ baseURL: dead.url, timeout: 2000 });
  let steady = attach(api);
  await Promise.allSettled(Array.from({ length: 100 }, (_, i) => api.get(`/page?page=${i}`)));
  steady.detach();
  const burst = (await dead.stats()).requests;
  log(`  P3b dead API, 100 concurrent GETs: ${burst} requests (${burst - 100} retries)`);
  rows.push({
    contender: `dead API, 100 concurrent GETs: ${burst - 100} retries (${burst - 100} %)`,
    medianMs: 0,
    minMs: 0,
    maxMs: 0,
    ratio: (burst - 100) / 100,
    requests: burst,
    rateLimited: 0,
    complete: true,
  });
  steady = attach(api);
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < 500; i++) {
    pending.push(api.get(`/page?page=${i}`).catch(() => undefined));
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(pending);
  steady.detach();
  const steadyLoad = (await dead.stats()).requests - burst;
  dead.close();
  log(
    `  P3b dead API, 50 requests/s for 10 s: ${steadyLoad} requests (${steadyLoad - 500} retries, ${(((steadyLoad - 500) / 500) * 100).toFixed(1)} %)`,
  );
  rows.push({
    contender: `dead API, 50 requests/s for 10 s: ${steadyLoad - 500} retries (${(((steadyLoad - 500) / 500) * 100).toFixed(1)} %)`,
    medianMs: 0,
    minMs: 0,
    maxMs: 0,
    ratio: (steadyLoad - 500) / 500,
    requests: steadyLoad,
    rateLimited: 0,
    complete: true,
  });
  return {
    name: 'P3b retry budget at defaults; ratio: share of seeds complete, or retries per request on a dead API',
    limitMs: 1,
    unit: 'ms',
    rows,
  };
}
