// P1 overhead: 5,000 GETs at concurrency 50 against a local keep-alive server in its own process.
// Contenders run interleaved, several rounds; each ratio is to bare axios in the same run.
import axios, { type AxiosInstance } from 'axios';
import { fork } from 'node:child_process';
import http from 'node:http';
// The built package (npm run build), as users get it; not the TypeScript sources.
import { attach, type SteadyOptions } from 'axios-steady';
import { median, pool } from './lib/stats.js';

export interface OverheadRow {
  contender: string;
  medianRps: number;
  minRps: number;
  maxRps: number;
  ratio: number;
}

const contenders: [string, SteadyOptions | null][] = [
  ['bare axios', null],
  ['attach() defaults', {}],
  ['attach() maxConcurrent 50', { limiter: { maxConcurrent: 50 } }],
  ['attach() quota: false', { quota: false }],
  ['attach() minTime 0 + reservoir (bottleneck path)', { limiter: { maxConcurrent: 50, reservoir: 1e9 } }],
];

/** One of `bench/servers/` in its own process (so its CPU is not this one's). */
export async function startServerProcess(script: string): Promise<{ url: string; stop: () => void }> {
  const child = fork(new URL(`./servers/${script}`, import.meta.url), { stdio: 'inherit' });
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

async function once(api: AxiosInstance, requests: number, concurrency: number): Promise<number> {
  const started = performance.now();
  await pool(requests, concurrency, (i) => api.get(`/item/${i}`));
  return (requests / (performance.now() - started)) * 1000;
}

/**
 * P1 over HTTP/1.1 keep-alive (`http1`); P7 over HTTP/2 (`http2`: axios' `httpVersion: 2`, one session, many
 * streams), where the contenders are bare axios and attach() at defaults and with maxConcurrent 50.
 */
export async function runOverhead(quick: boolean, transport: 'http1' | 'http2' = 'http1'): Promise<OverheadRow[]> {
  const requests = quick ? 1000 : 5000;
  const rounds = quick ? 2 : 7;
  const server = await startServerProcess(transport === 'http2' ? 'tiny-h2-server.mjs' : 'tiny-server.mjs');
  const field = transport === 'http2' ? contenders.slice(0, 3) : contenders;
  const samples = new Map<string, number[]>(field.map(([name]) => [name, []]));
  try {
    for (let round = 0; round <= rounds; round++) {
      // A full GC (node --expose-gc) before each sample keeps one contender's garbage out of the next one's.
      for (const [name, options] of rotated(field, round)) {
        (globalThis as { gc?: () => void }).gc?.();
        const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
        const api =
          transport === 'http2'
            ? axios.create({ baseURL: server.url, httpVersion: 2 } as Parameters<typeof axios.create>[0])
            : axios.create({ baseURL: server.url, httpAgent: agent });
        const steady = options ? attach(api, options) : undefined;
        const rps = await once(api, requests, 50);
        steady?.detach();
        agent.destroy();
        if (round > 0) samples.get(name)?.push(rps); // round 0 warms up the JIT and the sockets
      }
    }
  } finally {
    server.stop();
  }
  const base = median(samples.get('bare axios') ?? []);
  return field.map(([name]) => {
    const s = samples.get(name) ?? [];
    return {
      contender: name,
      medianRps: Math.round(median(s)),
      minRps: Math.round(Math.min(...s)),
      maxRps: Math.round(Math.max(...s)),
      ratio: median(s) / base,
    };
  });
}
