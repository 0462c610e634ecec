// npm run bench [-- --quick]: every scenario of bench/README.md, contenders side by side in one run,
// medians of several runs, written to bench/results/ (README.md table, chart.svg, latest.json).
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { collectors, complete, type CollectOptions } from './contenders.js';
import { writeChart, writeTables, type Scenario } from './report.js';
import { CONTROL, overheadSize, runOverhead } from './overhead.js';
import { fleet } from './fleet.js';
import { realLimiters } from './limiters/index.js';
import { budget } from './budget.js';
import { outages } from './outage/index.js';
import { startSimProcess } from './sim-api/index.js';
import { bounded, median, rows, type Sample } from './lib/stats.js';
import type { SimOptions } from '../test/servers/sim-api.js';
import { rerun } from './rerun.js';

const quick = process.argv.includes('--quick');
if (process.argv.includes('--report')) {
  // Re-render README.md and chart.svg from latest.json without measuring anything.
  const file = new URL('./results/latest.json', import.meta.url);
  const { meta, scenarios } = JSON.parse(readFileSync(file, 'utf8')) as { meta: Record<string, unknown>; scenarios: Scenario[] };
  writeFileSync(new URL('./results/README.md', import.meta.url), writeTables(meta, scenarios));
  writeFileSync(new URL('./results/chart.svg', import.meta.url), writeChart(scenarios));
  process.exit(0);
}
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? (quick ? 1 : 3));
const log = (text: string) => process.stderr.write(`${text}\n`);

/** Runs each contender `runs` times against a fresh simulated API; returns medians. */
async function race(
  name: string,
  sim: SimOptions,
  contenders: string[],
  options: CollectOptions,
  limitMs: number,
  items: number,
): Promise<Scenario> {
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c, []]));
  for (let run = 0; run < runs; run++) {
    for (const contender of contenders) {
      const api = await startSimProcess(sim);
      const started = performance.now();
      let ids: number[] = [];
      try {
        // Bounded: a stuck contender fails its row (incomplete) with a message; the run goes on.
        ids = await bounded(collectors[contender](api.url, options), Math.max(120_000, 10 * limitMs), `${name.split(' ')[0]} ${contender}`);
      } catch (error) {
        log(`  ${contender}: ${(error as Error).message}`);
      }
      const ms = performance.now() - started;
      const stats = await api.stats();
      api.close();
      samples.get(contender)?.push({ ms, requests: stats.requests, rateLimited: stats.rateLimited, complete: complete(ids, items) });
      log(
        `  ${name} run ${run + 1} ${contender}: ${Math.round(ms)} ms, ${stats.requests} requests, ${stats.rateLimited} 429s, complete ${complete(ids, items)}`,
      );
    }
  }
  return { name, limitMs, rows: rows(contenders, samples, limitMs) };
}

async function memory(pages: number): Promise<Scenario[]> {
  const sim = await startSimProcess({ items: pages * 100, pageSize: 100 });
  const rows = [];
  const heapRows = [];
  // The capped rows stream with V8's old space capped at 32 MB: completing there shows what a walk keeps is
  // small, and that the default rows' RSS growth is garbage V8 had not collected yet.
  const contenders: [string, string, string[]][] = [
    ['paginate()', 'paginate()', []],
    ['got.paginate', 'got.paginate', []],
    ['collect() (all in memory)', 'collect() (all in memory)', []],
    ['paginate(), node --max-old-space-size=32', 'paginate()', ['--max-old-space-size=32']],
    ['got.paginate, node --max-old-space-size=32', 'got.paginate', ['--max-old-space-size=32']],
  ];
  for (const [contender, worker, flags] of contenders) {
    const growth: number[] = [];
    const heap: number[] = [];
    let counted = 0;
    for (let run = 0; run < runs; run++) {
      const child = fork(new URL('./memory-worker.ts', import.meta.url), [worker, sim.url], {
        execArgv: ['--import', 'tsx', '--expose-gc', ...flags],
      });
      const result = await new Promise<{ count: number; growthMb: number; heapMb: number }>((resolve) => {
        child.once('message', (m) => resolve(m as { count: number; growthMb: number; heapMb: number }));
        // Out of memory under the cap: the process dies without a message.
        child.once('exit', (code) => code !== 0 && resolve({ count: 0, growthMb: NaN, heapMb: NaN }));
      });
      growth.push(result.growthMb);
      heap.push(result.heapMb);
      counted = result.count;
      log(`  P4 ${contender}: ${result.count} items, +${result.growthMb.toFixed(1)} MB RSS, heap after GC +${result.heapMb.toFixed(1)} MB`);
    }
    heapRows.push({
      contender,
      medianMs: median(heap),
      minMs: Math.min(...heap),
      maxMs: Math.max(...heap),
      ratio: median(heap) / 50,
      requests: pages,
      rateLimited: 0,
      complete: counted === pages * 100,
    });
    rows.push({
      contender,
      medianMs: median(growth),
      minMs: Math.min(...growth),
      maxMs: Math.max(...growth),
      ratio: median(growth) / 50,
      requests: pages,
      rateLimited: 0,
      complete: counted === pages * 100,
    });
  }
  sim.close();
  return [
    {
      name: `P4 memory: stream ${pages * 100} items (${pages} pages × 100); peak RSS growth in MB (limit: goal 50 MB)`,
      limitMs: 50,
      unit: 'MB',
      rows,
    },
    {
      name: `P4b heap: the same stream; peak heap in use after a full GC (every 10,000 items), growth in MB: what the walk keeps`,
      limitMs: 50,
      unit: 'MB',
      rows: heapRows,
    },
  ];
}

