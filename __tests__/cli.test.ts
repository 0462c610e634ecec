// The `axios-steady` command, run as a user runs it: the built bin (dist/esm/cli/main.js) in a child process,
// against APIs on 127.0.0.1. Where a test interrupts a run, the API holds the page after the 5th until the test
// lets it go, so where the run stands when the signal arrives never depends on the machine's speed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, appendFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { json, startServer, until, type TestServer } from '../test/servers/with-server.js';
import { startSimApi } from '../test/servers/sim-api.js';

jest.setTimeout(60_000);
const MAIN = path.resolve(__dirname, '..', 'dist', 'esm', 'cli', 'main.js');
const ITEMS = 200;
const PAGE = 10;

let dir: string;
let servers: { close(): Promise<void> }[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'axios-steady-cli-'));
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function start(args: string[], command = process.execPath, argv = [MAIN, ...args]): Run {
  const child = spawn(command, argv, { cwd: dir, env: { ...process.env, CI: 'true' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d));
  child.stderr?.on('data', (d: Buffer) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
const cli = (...args: string[]) => start(args).done;

/**
 * `/items?page=N`: 200 items, 10 a page, `total_pages` in the body. Pages after `holdAfter` wait while `held`
 * is true, or answer 503 while `down` is true. Records every request's headers.
 */
async function pagedApi() {
  const state = { holdAfter: Infinity, held: false, down: false, headers: [] as http.IncomingHttpHeaders[] };
  const waiting: (() => void)[] = [];
  const server: TestServer = await startServer(async (req, res) => {
    state.headers.push(req.headers);
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
    if (page > state.holdAfter && state.held) await new Promise<void>((resolve) => waiting.push(resolve));
    if (page > state.holdAfter && state.down) return json(res, 503, { error: 'down' });
    const items = Array.from({ length: Math.max(0, Math.min(PAGE, ITEMS - (page - 1) * PAGE)) }, (_, i) => ({ id: (page - 1) * PAGE + i }));
    json(res, 200, { items, page, total_pages: ITEMS / PAGE });
  });
  servers.push(server);
  return {
    url: `${server.url}/items`,
    state,
    release() {
      state.held = false;
      for (const go of waiting.splice(0)) go();
    },
  };
}

const out = () => path.join(dir, 'items.jsonl');
const lines = (file = out()) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as { id: number }).id);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const savedItems = () => {
  try {
    return (JSON.parse(readFileSync(`${out()}.checkpoint.json`, 'utf8')) as { checkpoint: { items: number } }).checkpoint.items;
  } catch {
    return -1; // not written yet, or being replaced
  }
};

it('a complete run: exit 0, every item once and in order as JSONL, a summary on stderr, no checkpoint left', async () => {
  const api = await pagedApi();
  const result = await cli('collect', api.url, '--out', out());
  expect(result.code).toBe(0);
  expect(lines()).toEqual(range(ITEMS));
  expect(result.stderr).toMatch(/complete: 200 items, 20 pages, \d+ requests, \d+ retries, 0 429s, 0 pauses, strategy: page numbers/);
  expect(existsSync(`${out()}.checkpoint.json`)).toBe(false);
});

it('to stdout by default, in order, with progress and summary on stderr only', async () => {
  const sim = await startSimApi({ items: 95, pageSize: 10 });
  servers.push(sim);
  const result = await cli('collect', `${sim.url}/cursor`, '--strategy', 'cursor', '--next', 'next_cursor');
  expect(result.code).toBe(0);
  expect(
    result.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: number }).id),
  ).toEqual(range(95));
  expect(result.stderr).toMatch(/complete: 95 items/);
});

it('Ctrl-C (SIGINT) mid-run: exit 130 and a checkpoint; the same command again appends the rest, each item once', async () => {
  const api = await pagedApi();
  Object.assign(api.state, { holdAfter: 5, held: true });
  const run = start(['collect', api.url, '--out', out()]);
  await until(() => savedItems() === 50);
  run.child.kill('SIGINT');
  const stopped = await run.done;
  expect(stopped.code).toBe(130);
  expect(stopped.stderr).toMatch(/interrupted: 50 items, 5 pages.*run the same command again to resume/);
  expect(lines()).toEqual(range(50));
  api.release();
  const resumed = await cli('collect', api.url, '--out', out());
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toMatch(/resuming at 50 items, 5 pages/);
  expect(lines()).toEqual(range(ITEMS));
  expect(existsSync(`${out()}.checkpoint.json`)).toBe(false);
});

