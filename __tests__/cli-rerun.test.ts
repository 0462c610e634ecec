// The same `axios-steady collect` command run again after it completed, as a user runs it (the built bin in a
// child process), against json-server 0.17 behind express-rate-limit 8 set to GitHub's policy (a 304 is not
// counted): a re-run asks page by page whether anything changed and reuses what did not; --since asks only for
// what changed and merges it by key; --out is replaced only when the new run completes.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedItems, stamp, startJsonServer, type Item, type JsonApi } from '../test/servers/json-server.js';

jest.setTimeout(120_000);
const MAIN = path.resolve(__dirname, '..', 'dist', 'esm', 'cli', 'main.js');

let dir: string;
let server: JsonApi | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'axios-steady-rerun-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: dir,
    env: { ...process.env, CI: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Item);
const since = (statuses: number[], from: number) => statuses.slice(from);

it('an unchanged re-run of 100 pages: 100 304s, no quota spent, the output byte-identical', async () => {
  server = await startJsonServer(seedItems(1000));
  const url = `${server.url}/items?_page=1&_limit=10`;
  const out = path.join(dir, 'items.jsonl');
  expect((await cli('collect', url, '--out', out)).code).toBe(0);
  expect(lines(out)).toEqual(server.items());
  const before = readFileSync(out);
  expect(statSync(`${out}.pages.json`).mode & 0o777).toBe(0o600);
  const counted = await server.counted();
  const mark = server.statuses.length;
  const again = await cli('collect', url, '--out', out);
  expect(again.code).toBe(0);
  expect(since(server.statuses, mark)).toEqual(Array(100).fill(304));
  expect(await server.counted()).toBe(counted);
  expect(readFileSync(out).equals(before)).toBe(true);
  expect(again.stderr).toMatch(/asking what changed in/);
  expect(again.stderr).toMatch(/100 unchanged \(304\), 0 pages fetched/);
  expect(existsSync(`${out}.partial`)).toBe(false);
});

it('1 % of items changed in place: 200s only for the pages that hold them; the output is a fresh collection', async () => {
  server = await startJsonServer(seedItems(1000));
  const url = `${server.url}/items?_page=1&_limit=10`;
  const out = path.join(dir, 'items.jsonl');
  expect((await cli('collect', url, '--out', out)).code).toBe(0);
  const changed = [5, 99, 123, 124, 480, 481, 482, 700, 911, 1000];
  for (const id of changed) server.change(id, { name: `changed ${id}` });
  const pagesHolding = new Set(changed.map((id) => Math.ceil(id / 10))).size;
  const mark = server.statuses.length;
  const again = await cli('collect', url, '--out', out);
  expect(again.code).toBe(0);
  expect(since(server.statuses, mark).filter((s) => s === 200).length).toBeLessThanOrEqual(pagesHolding + 1);
  expect(lines(out)).toEqual(server.items());
  // A third run after no change: every page a 304 again (the new validators were kept).
  const third = server.statuses.length;
  expect((await cli('collect', url, '--out', out)).code).toBe(0);
  expect(since(server.statuses, third).every((s) => s === 304)).toBe(true);
});

it('a re-run that fails midway leaves the last output untouched; the same command then completes it', async () => {
  let failing = false;
  server = await startJsonServer(seedItems(300), 10_000, (url) => (failing && /[?&]_page=(2\d)\b/.test(url) ? 500 : undefined));
  const url = `${server.url}/items?_page=1&_limit=10`;
  const out = path.join(dir, 'items.jsonl');
  expect((await cli('collect', url, '--out', out)).code).toBe(0);
  const before = readFileSync(out);
  for (const id of [3, 150, 290]) server.change(id, { name: 'new' });
  failing = true;
  const failed = await cli('collect', url, '--out', out, '--retries', '0', '--patience', '0', '--concurrency', '1');
  expect(failed.code).toBe(1);
  expect(readFileSync(out).equals(before)).toBe(true);
  expect(existsSync(`${out}.partial`)).toBe(true);
  failing = false;
  const resumed = await cli('collect', url, '--out', out);
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toMatch(/resuming at \d+ items/);
  expect(lines(out)).toEqual(server.items());
  expect(existsSync(`${out}.partial`)).toBe(false);
});

it('--since on 10,000 items with 1 % changed: only the pages of the changes are asked for; the merge is a fresh collection', async () => {
  server = await startJsonServer(seedItems(10_000), 100_000);
  const url = `${server.url}/items?_limit=100&_page=1`;
  const out = path.join(dir, 'items.jsonl');
  const flags = ['--since', 'updated_at', '--since-param', 'updated_at_gte', '--key', 'id'];
  expect((await cli('collect', url, '--out', out, ...flags)).code).toBe(0);
  expect(lines(out)).toHaveLength(10_000);
  for (let id = 37; id <= 10_000; id += 100) server.change(id, { name: `changed ${id}` }); // 100 items
  server.add({ id: 10_001, name: 'new', updated_at: stamp() });
  const mark = server.statuses.length;
  const again = await cli('collect', url, '--out', out, ...flags);
  expect(again.code).toBe(0);
  // 100 changed + 1 new + the last run's newest (asked again: ≥) = 102 items: 2 pages of 100.
  expect(server.statuses.length - mark).toBeLessThanOrEqual(2 + 1);
  expect(lines(out)).toEqual(server.items());
  expect(again.stderr).toMatch(/100 changed, 1 new since/);
});

it.each([
  [['--since', 'updated_at'], /--since needs --since-param/],
  [['--key', 'id'], /--key applies to an incremental run/],
  [['--since', 'updated_at', '--since-param', 'x', '--key', 'id', '--full', '--out', 'o'], /choose one/],
  [['--since', 'updated_at', '--since-param', 'x', '--key', 'id'], /needs --out/],
])('usage: %p', async (args, message) => {
  const run = await cli('collect', 'http://127.0.0.1:9/items', ...(args as string[]));
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(message as RegExp);
});

it('an output that is not a regular file (a FIFO) is written as it is: never replaced, no state beside it', async () => {
  server = await startJsonServer(seedItems(30));
  const url = `${server.url}/items?_page=1&_limit=10`;
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  for (let run = 0; run < 2; run++) {
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += String(d)));
    const drained = new Promise((resolve) => reader.on('close', resolve));
    expect((await cli('collect', url, '--out', fifo, '--checkpoint', path.join(dir, 'c.json'))).code).toBe(0);
    await drained;
    expect(read.split('\n').filter(Boolean)).toHaveLength(30);
  }
  expect(statSync(fifo).isFIFO()).toBe(true);
  expect(existsSync(`${fifo}.partial`) || existsSync(`${fifo}.pages.json`)).toBe(false);
});
