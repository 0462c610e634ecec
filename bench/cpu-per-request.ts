// `node --expose-gc --import tsx bench/cpu-per-request.ts [requests] [rounds]`: this process' CPU time per
// request (user + system µs, from process.cpuUsage) for bare axios and attach() at defaults, 50 concurrent GETs
// against the P1 server in its own process. CPU time, unlike requests/s, does not move with what else runs on
// the machine, so it shows what the hot path costs; P1's ratio is what users feel. Each contender is one
// instance for the whole run, as in P1, beside the same A/A control; every round's figure is printed, so a cost
// that grows with an instance's age shows.
import type { SteadyOptions } from 'axios-steady';
import { median, pool } from './lib/stats.js';
import { CONTROL, makeContender, rotated, startServerProcess } from './overhead.js';

const requests = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 7);
const field: [string, SteadyOptions | null][] = [
  ['bare axios', null],
  ['attach() defaults', {}],
  ['attach() quota: false', { quota: false }],
  [CONTROL, null],
];
const server = await startServerProcess('tiny-server.mjs');
const instances = field.map(([name, options]) => makeContender(name, options, server.url, 'http1'));
const samples = new Map<string, number[]>(field.map(([name]) => [name, []]));
for (let round = 0; round <= rounds; round++) {
  for (const { name, api } of rotated(instances, round)) {
    (globalThis as { gc?: () => void }).gc?.();
    const before = process.cpuUsage();
    await pool(requests, 50, (i) => api.get(`/item/${i}`));
    const used = process.cpuUsage(before);
    if (round > 0) samples.get(name)?.push((used.user + used.system) / requests);
  }
}
for (const instance of instances) instance.close();
server.stop();
const base = median(samples.get('bare axios') ?? []);
for (const [name] of field) {
  const s = samples.get(name) ?? [];
  const m = median(s);
  console.log(
    `${name}: ${m.toFixed(1)} µs CPU per request (+${(m - base).toFixed(1)} µs, ${(base / m).toFixed(3)}× the throughput at full CPU); rounds ${s.map((x) => x.toFixed(0)).join(' ')}`,
  );
}
