// N worker processes collecting one API through one Redis-backed limiter: the API sees one client's load.
// The API allows 25 requests per 2 s and says so in RateLimit headers; the workers learn that quota and
// share it through the same Redis, so together they stay under it.
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
const sim = await startSimApi({
  items: PAGES * 10,
  pageSize: 10,
  latencyMs: 20,
  quota: { limit: 25, windowMs: 2000, headers: 'draft7' },
});

// Worker w takes pages w+1, w+1+N, …: together they cover every page once.
const runs = Array.from({ length: WORKERS }, (_, w) => {
  const pages = Array.from({ length: PAGES }, (_, i) => i + 1).filter((p) => p % WORKERS === w % WORKERS);
  const child = fork(new URL('./worker.ts', import.meta.url), [JSON.stringify({ port, api: sim.url, pages })], {
    execArgv: ['--import', 'tsx'],
  });
  return new Promise<number>((resolve) => child.on('message', (m) => resolve((m as { items: number }).items)));
});
const items = (await Promise.all(runs)).reduce((a, b) => a + b, 0);
console.log(
  `${WORKERS} workers collected ${items} items in ${sim.stats.requests} requests; the API never saw more than ` +
    `${sim.stats.maxInFlight} at once (limit 3) and answered 429 ${sim.stats.rateLimited} times (quota 25 per 2 s)`,
);
await sim.close();
await redis?.stop();
process.exitCode = items === PAGES * 10 && sim.stats.maxInFlight <= 3 && sim.stats.rateLimited === 0 ? 0 : 1;
