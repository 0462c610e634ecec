// `node --expose-gc --import tsx bench/cpu-per-request.ts [requests] [rounds]`: this process' CPU time per
// request (user + system µs, from process.cpuUsage) for bare axios and attach() at defaults, 50 concurrent GETs
// against the P1 server in its own process. CPU time, unlike requests/s, does not move with what else runs on
// the machine, so it shows what the hot path costs; P1's ratio is what users feel.
import axios from 'axios';
import http from 'node:http';
import { attach, type SteadyOptions } from 'axios-steady';
import { median, pool } from './lib/stats.js';
import { rotated, startServerProcess } from './overhead.js';

const requests = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 7);
const field: [string, SteadyOptions | null][] = [
  ['bare axios', null],
  ['attach() defaults', {}],
  ['attach() quota: false', { quota: false }],
];
const server = await startServerProcess('tiny-server.mjs');
const samples = new Map<string, number[]>(field.map(([name]) => [name, []]));
for (let round = 0; round <= rounds; round++) {
  for (const [name, options] of rotated(field, round)) {
    (globalThis as { gc?: () => void }).gc?.();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    const api = axios.create({ baseURL: server.url, httpAgent: agent });
    const steady = options ? attach(api, options) : undefined;
    const before = process.cpuUsage();
    await pool(requests, 50, (i) => api.get(`/item/${i}`));
    const used = process.cpuUsage(before);
    steady?.detach();
    agent.destroy();
    if (round > 0) samples.get(name)?.push((used.user + used.system) / requests);
  }
}
server.stop();
const base = median(samples.get('bare axios') ?? []);
for (const [name] of field) {
  const m = median(samples.get(name) ?? []);
  console.log(
    `${name}: ${m.toFixed(1)} µs CPU per request (+${(m - base).toFixed(1)} µs, ${(base / m).toFixed(3)}× the throughput at full CPU)`,
  );
}
