// `node --import tsx bench/profile-per-request.ts [rounds] [http1|http2]`: where P1's overhead goes, per request.
// The same persistent contenders and rotating rounds as P1 (bare axios, attach() at defaults, the A/A control),
// with V8's sampling profiler on for each round: every sample's time goes to the contender of its round and to a
// category (this package, axios, Node's internals, GC, microtasks, other native code), in µs of the main thread
// per request. A difference between the two bare rows is the method's noise; attach()'s row minus theirs is what
// it costs, and where. Unlike cpu-per-request.ts this tells our own functions from the extra time they cause in
// axios and Node; unlike perf it needs no root and names JavaScript functions.
import { Session } from 'node:inspector/promises';
import type { Profiler, Runtime } from 'node:inspector';
import { pool } from './lib/stats.js';
import { CONTROL, makeContender, rotated, startServerProcess } from './overhead.js';

const rounds = Number(process.argv[2] ?? 30);
const transport = process.argv[3] === 'http2' ? 'http2' : 'http1';
const requests = 2000;
const BARE = 'bare axios';
const ATTACHED = 'attach() defaults';

/** The category of a sampled frame: by script URL, or by name for V8's own entries. */
function category(frame: Runtime.CallFrame): string {
  const { url, functionName } = frame;
  if (/[\\/]dist[\\/](esm|cjs)[\\/]/.test(url)) return 'axios-steady';
  if (/node_modules[\\/]axios[\\/]/.test(url)) return 'axios';
  if (url.startsWith('node:')) return 'Node internals';
  if (url !== '') return 'other JavaScript';
  if (functionName === '(garbage collector)' || functionName === 'runMicrotasks' || functionName === '(idle)') return functionName;
  return 'other native';
}

/** Adds one round's profile to `byCategory` and `byFunction` (µs, summed). The first sample's delta is the profiler starting. */
function tally(profile: Profiler.Profile, byCategory: Map<string, number>, byFunction: Map<string, number>): void {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 1; i < samples.length; i++) {
    const frame = frames.get(samples[i]);
    if (!frame) continue;
    const group = category(frame);
    byCategory.set(group, (byCategory.get(group) ?? 0) + deltas[i]);
    const name = `${group}: ${frame.functionName || '(anonymous)'} ${frame.url.split(/[\\/]/).pop() ?? ''}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + deltas[i]);
  }
}

const server = await startServerProcess(transport === 'http2' ? 'tiny-h2-server.mjs' : 'tiny-server.mjs');
const field = [
  makeContender(BARE, null, server.url, transport),
  makeContender(ATTACHED, {}, server.url, transport),
  makeContender(CONTROL, null, server.url, transport),
];
const byCategory = new Map(field.map(({ name }) => [name, new Map<string, number>()]));
const byFunction = new Map(field.map(({ name }) => [name, new Map<string, number>()]));
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
try {
  for (let round = 0; round <= rounds; round++) {
    for (const { name, api } of rotated(field, round)) {
      if (round > 0) await session.post('Profiler.start'); // round 0 warms up the JIT and the sockets
      await pool(requests, 50, (i) => api.get(`/item/${i}`));
      if (round === 0) continue;
      const { profile } = await session.post('Profiler.stop');
      tally(profile, byCategory.get(name) as Map<string, number>, byFunction.get(name) as Map<string, number>);
    }
  }
} finally {
  session.disconnect();
  for (const c of field) c.close();
  server.stop();
}

const perRequest = (total: number) => total / (rounds * requests);
const bare = (map: Map<string, Map<string, number>>, key: string) =>
  (perRequest(map.get(BARE)?.get(key) ?? 0) + perRequest(map.get(CONTROL)?.get(key) ?? 0)) / 2;
const groups = [...(byCategory.get(BARE)?.keys() ?? []), 'axios-steady'].filter((g, i, all) => all.indexOf(g) === i);
const total = (name: string) => [...(byCategory.get(name)?.entries() ?? [])].filter(([g]) => g !== '(idle)').reduce((s, [, v]) => s + v, 0);
console.log(`${transport}, ${rounds} rounds × ${requests} GETs per contender; µs of the main thread per request`);
console.log(
  ['category'.padEnd(20), ...['bare', 'attach()', 'A/A control'].map((label) => label.padStart(12)), 'attach() − bare'.padStart(17)].join(
    '',
  ),
);
for (const group of [...groups, 'busy (all but idle)']) {
  const value = (name: string) => (group.startsWith('busy') ? perRequest(total(name)) : perRequest(byCategory.get(name)?.get(group) ?? 0));
  const cells = field.map(({ name }) => value(name).toFixed(1).padStart(12));
  const delta = value(ATTACHED) - (value(BARE) + value(CONTROL)) / 2;
  console.log([group.padEnd(20), ...cells, `${delta >= 0 ? '+' : ''}${delta.toFixed(1)}`.padStart(17)].join(''));
}
const attached = byFunction.get(ATTACHED) ?? new Map<string, number>();
const increases = [...attached.keys()]
  .map((fn) => [fn, perRequest(attached.get(fn) ?? 0) - bare(byFunction, fn)] as const)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 20);
console.log('\nlargest increases under attach(), µs per request:');
for (const [fn, delta] of increases) console.log(`  +${delta.toFixed(2)}  ${fn}`);
