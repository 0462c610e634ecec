// `npx tsx bench/limiters/one.ts <kind> [runs] [windowMs]`: axios-steady alone against one P2c limiter (to iterate
// on the quota model without the full bench). Same sizes as P2c; the window is 4 s unless given.
import { fork } from 'node:child_process';
import { collectors, complete } from '../contenders.js';
import type { LimiterKind } from '../../test/servers/limiters.js';

const [kind = 'erl-legacy', runs = '1', window = '4000'] = process.argv.slice(2);
const windowMs = Number(window);
const PAGES = 400;
const PHYSICAL_MS = 3 * windowMs; // the 4th window's pages start 3 windows in
for (let run = 0; run < Number(runs); run++) {
  const child = fork(
    new URL('./child.ts', import.meta.url),
    [JSON.stringify({ kind: kind as LimiterKind, limit: 100, windowMs, items: PAGES * 10 })],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));
  const started = performance.now();
  const ids = await collectors['axios-steady'](url, { concurrency: 8, timeoutMs: 10_000, guessedRps: 50 });
  const ms = performance.now() - started;
  const stats = await new Promise<{ requests: number; rateLimited: number }>((resolve) => {
    child.once('message', (m) => resolve((m as { stats: { requests: number; rateLimited: number } }).stats));
    child.send('stats');
  });
  child.disconnect();
  console.log(
    `${kind}: ${(ms / PHYSICAL_MS).toFixed(3)}×, ${stats.requests} requests, ${stats.rateLimited} 429s, complete ${complete(ids, PAGES * 10)}`,
  );
}
