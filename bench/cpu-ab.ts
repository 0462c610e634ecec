// `node --expose-gc --import tsx bench/cpu-ab.ts <dist A> <dist B> [requests] [rounds] [http1|http2]`: CPU time
// per request (process.cpuUsage, user + system) of two builds of attach() at defaults, side by side in one run,
// beside bare axios and an A/A control, over P1's server (HTTP/1.1) or P7's (HTTP/2). Paired rounds in a rotating
// order, the median of each row's per-round difference to bare axios in the same round. For "did this change
// cost CPU?": build the old commit into another folder (a git worktree and `node scripts/build.mjs`), pass both
// `dist/esm/index.js` paths.
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import axios, { type AxiosInstance } from 'axios';
import { median, pool } from './lib/stats.js';
import { CONTROL, rotated, startServerProcess } from './overhead.js';

type Attach = (api: AxiosInstance, options?: object) => { detach(): void };
const [pathA, pathB] = process.argv.slice(2, 4);
if (!pathA || !pathB) throw new Error('usage: cpu-ab.ts <dist A index.js> <dist B index.js> [requests] [rounds] [http1|http2]');
const requests = Number(process.argv[4] ?? 3000);
const rounds = Number(process.argv[5] ?? 12);
const transport = process.argv[6] === 'http2' ? 'http2' : 'http1';
const load = async (file: string) => ((await import(pathToFileURL(file).href)) as { attach: Attach }).attach;
const [attachA, attachB] = [await load(pathA), await load(pathB)];

const server = await startServerProcess(transport === 'http2' ? 'tiny-h2-server.mjs' : 'tiny-server.mjs');
const instance = (attach?: Attach) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const api =
    transport === 'http2'
      ? axios.create({ baseURL: server.url, httpVersion: 2 } as Parameters<typeof axios.create>[0])
      : axios.create({ baseURL: server.url, httpAgent: agent });
  const steady = attach?.(api);
  return { api, close: () => (steady?.detach(), agent.destroy()) };
};
const field = [
  { name: 'bare axios', ...instance() },
  { name: `A: ${pathA}`, ...instance(attachA) },
  { name: `B: ${pathB}`, ...instance(attachB) },
  { name: CONTROL, ...instance() },
];
const over = new Map<string, number[]>(field.map(({ name }) => [name, []]));
// A round interleaves the contenders in short slices (SLICE GETs each, in a rotating order): this machine's CPU
// time per request drifts within seconds (a shared VM), so each contender's share of a round sees the same drift.
const SLICE = 250;
for (let round = 0; round <= rounds; round++) {
  const used = new Map<string, number>(field.map(({ name }) => [name, 0]));
  for (let slice = 0; slice * SLICE < requests; slice++) {
    for (const { name, api } of rotated(field, round + slice)) {
      const before = process.cpuUsage();
      await pool(SLICE, 50, (i) => api.get(`/item/${i}`));
      const spent = process.cpuUsage(before);
      used.set(name, (used.get(name) as number) + spent.user + spent.system);
    }
  }
  (globalThis as { gc?: () => void }).gc?.();
  const slices = Math.ceil(requests / SLICE);
  const inRound = new Map([...used].map(([name, us]) => [name, us / (slices * SLICE)]));
  if (round === 0) continue; // warm-up
  const bare = inRound.get('bare axios') as number;
  for (const [name, us] of inRound) over.get(name)?.push(us - bare);
}
for (const { close } of field) close();
server.stop();
console.log(`CPU per request over bare axios (${transport}, ${rounds} rounds × ${requests} GETs, median of per-round differences):`);
for (const { name } of field) {
  const s = over.get(name) ?? [];
  console.log(`  ${name}: ${median(s) >= 0 ? '+' : ''}${median(s).toFixed(1)} µs (rounds ${s.map((x) => x.toFixed(1)).join(' ')})`);
}
