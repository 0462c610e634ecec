// P9: a fleet of 3 to 200 "processes" on one Redis — each an attach() instance with its own Redis connections
// and a limiter (maxConcurrent 8) shared by id, several hosted per OS process so that 200 fit on this machine —
// collects one rate-limited API whose quota they are not told. What it costs Redis, per request: the commands
// the clients sent (round trips; counted in the clients, not what scripts run inside Redis), Redis' own
// EVALSHA/EVAL counts (INFO commandstats) and its CPU (INFO cpu, user + system), measured from the moment every
// instance is ready (connecting and registering are once per process, not per request) to the last page. Beside
// them, measured before each run on the same Redis: what it burns idle, and what one call of a trivial script costs
// it at the run's pace; idle + round trips × that is what the same round trips would cost with scripts that did
// nothing — the part no ledger's scripts can take away on this machine.
//
// `npx tsx bench/fleet-scale/index.ts [--sizes=3,25,100,200] [--apis=draft7,none,erl-draft7] [--contenders=…]
//  [--lib=path/to/dist/esm/index.js] [--pages=600] [--limit=60] [--no-pin] [--fault=kill|restart|flush]`: by
// default Redis runs on core 0 and the rest on the others (see pinApart); the API allows `limit` per 2 s. Needs
// redis-server and a build (`npm run build`).
import { execFileSync, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/servers/redis.js';
import { startSimProcess } from '../sim-api/index.js';
import { startLimitedProcess } from '../limiters/index.js';
import { complete } from '../contenders.js';
import { bounded } from '../lib/stats.js';
import type { ScaleJob } from './worker.js';
import { SCRIPTS } from '../../src/fleet/scripts.generated.js';

export type ScaleApi = 'draft7' | 'none' | 'erl-draft7';
/** A fault mid-run (at 40 % of the quota time): a quarter of the processes SIGKILLed, Redis restarted, FLUSHALL. */
export type ScaleFault = 'kill' | 'restart' | 'flush';
export const CONTENDERS = ['axios-steady', 'axios-steady, quota: false', 'axios-retry + bottleneck (Redis)'];
const OS_PROCESSES = 4;
/** The API's quota: 60 per 2 s unless `--limit=` says how many per 2 s. */
const WINDOW_MS = 2000;
/** Calls of the trivial script measured at the run's pace before each run (about 7 s at 30 a second). */
const PACED_CALLS = 200;

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
  /** What one PING round trip costs this Redis, µs: 2,000 back to back, measured beside (warm: the least it costs). */
  pingUs: number;
  /**
   * What one call of a trivial script (`TIME`) costs this Redis, µs, at the run's pace (the quota's rate, one call
   * at a time): the least any ledger pays per round trip here. Redis sleeps between calls, and each wakes it cold.
   */
  pacedUs: number;
  fault?: ScaleFault | undefined;
  /** Pages the surviving processes were to fetch (all of them unless `kill`). */
  expected: number;
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

/**
 * Redis on a core of its own, everything else (this process, the workers and the API it forks) on the others: as
 * a fleet's Redis runs on its own machine. Shared with 200 clients on two cores, Redis' CPU time per command grows
 * 3–5× (preempted mid-command, caches cold): that measures the machine, not the protocol. Linux only (taskset).
 */
function pinApart(redisPid: number): boolean {
  const cores = availableParallelism();
  if (cores < 2 || process.platform !== 'linux') return false;
  try {
    execFileSync('taskset', ['-pc', `1-${cores - 1}`, String(process.pid)], { stdio: 'ignore' });
    execFileSync('taskset', ['-apc', '0', String(redisPid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Redis' CPU per call of a trivial script with every client connected, one at a time at `perSecond` (the run's
 * pace), the idle cost taken out.
 */
async function pacedCost(client: Redis, idlePerMs: number, perSecond: number, calls: number): Promise<number> {
  const script = "return redis.call('TIME')";
  const sha = String(await client.script('LOAD', script));
  const from = await redisCounters(client);
  const started = performance.now();
  for (let i = 1; i <= calls; i++) {
    await client.evalsha(sha, 0);
    const wait = started + (i * 1000) / perSecond - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const to = await redisCounters(client);
  return Math.max(0, to.cpuUs - from.cpuUs - idlePerMs * (performance.now() - started)) / calls;
}

/**
 * A ledger script call as SLOWLOG keeps it (the command, the SHA, 4, the four keys, ARGV; past 32 arguments the
 * rest as '... (n more arguments)'): which script, how many grants it asked for (ARGV[7]) and answers it carried.
 */
function slowlogScript(args: string[]): string {
  const name = Object.entries(SCRIPTS).find(([, s]) => s.sha === args[1])?.[0] ?? String(args[1]).slice(0, 6);
  const more = /^\.\.\. \((\d+) more arguments\)$/.exec(args.at(-1) ?? '');
  const argv = args.length - 7 + (more ? Number(more[1]) - 1 : 0);
  return `${name} want=${args[13] ?? ''} answers=${Math.max(0, Math.floor((argv - 12) / 4))}`;
}

/** Redis' CPU per PING round trip with every client connected: 2,000 sequential PINGs, the idle cost taken out. */
async function pingCost(client: Redis, idlePerMs: number): Promise<number> {
  const from = await redisCounters(client);
  const started = performance.now();
  for (let i = 0; i < 2000; i++) await client.ping();
  const to = await redisCounters(client);
  return Math.max(0, to.cpuUs - from.cpuUs - idlePerMs * (performance.now() - started)) / 2000;
}

export interface ScaleOptions {
  readonly pages: number;
  /** The API's limit per 2 s window. */
  readonly limit: number;
  readonly lib?: string | undefined;
  readonly pin: boolean;
  readonly fault?: ScaleFault | undefined;
}

/**
 * `P9_LEDGER=1`: the learned quota's fields of the fleet's ledger, printed whenever they change (polled every 50 ms;
 * times in ms since the run started), to read what the ledger believed when 429s came.
 */
function watchLedger(client: Redis, key: string, started: number, over: () => boolean): void {
  const fields = ['lim', 'conf', 'wst', 'wms', 'used', 'ok', 'wv', 'probe', 'pend', 'rolls', 'tok', 'rtt', 'gap', 'wid'];
  let last = '';
  const poll = async (): Promise<void> => {
    while (!over()) {
      const values = await client.hmget(key, ...fields);
      const since = Math.round(performance.now() - started);
      const [seconds, micros] = await client.time();
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const line = fields
        .map((f, i) => {
          const v = values[i];
          if (v === null) return '';
          // Redis times as ms relative to now (negative: past).
          return `${f}=${f === 'wst' || f === 'pend' ? Math.round(Number(v) - now) : v}`;
        })
        .filter(Boolean)
        .join(' ');
      const stable = line.replace(/(wst|pend)=-?\d+/g, '');
      if (stable !== last) process.stderr.write(`  ledger @${since}: ${line}\n`);
      last = stable;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  void poll().catch(() => undefined);
}

export async function fleetScaleRun(api: ScaleApi, size: number, contender: string, options: ScaleOptions): Promise<ScaleRow> {
  const { pages, lib, pin, fault } = options;
  const quota = { limit: options.limit, windowMs: WINDOW_MS };
  const redis = await startRedis();
  const client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: false });
  const pinRedis = async () => pin && pinApart(Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]));
  await pinRedis();
  const server =
    api === 'erl-draft7'
      ? await startLimitedProcess({ kind: 'erl-draft7', ...quota, items: pages * 10, latencyMs: 20 })
      : await startSimProcess({ items: pages * 10, pageSize: 10, latencyMs: 20, quota: { ...quota, headers: api } });
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
  const quotaMs = (pages / quota.limit) * quota.windowMs;
  // `kill` ends the first OS process: its instances (a quarter of the fleet) and their pages.
  const survivors = fault === 'kill' ? workers.slice(1) : workers;
  const expectedPages = fault === 'kill' ? instances.filter((_, i) => i % OS_PROCESSES !== 0).flat() : all;
  let results: { bodies: { page: number; ids: number[] }[]; commands: number }[] = [];
  let ms = 0;
  let before = { evalsha: 0, eval: 0, cpuUs: 0, scriptUs: 0 };
  let after = before;
  /** What the Redis that a restart replaced had counted (its counters start again at 0). */
  let replaced = before;
  let idlePerMs = 0;
  let pingUs = 0;
  let pacedUs = 0;
  try {
    await bounded(Promise.all(workers.map((w) => w.ready)), 120_000, `P9 ${api} ${size} ${contender}: ready`, killAll);
    // Redis' own idle cost with every client connected (its timers, the connections): two seconds before the run.
    const idleFrom = await redisCounters(client);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (process.env.P9_SLOWLOG) await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0', 'slowlog-max-len', '100000');
    before = await redisCounters(client);
    idlePerMs = (before.cpuUs - idleFrom.cpuUs) / 2000;
    pingUs = await pingCost(client, idlePerMs);
    pacedUs = await pacedCost(client, idlePerMs, (1000 * quota.limit) / quota.windowMs, PACED_CALLS);
    before = await redisCounters(client);
    const started = performance.now();
    for (const w of workers) w.go();
    if (process.env.P9_LEDGER) watchLedger(client, `axios-steady:{p9-${api}-${size}}:fleet`, started, () => ms > 0);
    const faulted =
      fault &&
      new Promise<void>((resolve) => setTimeout(resolve, 0.4 * quotaMs)).then(async () => {
        if (fault === 'kill') workers[0]?.kill();
        else if (fault === 'flush') await client.flushall();
        else {
          replaced = await redisCounters(client);
          await redis.restart();
          await pinRedis();
        }
      });
    workers[0]?.result.catch(() => undefined); // the killed one's
    results = await bounded(
      Promise.all([...survivors.map((w) => w.result), faulted]).then((r) => r.slice(0, survivors.length) as typeof results),
      Math.max(180_000, 10 * quotaMs),
      `P9 ${api} ${size} ${contender}`,
      killAll,
    );
    ms = performance.now() - started;
    after = await redisCounters(client);
    if (fault === 'restart') {
      const now = after;
      after = {
        evalsha: replaced.evalsha + now.evalsha,
        eval: replaced.eval + now.eval,
        cpuUs: replaced.cpuUs + now.cpuUs,
        scriptUs: replaced.scriptUs + now.scriptUs,
      };
    }
    if (process.env.P9_SLOWLOG) {
      const log = (await client.call('SLOWLOG', 'GET', '100000')) as [number, number, number, string[]][];
      const groups = new Map<string, number[]>();
      for (const [, , us, args] of log) {
        const key = /^evalsha$/i.test(String(args[0])) ? slowlogScript(args) : String(args[0]).toUpperCase();
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
  if (process.env.P9_ARRIVALS && 'arrivals' in stats) {
    // Requests the API saw per second of the run (a stall shows as a gap).
    const arrivals = (stats as { arrivals: number[] }).arrivals;
    const from = arrivals[0] ?? 0;
    const perSecond = new Map<number, number>();
    for (const t of arrivals) perSecond.set(Math.floor((t - from) / 1000), (perSecond.get(Math.floor((t - from) / 1000)) ?? 0) + 1);
    process.stderr.write(`  arrivals/s: ${[...perSecond].map(([s, n]) => `${s}:${n}`).join(' ')}\n`);
    const limited = (stats as { limitedAt?: number[] }).limitedAt ?? [];
    process.stderr.write(`  429s at ms: ${limited.map((t) => t - from).join(' ')}\n`);
    // express-rate-limit starts a window at the first request after the last one ended: how late each began.
    const late: number[] = [];
    let start = from;
    for (const t of arrivals) {
      if (t < start + WINDOW_MS) continue;
      late.push(t - start - WINDOW_MS);
      start = t;
    }
    if (api === 'erl-draft7') process.stderr.write(`  windows began late by ms: ${late.join(' ')}\n`);
  }
  server.close();
  client.disconnect();
  await redis.stop();
  const ids = results
    .flatMap((r) => r.bodies)
    .sort((a, b) => a.page - b.page)
    .flatMap((b) => b.ids);
  const expectedIds = [...expectedPages].sort((a, b) => a - b).flatMap((p) => Array.from({ length: 10 }, (_, k) => (p - 1) * 10 + k));
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
    complete:
      fault === 'kill' ? ids.length === expectedIds.length && ids.every((id, i) => id === expectedIds[i]) : complete(ids, pages * 10),
    roundTrips: commands / pages,
    evalsha: (after.evalsha - before.evalsha) / pages,
    eval: (after.eval - before.eval) / pages,
    cpuUs: (after.cpuUs - before.cpuUs) / pages,
    scriptUs: (after.scriptUs - before.scriptUs) / pages,
    idleUs: (idlePerMs * ms) / pages,
    pingUs,
    pacedUs,
    fault,
    expected: expectedPages.length,
  };
}

export function formatRow(r: ScaleRow): string {
  const who = r.fault
    ? `${r.contender} — ${r.fault === 'kill' ? `kill -9 of ¼ (${r.expected} pages left to fetch)` : r.fault === 'restart' ? 'Redis restarted' : 'FLUSHALL'}`
    : r.contender;
  return `| ${r.api} | ${r.size} | ${who} | ${r.ratio.toFixed(2)} | ${r.rateLimited} | ${r.roundTrips.toFixed(2)} | ${r.evalsha.toFixed(2)} | ${r.eval.toFixed(2)} | ${Math.round(r.cpuUs)} | ${Math.round(r.scriptUs)} | ${Math.round(r.idleUs)} | ${Math.round(r.cpuUs - r.idleUs)} | ${Math.round(r.pingUs)} | ${Math.round(r.pacedUs)} | ${Math.round(r.idleUs + r.roundTrips * r.pacedUs)} | ${r.complete ? 'yes' : '**no**'} |`;
}

export const HEADER = [
  '| API | processes | contender | time ÷ quota time | 429s | round trips / request | EVALSHA / request | EVAL / request | Redis CPU µs / request | of which scripts | of which idle | beyond idle | one PING µs | one trivial script call at the run’s pace µs | idle + round trips × that, µs / request | complete |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
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
      for (const contender of contenders)
        console.log(
          formatRow(
            await fleetScaleRun(api, size, contender, {
              pages,
              limit: Number(arg('limit') ?? 60),
              lib: arg('lib'),
              pin: !process.argv.includes('--no-pin'),
              fault: arg('fault') as ScaleFault | undefined,
            }),
          ),
        );
}
