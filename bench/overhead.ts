// P1 overhead: GETs at concurrency 50 against a local keep-alive server in its own process; 24 paired rounds
// of 2,000 per contender (how and why: runOverhead). Each ratio is to bare axios in the same round.
import axios, { type AxiosInstance } from 'axios';
import axiosRetry from 'axios-retry';
import { fork, spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
// The built package (npm run build), as users get it; not the TypeScript sources.
import { attach, type SteadyOptions } from 'axios-steady';
import { median, pool } from './lib/stats.js';

export interface OverheadRow {
  contender: string;
  medianRps: number;
  minRps: number;
  maxRps: number;
  ratio: number;
  /** CPU µs per request over bare axios: the median of the per-round differences, and those differences. */
  cpuOverUs: number;
  cpuRounds: number[];
}

/** How a contender is set up: attach() with these options, bare axios (null), or another plugin. */
type Setup = SteadyOptions | null | ((api: AxiosInstance) => void);

/**
 * What any plugin of this shape pays, for scale: a synchronous request interceptor that does nothing,
 * and the same interceptor putting a per-request adapter around the one the request would use — attach()'s
 * mechanism with nothing inside. attach() cannot cost less than the second.
 */
function noopInterceptor(api: AxiosInstance): void {
  api.interceptors.request.use((config) => config, undefined, { synchronous: true });
}
function wrappingInterceptor(api: AxiosInstance): void {
  api.interceptors.request.use(
    (config) => {
      const inner = axios.getAdapter(config.adapter ?? api.defaults.adapter, config);
      config.adapter = (c) => inner(c);
      return config;
    },
    undefined,
    { synchronous: true },
  );
}

const contenders: [string, Setup][] = [
  ['bare axios', null],
  ['attach() defaults', {}],
  ['attach() maxConcurrent 50', { limiter: { maxConcurrent: 50 } }],
  ['attach() quota: false', { quota: false }],
  ['attach() minTime 0 + reservoir (bottleneck path)', { limiter: { maxConcurrent: 50, reservoir: 1e9 } }],
];
/** P1's and P7's reference rows: the most used axios plugin at its defaults, and the two floors above. */
const references: [string, Setup][] = [
  ['axios-retry defaults (peer)', (api) => void axiosRetry(api)],
  ['floor: a no-op interceptor', noopInterceptor],
  ['floor: interceptor + per-request adapter', wrappingInterceptor],
];

/** One of `bench/servers/` in its own process (so its CPU is not this one's). */
export async function startServerProcess(script: string): Promise<{ url: string; stop: () => void }> {
  // BENCH_SERVER_CPU=1 pins the server to that core (run the bench itself under `taskset -c 0`): the client's CPU
  // time then does not share a core with the server's.
  const pin = process.env.BENCH_SERVER_CPU;
  const file = fileURLToPath(new URL(`./servers/${script}`, import.meta.url));
  const child = pin
    ? spawn('taskset', ['-c', pin, process.execPath, file], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] })
    : fork(file, { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/**
 * `list` as round `round` runs it: the order rotates each round, so no contender always runs right after
 * another's garbage or a warm socket pool.
 */
export function rotated<T>(list: readonly T[], round: number): T[] {
  return list.map((_, i) => list[(i + round) % list.length] as T);
}

/** The control row: a second bare axios, measured like the others. Its ratio is the estimator's own noise. */
export const CONTROL = 'bare axios again (A/A control)';

/** One contender of P1 or P7: its own axios instance (and socket pool) for the whole run. */
export interface Contender {
  name: string;
  api: AxiosInstance;
  close: () => void;
}

export function makeContender(name: string, setup: Setup, url: string, transport: 'http1' | 'http2'): Contender {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const api =
    transport === 'http2'
      ? axios.create({ baseURL: url, httpVersion: 2 } as Parameters<typeof axios.create>[0])
      : axios.create({ baseURL: url, httpAgent: agent });
  if (typeof setup === 'function') setup(api);
  const steady = setup && typeof setup === 'object' ? attach(api, setup) : undefined;
  return {
    name,
    api,
    close: () => {
      steady?.detach();
      agent.destroy();
    },
  };
}

/**
 * P1 over HTTP/1.1 keep-alive (`http1`); P7 over HTTP/2 (`http2`: axios' `httpVersion: 2`, one session, many
 * streams), where the contenders are bare axios and attach() at defaults and with maxConcurrent 50; both with
 * the reference rows.
 *
 * How it estimates, and why: each contender is one instance for the whole run (an app attaches once), so no
 * sample pays a new socket pool or a cold instance. A run is many rounds; within a round the contenders take
 * turns in short slices (SLICE GETs at concurrency 50, in an order that rotates), so each sees the same drift of
 * this shared machine, and each round gives every contender its requests/s and its **CPU time per request** (this
 * process' user + system time, `process.cpuUsage`), both paired with bare axios in that round. The results are
 * the medians of those paired figures: the ratio of requests/s, and CPU µs over bare axios — the headline, since
 * CPU time does not move with what else the machine runs the way wall time does. The A/A control row (a second
 * bare axios) shows what the method reads when there is no difference at all; a run whose A/A reads more than
 * ±2 µs does not count.
 */
export async function runOverhead(quick: boolean, transport: 'http1' | 'http2' = 'http1'): Promise<OverheadRow[]> {
  const { requests, rounds } = overheadSize(quick);
  const server = await startServerProcess(transport === 'http2' ? 'tiny-h2-server.mjs' : 'tiny-server.mjs');
  const field: [string, Setup][] = [...(transport === 'http2' ? contenders.slice(0, 3) : contenders), ...references, [CONTROL, null]];
  const instances = field.map(([name, options]) => makeContender(name, options, server.url, transport));
  const rps = new Map<string, number[]>(field.map(([name]) => [name, []]));
  const ratios = new Map<string, number[]>(field.map(([name]) => [name, []]));
  const cpu = new Map<string, number[]>(field.map(([name]) => [name, []]));
  try {
    for (let round = 0; round <= rounds; round++) {
      const wall = new Map<string, number>(field.map(([name]) => [name, 0]));
      const used = new Map<string, number>(field.map(([name]) => [name, 0]));
      for (let slice = 0; slice * SLICE < requests; slice++)
        for (const { name, api } of rotated(instances, round + slice)) {
          const started = performance.now();
          const before = process.cpuUsage();
          await pool(SLICE, 50, (i) => api.get(`/item/${i}`));
          const spent = process.cpuUsage(before);
          wall.set(name, (wall.get(name) as number) + performance.now() - started);
          used.set(name, (used.get(name) as number) + spent.user + spent.system);
        }
      // A full GC (node --expose-gc) between rounds keeps one round's garbage out of the next one's.
      (globalThis as { gc?: () => void }).gc?.();
      if (round === 0) continue; // round 0 warms up the JIT and the sockets
      const sent = Math.ceil(requests / SLICE) * SLICE;
      const baseRps = (sent / (wall.get('bare axios') as number)) * 1000;
      const baseCpu = (used.get('bare axios') as number) / sent;
      for (const [name] of field) {
        const value = (sent / (wall.get(name) as number)) * 1000;
        rps.get(name)?.push(value);
        ratios.get(name)?.push(value / baseRps);
        cpu.get(name)?.push((used.get(name) as number) / sent - baseCpu);
      }
    }
  } finally {
    for (const c of instances) c.close();
    server.stop();
  }
  return field.map(([name]) => {
    const s = rps.get(name) ?? [];
    const over = cpu.get(name) ?? [];
    return {
      contender: name,
      medianRps: Math.round(median(s)),
      minRps: Math.round(Math.min(...s)),
      maxRps: Math.round(Math.max(...s)),
      ratio: median(ratios.get(name) ?? []),
      cpuOverUs: median(over),
      cpuRounds: over,
    };
  });
}

/** GETs per contender per round, and rounds, of P1 and P7 (`OVERHEAD_ROUNDS` overrides the rounds: more rounds, a tighter median). */
export const overheadSize = (quick: boolean) => ({
  requests: quick ? 500 : 2000,
  rounds: Number(process.env.OVERHEAD_ROUNDS) || (quick ? 6 : 40),
});
/** GETs per slice: short, so the contenders of a round take turns many times. */
const SLICE = 250;