it('SIGTERM is an interruption too (exit 143, as a shell reports it; checkpoint kept)', async () => {
  const api = await pagedApi();
  Object.assign(api.state, { holdAfter: 5, held: true });
  const run = start(['collect', api.url, '--out', out()]);
  await until(() => savedItems() === 50);
  run.child.kill('SIGTERM');
  expect((await run.done).code).toBe(143);
  expect(savedItems()).toBe(50);
  api.release();
});

it('the API goes down mid-walk, --patience 0: exit 1 with the reason and a checkpoint; when it is back, the same command completes', async () => {
  const api = await pagedApi();
  Object.assign(api.state, { holdAfter: 5, down: true });
  const failed = await cli('collect', api.url, '--out', out(), '--retries', '1', '--patience', '0');
  expect(failed.code).toBe(1);
  // The page's own 503, or the health gate turning it away once the API looked down: either way, the reason.
  expect(failed.stderr).toMatch(
    /failed \(PAGE_FAILED: page .*items\?page=\d+ failed: (Request failed with status code 503 — the server said "\{\\"error\\":\\"down\\"\}"|axios-steady: the API is down since)/,
  );
  expect(failed.stderr).toMatch(/run the same command again to resume/);
  expect(savedItems()).toBe(50);
  expect(lines()).toEqual(range(50));
  api.state.down = false;
  const resumed = await cli('collect', api.url, '--out', out(), '--retries', '1');
  expect(resumed.code).toBe(0);
  expect(lines()).toEqual(range(ITEMS));
});

it('kill -9, leaving the worst a kill can (a page written whose checkpoint was not, half a line): every item once', async () => {
  const api = await pagedApi();
  Object.assign(api.state, { holdAfter: 5, held: true });
  const run = start(['collect', api.url, '--out', out()]);
  await until(() => savedItems() === 50);
  run.child.kill('SIGKILL');
  expect((await run.done).signal).toBe('SIGKILL');
  appendFileSync(
    out(),
    `${range(10)
      .map((i) => JSON.stringify({ id: 50 + i }))
      .join('\n')}\n{"id":6`,
  );
  api.release();
  const final = await cli('collect', api.url, '--out', out());
  expect(final.code).toBe(0);
  expect(lines()).toEqual(range(ITEMS));
});

it('kill -9 wherever a run happens to be, three times, then the same command: every item exactly once', async () => {
  const sim = await startSimApi({ items: 600, pageSize: 10, latencyMs: 10 });
  servers.push(sim);
  const args = ['collect', `${sim.url}/page`, '--out', out(), '--concurrency', '2'];
  // No assumption about where each run is when it dies (starting, mid-page, between a page and its
  // checkpoint, done): every point must be safe.
  for (const afterMs of [200, 350, 500]) {
    const run = start(args);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
    run.child.kill('SIGKILL');
    await run.done;
  }
  const final = await cli(...args);
  expect(final.code).toBe(0);
  expect(lines()).toEqual(range(600));
});

it('a checkpoint written for other options is refused (exit 2) unless --restart', async () => {
  const api = await pagedApi();
  Object.assign(api.state, { holdAfter: 5, down: true });
  expect((await cli('collect', api.url, '--out', out(), '--retries', '0')).code).toBe(1);
  api.state.down = false;
  const other = await cli('collect', `${api.url}?sort=desc`, '--out', out());
  expect(other.code).toBe(2);
  expect(other.stderr).toMatch(/was written for other options.*--restart discards it/);
  const restarted = await cli('collect', `${api.url}?sort=desc`, '--out', out(), '--restart');
  expect(restarted.code).toBe(0);
  expect(lines()).toEqual(range(ITEMS));
});

it('to stdout with --checkpoint: a failure keeps the checkpoint and the same command resumes after the lines printed', async () => {
  const api = await pagedApi();
  Object.assign(api.state, { holdAfter: 5, down: true });
  const checkpoint = path.join(dir, 'walk.checkpoint.json');
  const failed = await cli('collect', api.url, '--checkpoint', checkpoint, '--retries', '0');
  expect(failed.code).toBe(1);
  const first = failed.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { id: number }).id);
  expect(first).toEqual(range(50));
  api.state.down = false;
  // The checkpoint counts no file bytes: it cannot resume into a file that never held the first part.
  const intoFile = await cli('collect', api.url, '--checkpoint', checkpoint, '--out', out());
  expect(intoFile.code).toBe(2);
  expect(intoFile.stderr).toMatch(/was written while collecting to stdout/);
  const resumed = await cli('collect', api.url, '--checkpoint', checkpoint);
  expect(resumed.code).toBe(0);
  const rest = resumed.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { id: number }).id);
  expect([...first, ...rest]).toEqual(range(ITEMS));
  expect(existsSync(checkpoint)).toBe(false);
});

