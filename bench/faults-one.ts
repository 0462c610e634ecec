// `npx tsx bench/faults-one.ts [runs] [options JSON]`: axios-steady alone on P3's faulty API (400 pages, 20 %
// 503, 5 % resets, 1 % hangs, 1 s timeout) and fault-free, to iterate on recovery without the whole bench.
// The options JSON is passed to attach() on top of P3's { retry: { retries: 10 } }.
import axios from 'axios';
import http from 'node:http';
import { attach, collect, pageNumber, type SteadyOptions } from 'axios-steady';
import { startSimProcess } from './sim-api/index.js';

const runs = Number(process.argv[2] ?? 3);
const extra = JSON.parse(process.argv[3] ?? '{}') as SteadyOptions;
let t0 = 0;
async function once(faults: boolean, seed: number): Promise<{ ms: number; requests: number }> {
  const sim = await startSimProcess({
    items: 4000,
    pageSize: 10,
    latencyMs: 20,
    ...(faults && { faults: { seed, error503: 0.2, reset: 0.05, hang: 0.01 } }),
  });
  const api = axios.create({ baseURL: sim.url, timeout: 1000, httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) });
  const log = process.env.DEBUG_RETRY
    ? {
        onRetry: ({
          attempt,
          delayMs,
          reason,
          config,
        }: {
          attempt: number;
          delayMs: number;
          reason: string;
          config: { params?: unknown };
        }) =>
          (delayMs > 500 || reason === 'timeout' || process.env.DEBUG_RETRY === 'all') &&
          console.log(
            `  retry ${attempt} after ${delayMs} ms (${reason}) ${JSON.stringify(config.params)} at ${Math.round(performance.now() - t0)}`,
          ),
      }
    : {};
  const steady = attach(api, { ...extra, retry: { retries: 10, ...log, ...(extra.retry || {}) } });
  const started = performance.now();
  t0 = started;
  const items = await collect<{ id: number }>(api, '/page', {
    strategy: pageNumber({ totalPages: (r) => r.data.total_pages }),
    concurrency: 8,
  });
  const ms = performance.now() - started;
  const { hedges, retries } = steady.stats();
  if (process.env.DEBUG_RETRY) console.log(`  ${hedges} hedges, ${retries} retries`);
  steady.detach();
  const { requests } = await sim.stats();
  sim.close();
  if (items.length !== 4000 || items.some((item, i) => item.id !== i)) throw new Error('incomplete');
  return { ms, requests };
}
const base = await once(false, 1);
for (let run = 0; run < runs; run++) {
  const faulty = await once(true, 3 + run);
  console.log(
    `seed ${3 + run}: ${Math.round(faulty.ms)} ms = ${(faulty.ms / base.ms).toFixed(2)}× fault-free (${Math.round(base.ms)} ms), ${faulty.requests} requests`,
  );
}
