// `npx tsx bench/limiters/one.ts <kind> [runs] [windowMs]`: axios-steady alone against one P2c limiter (to iterate
// on the quota model without the full bench). Same sizes as P2c; the window is 4 s unless given.
import { collectors, complete } from '../contenders.js';
import type { LimiterKind } from '../../test/servers/limiters.js';
import { LIMIT, PAGES, physicalMs, startLimitedProcess } from './index.js';

const [kind = 'erl-legacy', runs = '1', window = '4000'] = process.argv.slice(2);
const windowMs = Number(window);
const limitMs = physicalMs(PAGES, LIMIT, windowMs);
for (let run = 0; run < Number(runs); run++) {
  const api = await startLimitedProcess({ kind: kind as LimiterKind, limit: LIMIT, windowMs, items: PAGES * 10 });
  const started = performance.now();
  const ids = await collectors['axios-steady'](api.url, { concurrency: 8, timeoutMs: 10_000, guessedRps: 50 });
  const ms = performance.now() - started;
  const stats = await api.stats();
  api.close();
  console.log(
    `${kind}: ${(ms / limitMs).toFixed(3)}×, ${stats.requests} requests, ${stats.rateLimited} 429s, complete ${complete(ids, PAGES * 10)}`,
  );
}