it('-H headers reach the server, and no secret is printed', async () => {
  const api = await pagedApi();
  const result = await cli(
    'collect',
    api.url,
    '--out',
    out(),
    '-H',
    'Authorization: Bearer t0ps3cret',
    '--header',
    'X-Api-Key: k3y',
    '-H',
    'X-Trace: visible',
  );
  expect(result.code).toBe(0);
  expect(api.state.headers.every((h) => h.authorization === 'Bearer t0ps3cret' && h['x-api-key'] === 'k3y')).toBe(true);
  expect(result.stderr).not.toMatch(/t0ps3cret|k3y/);
  expect(result.stderr).toMatch(/Authorization: \[redacted\], X-Api-Key: \[redacted\], X-Trace: visible/);
});

it('--help and --version', async () => {
  const help = await cli('--help');
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/^Usage:\n {2}axios-steady collect <url>/);
  expect(help.stdout).toMatch(/--strategy <s> +auto \(default\), link, cursor, next, page, offset/);
  const version = await cli('--version');
  expect(version.stdout.trim()).toBe(
    (JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version,
  );
});

it.each<[string[], RegExp]>([
  [[], /no command given/],
  [['fetch', 'http://x'], /unknown command "fetch"/],
  [['collect'], /collect needs a URL/],
  [['collect', 'not a url'], /not a URL: "not a url"/],
  [['collect', 'ftp://example.com/x'], /must be http\(s\)/],
  [['collect', 'http://127.0.0.1:9/x', '--bogus'], /Unknown option '--bogus'/],
  [
    ['collect', 'http://127.0.0.1:9/x', '--strategy', 'bogus'],
    /--strategy must be one of auto, link, cursor, next, page, offset, got "bogus"/,
  ],
  [['collect', 'http://127.0.0.1:9/x', '--strategy', 'cursor'], /--strategy cursor needs --next/],
  [['collect', 'http://127.0.0.1:9/x', '--concurrency', '0'], /--concurrency must be a whole number ≥ 1, got "0"/],
  [['collect', 'http://127.0.0.1:9/x', '--concurrency', 'many'], /--concurrency must be a whole number/],
  [['collect', 'http://127.0.0.1:9/x', '--rate', 'fast'], /--rate must be requests a second such as 10\/s, got "fast"/],
  [['collect', 'http://127.0.0.1:9/x', '-H', 'no colon'], /-H must be 'Name: value', got "no colon"/],
  [['collect', 'http://127.0.0.1:9/x', '--total', 'a..b', '--strategy', 'offset'], /--total must be a dotted path/],
  [['collect', 'http://127.0.0.1:9/x', '--param', 'p'], /--param applies to --strategy cursor or page or offset, not auto/],
  [['collect', 'http://127.0.0.1:9/x', '--serve'], /--serve applies to demo only/],
  [['demo', '--strategy', 'page'], /--strategy applies to collect only/],
  [['collect', 'http://127.0.0.1:9/x', '--strategy'], /argument missing/],
])('usage error %j: exit 2, a message, no stack trace', async (args, message) => {
  const result = await cli(...args);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toMatch(/Run "axios-steady --help"/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

it('a pseudo-terminal shows a redrawn bar; Ctrl-C restores the cursor and exits 130', async () => {
  const api = await pagedApi();
  Object.assign(api.state, { holdAfter: 5, held: true });
  const typescript = path.join(dir, 'tty.log');
  // util-linux `script` runs the command on a pty; a ^C typed into it is the terminal's own SIGINT.
  const command = `${process.execPath} ${MAIN} collect ${api.url} --out ${out()}`;
  const run = start([], 'script', ['-qfec', command, typescript]);
  await until(() => savedItems() === 50 && readFileSync(typescript, 'utf8').includes('50 items'));
  run.child.stdin?.write('\u0003');
  const result = await run.done;
  expect(result.code).toBe(130);
  const screen = readFileSync(typescript, 'utf8');
  expect(screen).toContain('\u001b[?25l'); // cursor hidden while the bar runs
  expect(screen).toMatch(/█+░+ 50 items, 5 of 20 pages \(25 %\)/);
  // Redrawn in place (cursor to column 1, line cleared), frame after frame, not scrolled.
  expect(screen).toContain('\u001b[1G');
  expect(screen).toContain('\u001b[0K');
  expect(screen.split(' items, ').length).toBeGreaterThan(3);
  expect(screen.lastIndexOf('\u001b[?25h')).toBeGreaterThan(screen.lastIndexOf('\u001b[?25l')); // and shown again
  expect(screen).toMatch(/interrupted: 50 items/);
  api.release();
});

describe('a checkpoint is not trusted: damaged or edited, it is exit 2 with a message, and nothing is overwritten', () => {
  /** A run stopped at 50 items (the API down after page 5), its checkpoint and output as they are then. */
  const stopped = async () => {
    const api = await pagedApi();
    Object.assign(api.state, { holdAfter: 5, down: true });
    expect((await cli('collect', api.url, '--out', out(), '--retries', '0')).code).toBe(1);
    api.state.down = false;
    return api;
  };
  const file = () => `${out()}.checkpoint.json`;
  const edit = (change: (saved: Record<string, unknown>) => void) => {
    const saved = JSON.parse(readFileSync(file(), 'utf8')) as Record<string, unknown>;
    change(saved);
    writeFileSync(file(), JSON.stringify(saved));
  };

  it.each<[string, (saved: Record<string, unknown>) => void, RegExp]>([
    ['"checkpoint": null', (saved) => (saved.checkpoint = null), /its checkpoint is null/],
    ['"bytes": -5', (saved) => (saved.bytes = -5), /its byte count -5 is not a whole number/],
    ['"bytes": "x"', (saved) => (saved.bytes = 'x'), /its byte count "x" is not a whole number/],
    ['"bytes" inside a line', (saved) => (saved.bytes = 7), /ends inside a line \(byte 7\)/],
    ['"bytes" past the end of the file', (saved) => (saved.bytes = 10_000), /holds \d+ bytes, less than the 10000/],
    [
      '"items" that do not match the file',
      (saved) => ((saved.checkpoint as { items: number }).items = 40),
      /holds 50 items before byte \d+, but its checkpoint counts 40/,
    ],
    ['a negative page count', (saved) => ((saved.checkpoint as { pages: number }).pages = -1), /its counts .* are not whole numbers/],
    ['another strategy', (saved) => ((saved.checkpoint as { strategy: string }).strategy = 'cursor:x'), /for strategy "cursor:x"/],
    ['no next request', (saved) => delete (saved.checkpoint as { next?: unknown }).next, /names no next request/],
    ['version 2', (saved) => (saved.version = 2), /its version is 2/],
  ])('%s', async (_what, change, message) => {
    const api = await stopped();
    edit(change);
    const before = { output: readFileSync(out(), 'utf8'), checkpoint: readFileSync(file(), 'utf8') };
    const result = await cli('collect', api.url, '--out', out());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect({ output: readFileSync(out(), 'utf8'), checkpoint: readFileSync(file(), 'utf8') }).toEqual(before);
  });

  it('an output file edited by hand (a line removed): refused, untouched', async () => {
    const api = await stopped();
    const text = readFileSync(out(), 'utf8');
    writeFileSync(out(), text.replace('{"id":3}\n', '{"id":3,"x":1}\n'));
    const result = await cli('collect', api.url, '--out', out());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds \d+ bytes|ends inside a line|holds \d+ items/);
  });
});

it('credentials in the URL: never stored or printed; the checkpoint is 0600 and the resume sends them again', async () => {
  const tokens: (string | null)[] = [];
  const auth: (string | undefined)[] = [];
  let down = true;
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    tokens.push(url.searchParams.get('access_token'));
    auth.push(req.headers.authorization);
    const page = Number(url.searchParams.get('page') ?? 1);
    if (page > 2 && down) return json(res, 503, {});
    json(res, 200, { items: [{ id: page }], total_pages: 4 });
  });
  servers.push(server);
  const target = `http://user:pa55word@${server.url.slice('http://'.length)}/items?access_token=S3CRET&page=1`;
  const failed = await cli('collect', target, '--out', out(), '--retries', '0');
  expect(failed.code).toBe(1);
  const checkpoint = readFileSync(`${out()}.checkpoint.json`, 'utf8');
  expect(checkpoint).not.toMatch(/S3CRET|pa55word/);
  expect(statSync(`${out()}.checkpoint.json`).mode & 0o777).toBe(0o600);
  expect(failed.stderr).not.toMatch(/S3CRET|pa55word/);
  down = false;
  const resumed = await cli('collect', target, '--out', out(), '--retries', '0');
  expect(resumed.code).toBe(0);
  expect(lines()).toEqual([1, 2, 3, 4]);
  expect(tokens.every((t) => t === 'S3CRET')).toBe(true);
  expect(auth.every((a) => a === `Basic ${Buffer.from('user:pa55word').toString('base64')}`)).toBe(true);
});

