// P9: a fleet of 3 to 200 "processes" on one Redis — each an attach() instance with its own Redis connections
// and a limiter (maxConcurrent 8) shared by id, several hosted per OS process so that 200 fit on this machine —
// collects one rate-limited API whose quota they are not told. What it costs Redis, per request: the commands
// the clients sent (round trips; counted in the clients, not what scripts run inside Redis), Redis' own
// EVALSHA/EVAL counts (INFO commandstats) and its CPU (INFO cpu, user + system), measured from the moment every
// instance is ready (connecting and registering are once per process, not per request) to the last page.
//
// `npx tsx bench/fleet-scale/index.ts [--sizes=3,25,100,200] [--apis=draft7,none,erl-draft7] [--contenders=…]
//  [--lib=path/to/dist/esm/index.js] [--pages=600]`. Needs redis-server and a build (`npm run build`).
import { fork } from 'node:child_process';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/servers/redis.js';
import { startSimProcess } from '../sim-api/index.js';
import { startLimitedProcess } from '../limiters/index.js';
import { complete } from '../contenders.js';
import { bounded } from '../lib/stats.js';
import type { ScaleJob } from './worker.js';

export type ScaleApi = 'draft7' | 'none' | 'erl-draft7';
export const CONTENDERS = ['axios-steady', 'axios-steady, quota: false', 'axios-retry + bottleneck (Redis)'];
const OS_PROCESSES = 4;
const QUOTA = { limit: 60, windowMs: 2000 };

export interface ScaleRow {
  api: ScaleApi;
  size: number;
  contender: string;
  ms: number;
  /** time ÷ the quota's time (pages ÷ the allowed rate). */
  ratio: number;
  requests: number;
  rateLimited: number;
  complete: boolean;
  /** Commands the clients sent, per page. */
  roundTrips: number;
  evalsha: number;
  eval: number;
  /** Redis' CPU (user + system), µs per page. */
  cpuUs: number;
  /** Of which in scripts (INFO commandstats' usec of EVALSHA and EVAL), µs per page. */
  scriptUs: number;
  /** What Redis burns with the same clients connected and nothing asked (measured before the run), µs per page. */
  idleUs: number;
}

interface Worker {
  ready: Promise<void>;
  go: () => void;
  result: Promise<{ bodies: { page: number; ids: number[] }[]; commands: number }>;
  kill: () => void;
}

function runWorker(job: ScaleJob): Worker {
  const child = fork(new URL('./worker.ts', import.meta.url), [JSON.stringify(job)], { execArgv: ['--import', 'tsx'] });
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const result = new Promise<{ bodies: { page: number; ids: number[] }[]; commands: number }>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; bodies?: { page: number; ids: number[] }[]; commands?: number }) =>
      m.ready ? ready() : resolve({ bodies: m.bodies ?? [], commands: m.commands ?? 0 }),
    );
    child.once('exit', (code) => reject(new Error(`P9 worker exited with ${code}`)));
  });
  return { ready: readyP, go: () => child.send('go'), result, kill: () => child.kill('SIGKILL') };
}

