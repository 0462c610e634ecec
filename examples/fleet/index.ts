// N worker processes collecting one API through one Redis-backed limiter: the API sees one client's load.
// The workers share maxConcurrent, the pause after a 429, and the quota learned from the API's rate-limit
// headers, all through the same Redis.
//   REDIS_PORT=6379 API_URL='http://127.0.0.1:4000/page' npx tsx examples/fleet/index.ts
import { fork } from 'node:child_process';

const WORKERS = 4;
const PAGES = Number(process.env.PAGES ?? 60);
const port = Number(process.env.REDIS_PORT ?? 6379);
const api = process.env.API_URL ?? 'https://api.example.com/items';

// Worker w takes pages w+1, w+1+N, …: together they cover every page once.
const runs = Array.from({ length: WORKERS }, (_, w) => {
  const pages = Array.from({ length: PAGES }, (_, i) => i + 1).filter((p) => p % WORKERS === w % WORKERS);
  const child = fork(new URL('./worker.ts', import.meta.url), [JSON.stringify({ port, api, pages })], { execArgv: ['--import', 'tsx'] });
  return new Promise<number>((resolve, reject) => {
    child.on('message', (m) => resolve((m as { items: number }).items));
    child.on('exit', (code) => reject(new Error(`worker ${w} exited with ${code}`)));
  });
});
const items = (await Promise.all(runs)).reduce((a, b) => a + b, 0);
console.log(`${WORKERS} workers collected ${items} items from ${PAGES} pages`);
