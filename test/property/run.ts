// `npm run property [-- --runs=1000 --seed=N]`: the pagination property over many schedules, outside jest,
// with a tally of how the walks ended. Exit 1 with the shrunk counterexample when the property fails.
import fc from 'fast-check';
import { runSchedule, schedules } from './pagination.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const runs = arg('runs', 1000);
const seed = arg('seed', Date.now() % 2 ** 31);
const ended = new Map<string, number>();
let requests = 0;
let faults = 0;
const started = Date.now();
try {
  await fc.assert(
    fc.asyncProperty(schedules, async (schedule) => {
      const outcome = await runSchedule(schedule);
      ended.set(outcome.ended, (ended.get(outcome.ended) ?? 0) + 1);
      requests += outcome.requests;
      faults += outcome.faults;
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  const tally = [...ended].map(([how, n]) => `${how} ${n}`).join(', ');
  console.log(`${runs} schedules (seed ${seed}) in ${((Date.now() - started) / 1000).toFixed(1)} s: property held.`);
  console.log(`endings: ${tally}; ${requests} requests, ${faults} of them faulted`);
} catch (error) {
  console.error(`property failed (seed ${seed}):\n${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