it.each<[string, (url: string) => string[], RegExp]>([
  [
    '--out in a directory that does not exist',
    (url) => ['collect', url, '--out', '/no/such/dir/items.jsonl'],
    /--out \/no\/such\/dir\/items.jsonl: the directory \/no\/such\/dir does not exist/,
  ],
  [
    '--checkpoint in a directory that does not exist',
    (url) => ['collect', url, '--checkpoint', '/no/such/cp.json'],
    /the checkpoint \/no\/such\/cp.json: the directory/,
  ],
])('%s: exit 2, a message, no stack trace', async (_what, args, message) => {
  const api = await pagedApi();
  const result = await cli(...args(api.url));
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

it('a URL with a malformed escape (%ZZ) is collected, not a stack trace', async () => {
  const api = await pagedApi();
  const result = await cli('collect', `${api.url}?q=%ZZ`, '--out', out());
  expect(result.stderr).not.toMatch(/\n\s+at |unexpected error/);
  expect(result.code).toBe(0);
});

it('a full disk: exit 1 saying so, and no empty temp file left', async () => {
  const api = await pagedApi();
  const checkpoint = path.join(dir, 'walk.checkpoint.json');
  const result = await cli('collect', api.url, '--out', '/dev/full', '--checkpoint', checkpoint);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/could not write \/dev\/full: ENOSPC/);
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
});

it('TOTAL_MISMATCH keeps a checkpoint: the same command fetches the last page again, every item once', async () => {
  let stated = 25;
  const server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
    const items = Array.from({ length: page < 3 ? 10 : stated - 20 }, (_, i) => ({ id: (page - 1) * 10 + i }));
    json(res, 200, { items, total_pages: 3, total: 30 });
  });
  servers.push(server);
  const args = ['collect', `${server.url}/items`, '--out', out(), '--strategy', 'page', '--total-pages', 'total_pages', '--total', 'total'];
  const failed = await cli(...args);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toMatch(/TOTAL_MISMATCH: the API stated 30 items, 25 were collected/);
  expect(failed.stderr).toMatch(/run the same command again to resume/);
  stated = 30; // the API finished updating
  const again = await cli(...args);
  expect(again.code).toBe(0);
  expect(lines()).toEqual(range(30));
});

