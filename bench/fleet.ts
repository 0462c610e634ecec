// P6: three processes collect one rate-limited API through one Redis-backed limiter. The quota is unknown to
// them. Two APIs: the simulated one (draft-7 headers, or only Retry-After; 300 pages, 60 per 3 s; ratio to pages ÷
// allowed rate), and the real middleware issue 12 names (express-rate-limit draft-7, rate-limiter-flexible with
// only Retry-After; 400 pages, 100 per 4 s, as P2c; ratio to the physical limit). Needs redis-server.
import { fork } from 'node:child_process';
import { startRedis } from '../test/servers/redis.js';
import { startSimProcess } from './sim-api/index.js';
import { LIMIT, PAGES, WINDOW_MS, physicalMs, startLimitedProcess } from './limiters/index.js';
import { complete } from './contenders.js';
import { bounded, rows, type Sample } from './lib/stats.js';
import type { Scenario } from './report.js';

/** The API a fleet collects: the simulated one with or without headers, or a real limiter (P2c's servers). */
export type FleetApi = 'draft7' | 'none' | 'erl-draft7' | 'flexible';

const WORKERS = 3;
const contenders = ['axios-steady', 'axios-steady, quota: false', 'axios-retry + bottleneck (Redis)'];

function runWorker(job: Record<string, unknown>): {
  ready: Promise<void>;
  go: () => void;
  bodies: Promise<{ page: number; ids: number[] }[]>;
  kill: () => void;
} {
  const child = fork(new URL('./fleet-worker.ts', import.meta.url), [JSON.stringify(job)], { execArgv: ['--import', 'tsx'] });
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const bodies = new Promise<{ page: number; ids: number[] }[]>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; bodies?: { page: number; ids: number[] }[] }) =>
      m.ready ? ready() : resolve(m.bodies ?? []),
    );
    child.once('exit', (code) => reject(new Error(`fleet worker exited with ${code}`)));
  });
  return { ready: readyP, go: () => child.send('go'), bodies, kill: () => child.kill('SIGKILL') };
}

export async function fleet(quick: boolean, which: FleetApi = 'draft7'): Promise<Scenario> {
  const real = which === 'erl-draft7' || which === 'flexible';
  const pages = quick ? 60 : real ? PAGES : 300;
  const quota = quick ? { limit: 20, windowMs: 2000 } : real ? { limit: LIMIT, windowMs: WINDOW_MS } : { limit: 60, windowMs: 3000 };
  const limitMs = real ? physicalMs(pages, quota.limit, quota.windowMs) : (pages / quota.limit) * quota.windowMs;
  const startApi = async () => {
    if (!real) return startSimProcess({ items: pages * 10, pageSize: 10, latencyMs: 20, quota: { ...quota, headers: which } });
    const api = await startLimitedProcess({ kind: which, ...quota, items: pages * 10, latencyMs: 20 });
    return { url: api.url, stats: api.stats, close: api.close };
  };
  const runs = quick ? 1 : Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3);
  const redis = await startRedis();
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c, []]));
  try {
    for (let run = 0; run < runs; run++) {
      for (const contender of contenders) {
        const api = await startApi();
        // Worker w takes pages w+1, w+1+3, …: together every page once.
        const workers = Array.from({ length: WORKERS }, (_, w) =>
          runWorker({
            contender,
            redisPort: redis.port,
            id: `p6-${which}-${run}-${contenders.indexOf(contender)}`,
            apiUrl: api.url,
            pages: Array.from({ length: pages }, (_, i) => i + 1).filter((p) => p % WORKERS === w % WORKERS),
            maxConcurrent: 8,
          }),
        );
        const killAll = () => workers.forEach((w) => w.kill());
        const bound = Math.max(120_000, 10 * limitMs);
        let bodies: { page: number; ids: number[] }[] = [];
        const started = performance.now();
        try {
          // Bounded: a stuck fleet fails its row (incomplete) with a message, its workers killed; the run goes on.
          await bounded(Promise.all(workers.map((w) => w.ready)), 60_000, `P6 ${which} ${contender}: workers ready`, killAll);
          for (const w of workers) w.go();
          bodies = (await bounded(Promise.all(workers.map((w) => w.bodies)), bound, `P6 ${which} ${contender}`, killAll))
            .flat()
            .sort((a, b) => a.page - b.page);
        } catch (error) {
          process.stderr.write(`  ${(error as Error).message}\n`);
        }
        const ms = performance.now() - started;
        const stats = await api.stats();
        api.close();
        const ids = bodies.flatMap((b) => b.ids);
        samples.get(contender)?.push({ ms, requests: stats.requests, rateLimited: stats.rateLimited, complete: complete(ids, pages * 10) });
        process.stderr.write(
          `  P6 run ${run + 1} ${contender}: ${Math.round(ms)} ms, ${stats.requests} requests, ${stats.rateLimited} 429s\n`,
        );
      }
    }
  } finally {
    await redis.stop();
  }
  const told = which === 'none' || which === 'flexible' ? 'no rate-limit headers, 429 + Retry-After' : 'draft-7 headers';
  const server = real ? (which === 'flexible' ? 'rate-limiter-flexible' : 'express-rate-limit 8') : 'simulated API';
  return {
    name: `P6 fleet${which === 'none' || which === 'flexible' ? ' (only Retry-After)' : ''}, ${server}: ${WORKERS} processes, one Redis-shared limiter (maxConcurrent 8), ${pages} pages, quota ${quota.limit} per ${quota.windowMs / 1000} s (${told}) unknown to them; ratio to ${real ? `the physical limit (${limitMs / 1000} s)` : 'pages ÷ allowed rate'}`,
    limitMs,
    rows: rows(contenders, samples, limitMs),
  };
}