const scenarios: Scenario[] = [];
const skipped: string[] = [];
const want = (id: string) => !only || only.includes(id);

/**
 * P1 and P7: CPU time per request of each contender over bare axios (the headline), and requests per second as a
 * ratio to bare axios, over the same transport, in one run of paired rounds.
 */
async function overheadScenario(transport: 'http1' | 'http2', name: string): Promise<Scenario[]> {
  const { requests, rounds } = overheadSize(quick);
  const rows = await runOverhead(quick, transport);
  const control = rows.find((r) => r.contender === CONTROL);
  const counts = control !== undefined && Math.abs(control.cpuOverUs) <= 2;
  const how = `one run of ${rounds} paired rounds, ${requests} GETs per contender per round in slices of 250, concurrency 50, each contender one instance for the run, ${transport === 'http2' ? 'one h2c session to a local Node http2 server' : 'local keep-alive server'}`;
  const spread = (r: (typeof rows)[number]) => {
    const sorted = [...r.cpuRounds].sort((a, b) => a - b);
    return `${sorted[Math.floor(sorted.length / 4)]?.toFixed(1)} … ${sorted[Math.floor((3 * sorted.length) / 4)]?.toFixed(1)}`;
  };
  const cpu: Scenario = {
    name: `${name} CPU per request over bare axios (the headline): ${how}${counts ? '' : ` — **this run does not count: the A/A control reads ${control?.cpuOverUs.toFixed(1)} µs, beyond ±2**`}`,
    limitMs: 1,
    rows: [],
    table: {
      header: ['contender', 'CPU µs per request over bare axios (median of rounds)', 'middle half of the rounds'],
      rows: rows.map((r) => [r.contender, `${r.cpuOverUs >= 0 ? '+' : ''}${r.cpuOverUs.toFixed(1)}`, spread(r)]),
    },
  };
  const throughput: Scenario = {
    name: `${name}: ${how}; ${transport === 'http2' ? 'requests/s (ratio to bare axios over HTTP/2)' : 'requests/s (ratio to bare axios)'}`,
    limitMs: 1,
    unit: 'req/s',
    rows: rows.map((r) => ({
      contender: r.contender,
      medianMs: r.medianRps,
      minMs: r.minRps,
      maxMs: r.maxRps,
      ratio: r.ratio,
      requests,
      rateLimited: 0,
      complete: true,
    })),
  };
  return [cpu, throughput];
}

if (want('P1')) {
  log('P1 overhead');
  scenarios.push(...(await overheadScenario('http1', 'P1 overhead')));
}
if (want('P7')) {
  log('P7 HTTP/2 overhead');
  scenarios.push(...(await overheadScenario('http2', 'P7 HTTP/2 overhead')));
}

