// P2c: the quota model against real rate limiters (express-rate-limit 8 in four header formats,
// @fastify/rate-limit, rate-limiter-flexible with only Retry-After) and a sliding-window log and a token
// bucket; the quota is unknown to every contender.
import { fork } from 'node:child_process';
import { collectors, complete } from '../contenders.js';
import { rows, type Sample, bounded } from '../lib/stats.js';
import type { Scenario } from '../report.js';
import { LIMITERS, type LimitedOptions } from '../../test/servers/limiters.js';

export const PAGES = 400;
export const LIMIT = 100;
export const WINDOW_MS = 4000;
/**
 * The fastest any client can be against a real limiter, whose first window starts at the first request: the last
 * window's pages start (pages ÷ limit − 1) windows in.
 */
export function physicalMs(pages: number, limit: number, windowMs: number): number {
  return (pages / limit - 1) * windowMs;
}
const PHYSICAL_MS = physicalMs(PAGES, LIMIT, WINDOW_MS);
const CONTENDERS = ['axios-steady', 'axios-retry + bottleneck', 'reference script (p-limit 5 + retry)'];

/** A real rate limiter's API in its own process (its clock is not slowed by the clients' CPU). */
export async function startLimitedProcess(options: LimitedOptions) {
  const child = fork(new URL('./child.ts', import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`limited API exited with ${code}`)));
  });
  const stats = () =>
    new Promise<{ requests: number; rateLimited: number }>((resolve) => {
      child.once('message', (m) => resolve((m as { stats: { requests: number; rateLimited: number } }).stats));
      child.send('stats');
    });
  return { url, stats, close: () => child.disconnect() };
}

export async function realLimiters(runs: number, log: (text: string) => void): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  for (const kind of LIMITERS) {
    const samples = new Map<string, Sample[]>(CONTENDERS.map((c) => [c, []]));
    for (let run = 0; run < runs; run++) {
      for (const contender of CONTENDERS) {
        const api = await startLimitedProcess({ kind, limit: LIMIT, windowMs: WINDOW_MS, items: PAGES * 10 });
        const started = performance.now();
        let ids: number[] = [];
        try {
          ids = await bounded(
            collectors[contender](api.url, { concurrency: 8, timeoutMs: 10_000, guessedRps: 50 }),
            10 * PHYSICAL_MS,
            `P2c ${kind} ${contender}`,
          );
        } catch (error) {
          log(`  ${contender}: ${(error as Error).message}`);
        }
        const ms = performance.now() - started;
        const stats = await api.stats();
        api.close();
        samples.get(contender)?.push({ ms, requests: stats.requests, rateLimited: stats.rateLimited, complete: complete(ids, PAGES * 10) });
        log(
          `  P2c ${kind} ${contender}: ${Math.round(ms)} ms (${(ms / PHYSICAL_MS).toFixed(3)}×), ${stats.requests} requests, ${stats.rateLimited} 429s`,
        );
      }
    }
    scenarios.push({
      name: `P2c ${kind}: ${PAGES} pages, ${LIMIT} per ${WINDOW_MS / 1000} s unknown to the client, concurrency 8; ratio to the physical limit (${PHYSICAL_MS / 1000} s)`,
      limitMs: PHYSICAL_MS,
      rows: rows(CONTENDERS, samples, PHYSICAL_MS),
    });
  }
  return scenarios;
}
