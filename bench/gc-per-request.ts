// `node --expose-gc --min-semi-space-size=16 --max-semi-space-size=16 --import tsx bench/gc-per-request.ts`:
// what the steady adapter costs the garbage collector, per request, with the network taken out (an adapter
// that answers at once). Unlike requests/s these counts hardly move with what else runs on the machine:
// young-generation GCs track bytes allocated, full GCs and scavenge time track what survives. P1 found its
// biggest cost here: an object literal with a getter per request (a hidden class of its own, in old space)
// made every request's objects survive young GCs (20 full GCs per 200,000 requests instead of 2).
import axios, { AxiosHeaders, type AxiosAdapter } from 'axios';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { attach, type SteadyOptions } from 'axios-steady';
import { pool } from './lib/stats.js';

const requests = Number(process.argv[2] ?? 200_000);
const answer: AxiosAdapter = (config) =>
  Promise.resolve({
    data: '{"id":1}',
    status: 200,
    statusText: 'OK',
    headers: new AxiosHeaders({ 'content-type': 'application/json' }),
    config,
    request: {},
  });
const field: [string, SteadyOptions | null][] = [
  ['bare axios', null],
  ['attach() defaults', {}],
  ['attach() quota: false', { quota: false }],
];

for (const [name, options] of field) {
  const api = axios.create({ baseURL: 'http://127.0.0.1:1', adapter: answer });
  const steady = options ? attach(api, options) : undefined;
  await pool(20_000, 50, (i) => api.get(`/item/${i}`)); // warm-up
  (globalThis as { gc?: () => void }).gc?.();
  const gc = { young: 0, full: 0, youngMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        gc.young++;
        gc.youngMs += entry.duration;
      } else gc.full++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const cpu = process.cpuUsage();
  await pool(requests, 50, (i) => api.get(`/item/${i}`));
  const used = process.cpuUsage(cpu);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the last GC entries arrive asynchronously
  observer.disconnect();
  steady?.detach();
  const perThousand = (n: number) => ((n / requests) * 1000).toFixed(2);
  console.log(
    `${name}: ${(((used.user + used.system) / requests) | 0).toString()} µs CPU/request, young GCs ${perThousand(gc.young)} per 1,000 requests ` +
      `(${perThousand(gc.youngMs)} ms), full GCs ${gc.full}`,
  );
}