const pages = quick ? 40 : 400;
const peers = [
  'axios-steady',
  'axios-retry + bottleneck',
  'axios-rate-limit + axios-retry',
  'reference script (p-limit 5 + retry)',
  'got.paginate (sequential)',
];
if (want('P2')) {
  for (const headers of ['draft7', 'none'] as const) {
    log(`P2 rate limited (${headers})`);
    // 100 requests per 4 s window: the physical limit is pages ÷ 25 per second.
    const quota = quick ? { limit: 25, windowMs: 1000, headers } : { limit: 100, windowMs: 4000, headers };
    const limitMs = (pages / (quota.limit / quota.windowMs)) | 0;
    scenarios.push(
      await race(
        `P2 rate-limited collection: ${pages} pages, quota ${quota.limit} per ${quota.windowMs / 1000} s unknown to the client, ${headers === 'none' ? 'only Retry-After on 429' : 'RateLimit draft-7 headers'}; ratio to pages ÷ allowed rate`,
        { items: pages * 10, pageSize: 10, latencyMs: 20, quota },
        peers,
        { concurrency: 8, timeoutMs: 5000, guessedRps: quota.limit / (quota.windowMs / 1000) + 5 },
        limitMs,
        pages * 10,
      ),
    );
  }
}
if (want('P2b')) {
  // The other header formats, axios-steady against the README-configured peer, same quota.
  for (const headers of ['draft6', 'draft8', 'xrate'] as const) {
    log(`P2b rate limited (${headers})`);
    const quota = quick ? { limit: 25, windowMs: 1000, headers } : { limit: 100, windowMs: 4000, headers };
    const limitMs = (pages / (quota.limit / quota.windowMs)) | 0;
    const label = {
      draft6: 'RateLimit-Limit/-Remaining/-Reset (draft 6)',
      draft8: 'RateLimit + RateLimit-Policy (draft 8)',
      xrate: 'X-RateLimit-* (GitHub style)',
    }[headers];
    scenarios.push(
      await race(
        `P2b rate-limited collection, ${label}: ${pages} pages, quota ${quota.limit} per ${quota.windowMs / 1000} s; ratio to pages ÷ allowed rate`,
        { items: pages * 10, pageSize: 10, latencyMs: 20, quota },
        ['axios-steady', 'axios-retry + bottleneck'],
        { concurrency: 8, timeoutMs: 5000, guessedRps: 30 },
        limitMs,
        pages * 10,
      ),
    );
  }
}
if (want('P2c')) {
  log('P2c real rate limiters');
  scenarios.push(...(await realLimiters(quick ? 1 : runs, log)));
}
if (want('P3b')) {
  log('P3b retry budget');
  scenarios.push(await budget(quick ? 2 : 20, log));
}
if (want('P3')) {
  log('P3 faults');
  const base: SimOptions = { items: pages * 10, pageSize: 10, latencyMs: 20 };
  const faultFree = await race(
    'P3 (fault-free reference)',
    base,
    ['axios-steady'],
    { concurrency: 8, timeoutMs: 1000, guessedRps: 1000 },
    1,
    pages * 10,
  );
  const reference = faultFree.rows[0].medianMs;
  // got.paginate needs minutes here (sequential, second-long backoffs): left out of --quick.
  const others = quick ? peers.filter((p) => !p.startsWith('got')) : peers;
  const faultyPeers = [others[0] as string, 'axios-steady, hedge: true', 'axios-steady, hedge: true, baseDelay 10', ...others.slice(1)];
  const faulty = await race(
    `P3 faults: ${pages} pages, 20% 503, 5% resets, 1% hangs (1 s timeout); ratio to axios-steady without faults`,
    { ...base, faults: { seed: 3, error503: 0.2, reset: 0.05, hang: 0.01 } },
    faultyPeers,
    { concurrency: 8, timeoutMs: 1000, guessedRps: 1000 },
    reference,
    pages * 10,
  );
  scenarios.push(faulty);
}
if (want('P4')) {
  log('P4 memory');
  scenarios.push(...(await memory(quick ? 300 : 10_000)));
}
if (want('P5')) {
  log('P5 parallel pages');
  const limitMs = (pages * 40) / 8;
  scenarios.push(
    await race(
      `P5 parallel pages: ${pages} pages at 40 ms latency, concurrency 8; ratio to pages × 40 ms ÷ 8`,
      { items: pages * 10, pageSize: 10, latencyMs: 40 },
      ['axios-steady', 'axios-retry + bottleneck', 'got.paginate (sequential)', 'axios loop (sequential)'],
      { concurrency: 8, timeoutMs: 5000, guessedRps: 1000 },
      limitMs,
      pages * 10,
    ),
  );
}

if (want('P6')) {
  log('P6 fleet');
  try {
    for (const which of ['draft7', 'none', 'erl-draft7', 'flexible'] as const) scenarios.push(await fleet(quick, which));
  } catch (error) {
    // The fleet needs a real redis-server (npm run bench provisions one when it can): say why it is missing.
    if (!/redis-server/.test(String(error))) throw error;
    skipped.push(`P6 fleet skipped: ${(error as Error).message.split('\n')[0]}`);
    log(skipped.at(-1) as string);
  }
}
if (want('P8')) {
  log('P8 outages');
  scenarios.push(...(await outages(quick, log)));
}
if (want('P10')) {
  log('P10 re-collection');
  scenarios.push(await rerun(quick, log));
}
if (skipped.length > 0) console.log(`\nskipped scenarios:\n- ${skipped.join('\n- ')}`);

const meta = {
  ...(skipped.length > 0 && { skipped }),
  date: new Date().toISOString(),
  quick,
  runs,
  node: process.version,
  cpus: os.cpus().length,
  platform: `${os.platform()} ${os.arch()}`,
};
if (quick) {
  // --quick is a smoke run (CI): it prints, it does not overwrite the committed results.
  console.log(JSON.stringify({ meta, scenarios }, null, 2));
} else {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL('./results/latest.json', import.meta.url);
  if (only && existsSync(file)) {
    // --only=P2,P5 refreshes those scenarios and keeps the others from the last full run.
    const previous = JSON.parse(readFileSync(file, 'utf8')) as { scenarios: Scenario[] };
    const id = (s: Scenario) => s.name.split(' ')[0];
    const fresh = new Set(scenarios.map(id));
    scenarios.unshift(...previous.scenarios.filter((s) => !fresh.has(id(s))));
    scenarios.sort((a, b) => a.name.localeCompare(b.name));
  }
  writeFileSync(file, `${JSON.stringify({ meta, scenarios }, null, 2)}\n`);
  writeFileSync(new URL('./results/README.md', import.meta.url), writeTables(meta, scenarios));
  writeFileSync(new URL('./results/chart.svg', import.meta.url), writeChart(scenarios));
  log('wrote bench/results/{README.md,chart.svg,latest.json}');
}