it.each<[string, unknown, RegExp]>([
  ['STRATEGY_UNKNOWN', { data: [{ name: 'a' }], has_more: true }, /--strategy link \| next --next <path>/],
  ['ITEMS_NOT_FOUND', { payload: 1 }, /--items <path>/],
])('%s: the hint names the command’s flags, not library functions', async (_code, body, flags) => {
  const server = await startServer((_req, res) => json(res, 200, body));
  servers.push(server);
  const result = await cli('collect', `${server.url}/x`, '--out', out());
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(flags);
});

describe('an outage: the command waits it out, one probe at a time, and says so', () => {
  it('the API down for ~3.5 s mid-walk (503s): exit 0, every item once, few requests while down', async () => {
    const api = await pagedApi();
    Object.assign(api.state, { holdAfter: 5, down: true });
    const run = start(['collect', api.url, '--out', out()]);
    await until(() => savedItems() === 50);
    const downAt = api.state.headers.length;
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const whileDown = api.state.headers.length - downAt;
    api.state.down = false;
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(lines()).toEqual(range(ITEMS));
    // The pages in flight when it went down, until it looked down (4 failures from 2 requests, for an API that
    // was healthy), then probes after ~1 and ~3 s: not the hundreds a retry loop sends.
    expect(whileDown).toBeLessThanOrEqual(12);
    expect(result.stderr).toMatch(/API down since \d\d:\d\d:\d\d — next probe in \d+ s \(\d+ probes? sent; last: status 503\)/);
    expect(result.stderr).toMatch(/complete: 200 items.*1 outage/);
  });

  it('a dead API from the start with --patience 3s: exit 1 after its patience, having said why while it waited', async () => {
    const server = await startServer((_req, res) => json(res, 503, { error: 'down' }));
    servers.push(server);
    const started = Date.now();
    const result = await cli('collect', `${server.url}/items`, '--out', out(), '--patience', '3s');
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expect(result.stderr).toMatch(/failed \(PAGE_FAILED: .*the API is down since/);
    // Nothing came in for over 3 s: it said what it waited for (a retry, the outage) as it went.
    expect(result.stderr.match(/axios-steady: (retrying|API down since|API recovering)/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
  });

  it.each<[string[], RegExp]>([
    [['--patience', 'soon'], /--patience must be a duration such as 30s, 10m or 2h/],
    [['--patience', '1d'], /--patience must be a duration/],
  ])('%j: a usage error', async (flags, message) => {
    const result = await cli('collect', 'http://127.0.0.1:9/x', ...flags);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
