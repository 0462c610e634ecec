// `npx tsx bench/fleet-one.ts [none|draft7|erl-draft7|flexible] [--runs=N]`: one P6 scenario alone (3 processes,
// one Redis-shared limiter), without the rest of the bench. Needs redis-server.
import { fleet, type FleetApi } from './fleet.js';

const which = (['draft7', 'erl-draft7', 'flexible'].includes(process.argv[2] ?? '') ? process.argv[2] : 'none') as FleetApi;
const scenario = await fleet(false, which);
for (const row of scenario.rows)
  console.log(
    `${row.contender}: ${Math.round(row.medianMs)} ms (${row.ratio.toFixed(3)}×), ${row.requests} requests, ${row.rateLimited} 429s`,
  );
