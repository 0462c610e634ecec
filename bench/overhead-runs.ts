// `node --expose-gc --import tsx bench/overhead-runs.ts [runs] [http1|http2]`: P1 (or P7) several times in a row,
// one line per run: each contender's CPU µs per request over bare axios (the headline) and its requests/s ratio.
// Each run is P1's full measurement (40 paired rounds of 2,000 GETs per contender, with the A/A control row).
import { runOverhead } from './overhead.js';

const runs = Number(process.argv[2] ?? 5);
const transport = (process.argv[3] ?? 'http1') as 'http1' | 'http2';
for (let run = 1; run <= runs; run++) {
  const rows = await runOverhead(false, transport);
  console.log(
    `run ${run} (${transport}): ${rows.map((r) => `${r.contender} ${r.cpuOverUs >= 0 ? '+' : ''}${r.cpuOverUs.toFixed(1)} µs ${r.ratio.toFixed(3)}×`).join(', ')}`,
  );
}
