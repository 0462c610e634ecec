// `node --expose-gc --import tsx bench/cpu-stub.ts [rounds] [dist B …]`: attach()'s own CPU per request with the
// network taken out (test/cpu-stub.ts: one in-process stub adapter answers every contender) beside bare axios, the
// floor and an A/A control. With no sockets, no server and no syscalls the per-round A/A spread is about ±2 µs on
// the shared machines (the same method with the network reads ±10–40). Extra arguments are other builds'
// index.js (e.g. a worktree of an older commit after `node scripts/build.mjs`), measured side by side with this one.
import { pathToFileURL } from 'node:url';
import { attach } from 'axios-steady';
import { measure, stubContenders, type Attach } from '../test/cpu-stub.js';
import { median } from './lib/stats.js';

const rounds = Number(process.argv[2] ?? 30);
const builds = await Promise.all(
  process.argv.slice(3).map(async (file) => [file, ((await import(pathToFileURL(file).href)) as { attach: Attach }).attach] as const),
);

const field = stubContenders([['attach() defaults (this build)', attach as Attach], ...builds]);
const over = await measure(field, rounds);
console.log(`CPU per request over bare axios, network taken out (${rounds} rounds × 5,000 GETs each, median of per-round differences):`);
for (const [name, s] of over)
  console.log(`  ${name}: ${median(s) >= 0 ? '+' : ''}${median(s).toFixed(2)} µs (rounds ${s.map((x) => x.toFixed(1)).join(' ')})`);
