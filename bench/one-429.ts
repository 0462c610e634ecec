// `npx tsx bench/one-429.ts [rounds]`: issue 12's "one 429 on an API without rate-limit headers: 200 GETs afterwards
// take no longer than on a fresh instance (± noise)". An API with no rate-limit headers answers one 429
// (`Retry-After: 1`) on one endpoint after 10 successes, and never again. Each round times 200 concurrent GETs on a
// fresh attach()ed instance and on one that met that 429 (timed after its pause), interleaved; the ratio is of
// the medians, in one run. Before issue 12 the second took 9.8 s instead of 0.28 s.
import axios from 'axios';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { attach } from 'axios-steady';
import { median } from './lib/stats.js';

const rounds = Number(process.argv[2] ?? 7);
let refuseAt = -1;
let n = 0;
const server = http.createServer((req, res) => {
  const refuse = req.url === '/one' && n++ === refuseAt;
  res.writeHead(refuse ? 429 : 200, { 'content-type': 'application/json', ...(refuse && { 'retry-after': '1' }) });
  res.end('{"ok":true}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function timed(afterOne429: boolean): Promise<{ ms: number; pauses: string[] }> {
  const agent = new http.Agent({ keepAlive: true });
  const api = axios.create({ baseURL, httpAgent: agent });
  const pauses: string[] = [];
  const steady = attach(api, { onPause: (e) => pauses.push(e.source) });
  if (afterOne429) {
    n = 0;
    refuseAt = 10;
    for (let i = 0; i < 11; i++) await api.get('/one'); // the 11th meets the 429, waits 1 s, and succeeds
    refuseAt = -1;
  } else await api.get('/one'); // the same warm socket as the other
  const started = performance.now();
  await Promise.all(Array.from({ length: 200 }, (_, i) => api.get(`/other/${i}`)));
  const ms = performance.now() - started;
  steady.detach();
  agent.destroy();
  return { ms, pauses };
}

const fresh: number[] = [];
const after: number[] = [];
for (let round = 0; round <= rounds; round++) {
  const order = round % 2 === 0 ? [false, true] : [true, false];
  for (const afterOne429 of order) {
    const { ms, pauses } = await timed(afterOne429);
    if (afterOne429 && pauses.join() !== 'retry-after') throw new Error(`expected one retry-after pause, got ${pauses.join()}`);
    if (round > 0) (afterOne429 ? after : fresh).push(ms); // round 0 warms up
  }
}
server.close();
const ratio = median(after) / median(fresh);
console.log(
  `200 GETs: fresh instance ${median(fresh).toFixed(1)} ms (${Math.min(...fresh).toFixed(1)}–${Math.max(...fresh).toFixed(1)}), ` +
    `after one 429 ${median(after).toFixed(1)} ms (${Math.min(...after).toFixed(1)}–${Math.max(...after).toFixed(1)}): ${ratio.toFixed(3)}×, ${rounds} rounds`,
);