/** What Redis counted so far: EVALSHA and EVAL calls, and its CPU in µs. */
async function redisCounters(client: Redis): Promise<{ evalsha: number; eval: number; cpuUs: number; scriptUs: number }> {
  const [commands, cpu] = [await client.info('commandstats'), await client.info('cpu')];
  const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(commands)?.[1] ?? 0);
  const seconds = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  const usec = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=\\d+,usec=(\\d+)`).exec(commands)?.[1] ?? 0);
  return {
    evalsha: calls('evalsha'),
    eval: calls('eval'),
    cpuUs: (seconds('used_cpu_sys') + seconds('used_cpu_user')) * 1e6,
    scriptUs: usec('evalsha') + usec('eval'),
  };
}

export async function fleetScaleRun(api: ScaleApi, size: number, contender: string, pages: number, lib?: string): Promise<ScaleRow> {
  const redis = await startRedis();
  const client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: false });
  const server =
    api === 'erl-draft7'
      ? await startLimitedProcess({ kind: 'erl-draft7', ...QUOTA, items: pages * 10, latencyMs: 20 })
      : await startSimProcess({ items: pages * 10, pageSize: 10, latencyMs: 20, quota: { ...QUOTA, headers: api } });
  // Instance i takes pages i+1, i+1+size, …; instance i lives in OS process i % OS_PROCESSES.
  const all = Array.from({ length: pages }, (_, p) => p + 1);
  const instances = Array.from({ length: size }, (_, i) => all.filter((p) => (p - 1) % size === i));
  const workers = Array.from({ length: Math.min(OS_PROCESSES, size) }, (_, w) =>
    runWorker({
      contender,
      redisPort: redis.port,
      id: `p9-${api}-${size}`,
      apiUrl: server.url,
      instances: instances.filter((_, i) => i % OS_PROCESSES === w),
      maxConcurrent: 8,
      ...(lib && { lib }),
    }),
  );
  const killAll = () => workers.forEach((w) => w.kill());
  const quotaMs = (pages / QUOTA.limit) * QUOTA.windowMs;
  let results: { bodies: { page: number; ids: number[] }[]; commands: number }[] = [];
  let ms = 0;
  let before = { evalsha: 0, eval: 0, cpuUs: 0, scriptUs: 0 };
  let after = before;
  let idlePerMs = 0;
  try {
    await bounded(Promise.all(workers.map((w) => w.ready)), 120_000, `P9 ${api} ${size} ${contender}: ready`, killAll);
    // Redis' own idle cost with every client connected (its timers, the connections): two seconds before the run.
    const idleFrom = await redisCounters(client);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (process.env.P9_SLOWLOG) await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '100000');
    before = await redisCounters(client);
    idlePerMs = (before.cpuUs - idleFrom.cpuUs) / 2000;
    const started = performance.now();
    for (const w of workers) w.go();
    results = await bounded(
      Promise.all(workers.map((w) => w.result)),
      Math.max(180_000, 10 * quotaMs),
      `P9 ${api} ${size} ${contender}`,
      killAll,
    );
    ms = performance.now() - started;
    after = await redisCounters(client);
    if (process.env.P9_SLOWLOG) {
      const log = (await client.call('SLOWLOG', 'GET', '100000')) as [number, number, number, string[]][];
      const groups = new Map<string, number[]>();
      for (const [, , us, args] of log) {
        const key = args[0] === 'EVALSHA' ? `${args[1]?.slice(0, 6)} want=${args[12]} done=${args[16] ?? ''}` : String(args[0]);
        groups.set(key, [...(groups.get(key) ?? []), us]);
      }
      for (const [key, list] of [...groups].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0)).slice(0, 15))
        process.stderr.write(`  ${key}: ${list.length} calls, mean ${(list.reduce((x, y) => x + y, 0) / list.length).toFixed(1)} µs\n`);
    }
    if (process.env.P9_VERBOSE) {
      const lines = (await client.info('commandstats')).split('\n').filter((l) => l.startsWith('cmdstat_'));
      process.stderr.write(lines.map((l) => `  ${l.trim()}`).join('\n') + '\n');
    }
  } catch (error) {
    process.stderr.write(`  ${(error as Error).message}\n`);
  }
  const stats = await server.stats();
  server.close();
  client.disconnect();
  await redis.stop();
  const ids = results
    .flatMap((r) => r.bodies)
    .sort((a, b) => a.page - b.page)
    .flatMap((b) => b.ids);
  const commands = results.reduce((sum, r) => sum + r.commands, 0);
  // The two INFO calls are Redis' work too, and a fraction of a page's worth: left in.
  return {
    api,
    size,
    contender,
    ms,
    ratio: ms / quotaMs,
    requests: stats.requests,
    rateLimited: stats.rateLimited,
    complete: complete(ids, pages * 10),
    roundTrips: commands / pages,
    evalsha: (after.evalsha - before.evalsha) / pages,
    eval: (after.eval - before.eval) / pages,
    cpuUs: (after.cpuUs - before.cpuUs) / pages,
    scriptUs: (after.scriptUs - before.scriptUs) / pages,
    idleUs: (idlePerMs * ms) / pages,
  };
}

export function formatRow(r: ScaleRow): string {
  return `| ${r.api} | ${r.size} | ${r.contender} | ${r.ratio.toFixed(2)} | ${r.rateLimited} | ${r.roundTrips.toFixed(2)} | ${r.evalsha.toFixed(2)} | ${r.eval.toFixed(2)} | ${Math.round(r.cpuUs)} | ${Math.round(r.scriptUs)} | ${Math.round(r.idleUs)} | ${r.complete ? 'yes' : '**no**'} |`;
}

export const HEADER = [
  '| API | processes | contender | time ÷ quota time | 429s | round trips / request | EVALSHA / request | EVAL / request | Redis CPU µs / request | of which scripts | of which idle | complete |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
];

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').slice(-2).join('/'))) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizes = (arg('sizes') ?? '3,25,100,200').split(',').map(Number);
  const apis = (arg('apis') ?? 'draft7,none,erl-draft7').split(',') as ScaleApi[];
  const contenders = arg('contenders')?.split('|') ?? CONTENDERS;
  const pages = Number(arg('pages') ?? 600);
  console.log(HEADER.join('\n'));
  for (const api of apis)
    for (const size of sizes)
      for (const contender of contenders) console.log(formatRow(await fleetScaleRun(api, size, contender, pages, arg('lib'))));
}
