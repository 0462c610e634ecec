// P8 outages: a collection of 2,000 items (20 a page, concurrency 4, a 2 s timeout) through an API that goes
// down after page 30 for 30 s, three ways (503 without Retry-After, connection refused, a black hole): does it
// complete, with every item once; how many requests reach the API while it is down; how soon after the API is
// back does the collection go on. Beside it: the same with the health gate off (what 0.1.0 did), the command
// line at its defaults (and a 5-minute outage for it), a fleet of three on one Redis-backed limiter, the fail-fast
// latency of a service's requests while the API is down, and a flaky-but-alive API (P3's faults), which must
// never trip the gate.
import { spawn, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { attach, collect, pageNumber, type SteadyOptions } from 'axios-steady';
import { bounded, pool } from '../lib/stats.js';
import type { Scenario } from '../report.js';
import { startSimProcess } from '../sim-api/index.js';
import { startRedis } from '../../test/servers/redis.js';
import type { OutageKind, OutageOptions, OutageStats } from './server.js';

type Log = (text: string) => void;
const strategy = pageNumber({ totalPages: (r) => r.data.total_pages });
const ITEMS = 2000;
const complete = (ids: number[], n: number) => ids.length === n && ids.every((id, i) => id === i);
const s = (ms: number) => (ms / 1000).toFixed(1);

async function startOutage(options: OutageOptions) {
  const child = fork(new URL('./server.ts', import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve) => child.once('message', (m) => resolve((m as { url: string }).url)));
  return {
    url,
    stats: () =>
      new Promise<OutageStats>((resolve) => {
        child.once('message', (m) => resolve((m as { stats: OutageStats }).stats));
        child.send('stats');
      }),
    close: () => child.disconnect(),
  };
}

interface Result {
  complete: boolean;
  ms: number;
  stats: OutageStats;
  note: string;
}

/** One collection in this process through attach(`options`). */
async function library(url: string, options: SteadyOptions): Promise<{ ids: number[]; note: string }> {
  const api = axios.create({ baseURL: url, timeout: 2000 });
  const steady = attach(api, options);
  try {
    const items = await collect<{ id: number }>(api, '/items', { strategy, concurrency: 4 });
    return { ids: items.map((i) => i.id), note: `${steady.stats().outages} outage(s)` };
  } catch (error) {
    return { ids: [], note: (error as Error).message.slice(0, 90) };
  } finally {
    steady.detach();
  }
}

/** The same collection with the command line at its defaults. */
async function command(url: string): Promise<{ ids: number[]; note: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'p8-'));
  const out = path.join(dir, 'items.jsonl');
  try {
    const main = new URL('../../dist/esm/cli/main.js', import.meta.url).pathname;
    const child = spawn(process.execPath, [
      main,
      'collect',
      `${url}/items`,
      '--out',
      out,
      '--concurrency',
      '4',
      '--timeout',
      '2000',
      '--quiet',
    ]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const ids =
      code === 0
        ? readFileSync(out, 'utf8')
            .trim()
            .split('\n')
            .map((l) => (JSON.parse(l) as { id: number }).id)
        : [];
    return { ids, note: `exit ${code}${code === 0 ? '' : `: ${stderr.trim().slice(0, 80)}`}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function once(kind: OutageKind, outageMs: number, run: (url: string) => Promise<{ ids: number[]; note: string }>): Promise<Result> {
  const api = await startOutage({ items: ITEMS, pageSize: 20, latencyMs: 10, kind, afterPages: 30, outageMs });
  const started = Date.now();
  const { ids, note } = await bounded(run(api.url), outageMs + 600_000, `P8 ${kind}`).catch((error: unknown) => ({
    ids: [] as number[],
    note: (error as Error).message,
  }));
  const ms = Date.now() - started;
  const stats = await api.stats();
  api.close();
  return { complete: complete(ids, ITEMS), ms, stats, note };
}

const row = (who: string, kind: string, outageMs: number, r: Result): string[] => [
  who,
  kind,
  s(outageMs),
  r.complete ? 'yes' : '**no**',
  s(r.ms),
  String(r.stats.duringOutage),
  r.stats.firstAfter ? s(r.stats.firstAfter - r.stats.upAt) : '—',
  r.note,
];

export async function outages(quick: boolean, log: Log): Promise<Scenario[]> {
  const outageMs = quick ? 4000 : 30_000;
  const rows: string[][] = [];
  const contenders: [string, (url: string) => Promise<{ ids: number[]; note: string }>][] = [
    ['collect(), attach() defaults', (url) => library(url, {})],
    ['collect(), health: false (before)', (url) => library(url, { health: false })],
    ['the command line, defaults', command],
  ];
  for (const kind of ['503', 'refused', 'hole'] as const)
    for (const [who, run] of contenders) {
      const r = await once(kind, outageMs, run);
      log(`  P8 ${kind} ${who}: complete ${r.complete}, ${s(r.ms)} s, ${r.stats.duringOutage} requests while down, ${r.note}`);
      rows.push(row(who, kind, outageMs, r));
    }
  if (!quick) {
    const r = await once('503', 300_000, command);
    log(`  P8 503 5 min, the command line: complete ${r.complete}, ${r.stats.duringOutage} requests while down`);
    rows.push(row('the command line, defaults', '503', 300_000, r));
  }
  rows.push(...(await fleet(outageMs, log)));
  const scenarios: Scenario[] = [
    {
      name: `P8 outages: ${ITEMS} items, 20 a page, concurrency 4, 2 s timeout; the API down after page 30, one run each`,
      limitMs: 1,
      rows: [],
      table: {
        header: ['contender', 'outage', 'for (s)', 'complete', 'total (s)', 'requests while down', 'resumed after (s)', 'note'],
        rows,
      },
    },
  ];
  scenarios.push(await failFast(log), await flaky(quick, log));
  return scenarios;
}

/** Three instances, each with its own Redis client, on one Redis-backed limiter id (maxConcurrent 8 for the fleet). */
async function fleet(outageMs: number, log: Log): Promise<string[][]> {
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  try {
    redis = await startRedis();
  } catch (error) {
    log(`  P8 fleet skipped: ${(error as Error).message.split('\n')[0]}`);
    return [];
  }
  try {
    const r = await once('503', outageMs, async (url) => {
      const id = `p8-${Date.now()}`;
      const members = [0, 1, 2].map(() => {
        const api = axios.create({ baseURL: url, timeout: 2000 });
        const limiter = { id, datastore: 'ioredis' as const, clientOptions: { host: '127.0.0.1', port: redis?.port }, maxConcurrent: 8 };
        return { api, steady: attach(api, { limiter }) };
      });
      try {
        await Promise.all(members.map(({ steady }) => steady.limiter.ready()));
        // Each member collects a third of the pages (page numbers interleaved), so the fleet shares one outage.
        const thirds = await Promise.all(
          members.map(async ({ api }, m) => {
            const mine = Array.from({ length: ITEMS / 20 }, (_, i) => i + 1).filter((page) => page % 3 === m);
            const got: { id: number }[] = [];
            await pool(mine.length, 4, async (i) => {
              const response = await api.get(`/items?page=${mine[i]}`, { steady: { patience: 600_000 } });
              got.push(...(response.data.items as { id: number }[]));
            });
            return got;
          }),
        );
        const ids = thirds
          .flat()
          .map((i) => i.id)
          .sort((a, b) => a - b);
        return { ids, note: `outages heard: ${members.map(({ steady }) => steady.stats().outages).join('/')}` };
      } finally {
        for (const { steady } of members) steady.detach();
      }
    });
    log(`  P8 fleet of 3: complete ${r.complete}, ${r.stats.duringOutage} requests while down, ${r.note}`);
    return [row('a fleet of 3 (one Redis-backed limiter)', '503', outageMs, r)];
  } finally {
    await redis.stop();
  }
}

/** A service's requests while the API is down, at attach()'s defaults (fail fast): how soon each one rejects. */
async function failFast(log: Log): Promise<Scenario> {
  const api = await startOutage({ items: ITEMS, pageSize: 20, latencyMs: 1, kind: '503', afterPages: 0, outageMs: 600_000 });
  const client = axios.create({ baseURL: api.url, timeout: 2000 });
  const steady = attach(client, { retry: { baseDelay: 1 }, health: { minProbeMs: 60_000 } });
  try {
    await Promise.allSettled(Array.from({ length: 8 }, (_, i) => client.get(`/items?page=${i + 1}`)));
    const before = (await api.stats()).duringOutage;
    const times: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const started = performance.now();
      await client.get(`/items?page=${i}`).catch(() => undefined);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
    const reached = (await api.stats()).duringOutage - before;
    log(`  P8 fail fast: p50 ${p(0.5).toFixed(3)} ms, p99 ${p(0.99).toFixed(3)} ms, ${reached} reached the API`);
    return {
      name: 'P8b fail fast: 1,000 requests of a service while the API is down (attach() defaults: patience 0)',
      limitMs: 1,
      rows: [],
      table: {
        header: ['requests', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'reached the API'],
        rows: [['1000', p(0.5).toFixed(3), p(0.99).toFixed(3), p(1).toFixed(3), String(reached)]],
      },
    };
  } finally {
    steady.detach();
    api.close();
  }
}

/** P3's flaky-but-alive API (20 % 503s, 5 % resets, 1 % hangs, 1 s timeout, concurrency 8): the gate never opens. */
async function flaky(quick: boolean, log: Log): Promise<Scenario> {
  const pages = quick ? 100 : 400;
  const rows: string[][] = [];
  for (const [who, options] of [
    ['attach() defaults', {}],
    ['health: false', { health: false }],
  ] as [string, SteadyOptions][]) {
    const times: number[] = [];
    let trips = 0;
    let whole = true;
    for (let run = 0; run < (quick ? 1 : 3); run++) {
      const sim = await startSimProcess({
        items: pages * 10,
        pageSize: 10,
        latencyMs: 20,
        faults: { seed: 3 + run, error503: 0.2, reset: 0.05, hang: 0.01 },
      });
      const api = axios.create({ baseURL: sim.url, timeout: 1000 });
      const steady = attach(api, options);
      const started = Date.now();
      const items = await collect<{ id: number }>(api, '/page', { strategy, concurrency: 8 }).catch(() => []);
      times.push(Date.now() - started);
      trips += steady.stats().outages;
      whole &&= complete(
        items.map((i) => i.id),
        pages * 10,
      );
      steady.detach();
      sim.close();
    }
    times.sort((a, b) => a - b);
    log(`  P8 flaky ${who}: ${times.join(', ')} ms, ${trips} outages`);
    rows.push([who, String(times[times.length >> 1]), times.join(', '), String(trips), whole ? 'yes' : '**no**']);
  }
  return {
    name: `P8c a flaky but alive API: P3's faults, ${pages} pages, concurrency 8 (${quick ? 1 : 3} runs each)`,
    limitMs: 1,
    rows: [],
    table: { header: ['contender', 'median (ms)', 'runs (ms)', 'outages (gate opened)', 'complete'], rows },
  };
}
