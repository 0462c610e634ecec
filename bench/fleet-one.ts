// `npx tsx bench/fleet-one.ts [none|draft7] [--runs=N]`: P6 alone (3 processes, one Redis-shared limiter),
// without the rest of the bench. Needs redis-server.
import { fleet } from './fleet.js';

const headers = process.argv[2] === 'draft7' ? 'draft7' : 'none';
const scenario = await fleet(false, headers);
for (const row of scenario.rows)
  console.log(
    `${row.contender}: ${Math.round(row.medianMs)} ms (${row.ratio.toFixed(3)}×), ${row.requests} requests, ${row.rateLimited} 429s`,
  );
