// N worker processes collecting one API through one Redis-backed limiter: the API sees one client's load.
// Needs a redis-server; run: npx tsx examples/fleet/index.ts [redis-port] (starts one on a free port if
// none is given and redis-server is installed).
import { fork } from 'node:child_process';
import { startRedis } from '../../test/servers/redis.js';
import { startSimApi } from '../../test/servers/sim-api.js';

const WORKERS = 4;
const PAGES = 60;
const given = Number(process.argv[2]);
const redis = given ? undefined : await startRedis();
const port = given || (redis?.port as number);
const sim = await startSimApi({ items: PAGES * 10, pageSize: 10, latencyMs: 20 });

// Worker w takes pages w+1, w+1+N, …: together they cover every page once.
const runs = Array.from({ length: WORKERS }, (_, w) => {
  const pages = Array.from({ length: PAGES }, (_, i) => i + 1).filter((p) => p % WORKERS === w % WORKERS);
  const child = fork(new URL('./worker.ts', import.meta.url), [JSON.stringify({ port, api: sim.url, pages })], {
    execArgv: ['--import', 'tsx'],
  });
  return new Promise<number>((resolve) => child.on('message', (m) => resolve((m as { items: number }).items)));
});
const items = (await Promise.all(runs)).reduce((a, b) => a + b, 0);
console.log(`${WORKERS} workers collected ${items} items; the API never saw more than ${sim.stats.maxInFlight} requests at once (limit 3)`);
await sim.close();
await redis?.stop();
process.exitCode = items === PAGES * 10 && sim.stats.maxInFlight <= 3 ? 0 : 1;
