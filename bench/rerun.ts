// P10 re-collection: the same collection run again, against json-server 0.17 (express' ETags and 304s) behind
// express-rate-limit 8 set to GitHub's policy (a 304 is not counted). An unchanged re-run of 100 pages (library
// and command line): quota spent, 304s, the output byte-identical, and its time beside 100 bare round trips (bare
// axios, the same pages one after the other, as the walk follows them; interleaved rounds); 1 % of items changed in place; --since on
// 10,000 items with 1 % changed; a re-run that fails midway.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { attach, collect, memoryStore } from 'axios-steady';
import { bounded, median } from './lib/stats.js';
import type { Scenario } from './report.js';
import { seedItems, stamp, startJsonServer, type Item } from '../test/servers/json-server.js';

type Log = (text: string) => void;
const MAIN = new URL('../dist/esm/cli/main.js', import.meta.url).pathname;

function cli(args: string[]): Promise<{ code: number | null; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  return bounded(
    new Promise((resolve) => child.on('close', (code) => resolve({ code, ms: performance.now() - started }))),
    300_000,
    `axios-steady ${args[0]}`,
    () => child.kill('SIGKILL'),
  );
}
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
const ok = (pass: boolean) => (pass ? 'yes' : '**no**');

export async function rerun(quick: boolean, log: Log): Promise<Scenario> {
  const rows: string[][] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'axios-steady-p10-'));
  try {
    // 1. An unchanged re-run of 100 pages.
    log('P10 unchanged re-run of 100 pages');
    const server = await startJsonServer(seedItems(1000));
    try {
      const urls = Array.from({ length: 100 }, (_, i) => `/items?_page=${i + 1}&_limit=10`);
      const page = { url: '/items', params: { _page: 1, _limit: 10 } };
      const bare = axios.create({ baseURL: server.url });
      const api = axios.create({ baseURL: server.url });
      const steady = attach(api);
      const store = memoryStore();
      await collect(api, page, { revalidate: store });
      // A Link-header walk follows rel="next": one page after the other. The reference is the same 100 pages,
      // one after the other, with bare axios; beside it the same walk without a store (what a re-run cost before).
      const ratios: number[] = [];
      const plain: number[] = [];
      const statuses: number[] = [];
      for (let round = 0; round < (quick ? 3 : 11); round++) {
        let at = performance.now();
        for (const url of urls) await bare.get(url);
        const bareMs = performance.now() - at;
        const counted = await server.counted();
        const mark = server.statuses.length;
        at = performance.now();
        await collect(api, page, { revalidate: store });
        const rerunMs = performance.now() - at;
        statuses.push(server.statuses.slice(mark).filter((s) => s !== 304).length, (await server.counted()) - counted);
        at = performance.now();
        await collect(api, page);
        const plainMs = performance.now() - at;
        if (round === 0) continue; // warms all three
        ratios.push(rerunMs / bareMs);
        plain.push(plainMs / bareMs);
      }
      steady.detach();
      rows.push([
        'library: unchanged re-run of 100 pages (Link header, followed one by one)',
        `${median(ratios).toFixed(2)}× the time of 100 bare round trips one after the other (goal ≤ 1.1×); the same walk without a store: ${median(plain).toFixed(2)}× (median of ${ratios.length} rounds)`,
        `requests not answered 304: ${Math.max(...statuses.filter((_, k) => k % 2 === 0))}; quota spent: ${Math.max(...statuses.filter((_, k) => k % 2 === 1))}`,
      ]);

      const out = path.join(dir, 'items.jsonl');
      const url = `${server.url}/items?_page=1&_limit=10`;
      const first = await cli(['collect', url, '--out', out, '--quiet']);
      const before = readFileSync(out);
      const counted = await server.counted();
      const mark = server.statuses.length;
      const again = await cli(['collect', url, '--out', out, '--quiet']);
      const seen = server.statuses.slice(mark);
      const start = await cli(['--version']);
      rows.push([
        'command line: unchanged re-run, 100 pages',
        `${(again.ms / 1000).toFixed(2)} s (the first run: ${(first.ms / 1000).toFixed(2)} s); of which ${(start.ms / 1000).toFixed(2)} s start the command (\`--version\`); the output and its checkpoint are fsynced after every page`,
        `${seen.filter((s) => s === 304).length} 304s of ${seen.length} requests; quota spent: ${(await server.counted()) - counted}; output byte-identical: ${ok(readFileSync(out).equals(before))}; exit ${again.code}`,
      ]);

      // 2. 1 % of the items changed in place.
      const changed = Array.from({ length: 10 }, (_, k) => 1 + ((k * 97 + 13) % 1000));
      for (const id of changed) server.change(id, { name: `changed ${id}` });
      const holding = new Set(changed.map((id) => Math.ceil(id / 10))).size;
      const mark2 = server.statuses.length;
      const third = await cli(['collect', url, '--out', out, '--quiet']);
      const answered = server.statuses.slice(mark2).filter((s) => s === 200).length;
      const fresh = server.items().map((item) => JSON.stringify(item));
      rows.push([
        'command line: 1 % of 1,000 items changed in place',
        `${answered} requests answered 200; the changed items are on ${holding} pages (goal ≤ ${holding + 1})`,
        `output equals a fresh collection: ${ok(JSON.stringify(lines(out)) === JSON.stringify(fresh))}; exit ${third.code}`,
      ]);

      // 4. A re-run that fails midway (the API refuses pages 50–59 for this run).
      const failing = await startJsonServerFailing(server.items(), dir);
      try {
        const failed = await cli(['collect', failing.url, '--out', failing.out, '--quiet', '--retries', '0', '--patience', '0']);
        const untouched = readFileSync(failing.out).equals(failing.before);
        failing.heal();
        const next = await cli(['collect', failing.url, '--out', failing.out, '--quiet']);
        rows.push([
          'command line: a re-run that fails midway',
          `exit ${failed.code}; the last output untouched: ${ok(untouched)}`,
          `the same command again: exit ${next.code}; output equals a fresh collection: ${ok(JSON.stringify(lines(failing.out)) === JSON.stringify(failing.fresh()))}`,
        ]);
      } finally {
        await failing.close();
      }
    } finally {
      await server.close();
    }

    // 3. --since on 10,000 items, 1 % changed.
    log('P10 --since on 10,000 items');
    const big = await startJsonServer(seedItems(10_000), 1_000_000);
    try {
      const out = path.join(dir, 'big.jsonl');
      const url = `${big.url}/items?_limit=100&_page=1`;
      const flags = ['--since', 'updated_at', '--since-param', 'updated_at_gte', '--key', 'id', '--quiet'];
      await cli(['collect', url, '--out', out, ...flags]);
      for (let id = 37; id <= 10_000; id += 100) big.change(id, { name: `changed ${id}` });
      const mark = big.statuses.length;
      const again = await cli(['collect', url, '--out', out, ...flags]);
      const requests = big.statuses.length - mark;
      const fresh = big.items().map((item) => JSON.stringify(item));
      rows.push([
        'command line --since: 1 % of 10,000 items changed',
        `${requests} requests in all; the changed items (and the last run's newest) fill ${Math.ceil(101 / 100)} pages (goal ≤ ${Math.ceil(101 / 100) + 1})`,
        `merged output equals a fresh collection: ${ok(JSON.stringify(lines(out)) === JSON.stringify(fresh))}; exit ${again.code}`,
      ]);
    } finally {
      await big.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: 'P10 re-collection (conditional and incremental)',
    limitMs: 1,
    rows: [],
    table: { header: ['case', 'measured', 'checked'], rows },
  };
}

/** An API that completed one run to `out`, then refuses pages 50–59 until healed (for the failing re-run). */
async function startJsonServerFailing(seed: Item[], dir: string) {
  let failing = false;
  const server = await startJsonServer(seed, 1_000_000, (url) => (failing && /[?&]_page=5\d\b/.test(url) ? 500 : undefined));
  const out = path.join(dir, 'failing.jsonl');
  const url = `${server.url}/items?_page=1&_limit=10`;
  await cli(['collect', url, '--out', out, '--quiet']);
  server.change(2, { name: `changed ${stamp()}` });
  failing = true;
  return {
    url,
    out,
    before: readFileSync(out),
    heal: () => void (failing = false),
    fresh: () => server.items().map((item) => JSON.stringify(item)),
    close: () => server.close(),
  };
}
