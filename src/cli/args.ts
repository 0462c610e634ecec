/// <reference types="node" />
// The command line, parsed and checked with Node's own util.parseArgs (strict: an unknown flag is an error).
// Everything here is pure: argv in, a command or a UsageError out; nothing is sent and nothing is written.
import { parseArgs } from 'node:util';
import { dottedPath, duration, field, headers, int, rate, unescape, UsageError, type Field } from './flag-values.js';

export { UsageError, type Field } from './flag-values.js';

export const STRATEGIES = ['auto', 'link', 'cursor', 'next', 'page', 'offset'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface CollectCommand {
  readonly command: 'collect';
  /** The URL, without credentials (`user:password@` moves to `auth`). */
  readonly url: URL;
  /** Basic auth from the URL's `user:password@`: sent as axios' `auth`, never echoed or stored. */
  readonly auth?: { readonly username: string; readonly password: string };
  readonly strategy: StrategyName;
  readonly items?: string;
  readonly next?: Field;
  readonly param?: string;
  readonly total?: Field;
  readonly totalPages?: Field;
  readonly limit?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly concurrency: number;
  readonly rate?: number;
  readonly retries?: number;
  readonly maxItems?: number;
  readonly maxPages?: number;
  readonly timeout: number;
  /** How long to wait for a down API (ms; 0: fail at once). */
  readonly patience: number;
  readonly out?: string;
  readonly checkpoint?: string;
  readonly restart: boolean;
  /** A re-run collects everything again instead of asking page by page whether it changed. */
  readonly full: boolean;
  /** An incremental re-run: only items whose `field` is at least the last output's largest, merged by `key`. */
  readonly since?: { readonly field: string; readonly param: string; readonly key: string; readonly lookback: number };
  readonly quiet: boolean;
}

export interface DemoCommand {
  readonly command: 'demo';
  readonly out?: string;
  readonly quiet: boolean;
  /** Serve the simulated API (and print its URL) instead of collecting from it. */
  readonly serve: boolean;
  readonly port: number;
}

export type Command = CollectCommand | DemoCommand | { readonly command: 'help' | 'version' };

export const USAGE = `Usage:
  axios-steady collect <url> [options]   every item of a paginated JSON API, as JSONL
  axios-steady demo [--out file] [--serve [--port N]]
                                         collect from an embedded flaky, rate-limited API
  axios-steady --help | --version

Collect options:
  --strategy <s>        auto (default), link, cursor, next, page, offset
  --items <path>        where the items are in the body, e.g. data.items (default: found)
  --next <path>         cursor: the next cursor (required); next: the next URL (default: next)
  --param <name>        the query parameter: page (page), offset (offset), cursor (cursor)
  --total <path>        the number of items, e.g. meta.total, or header:X-Total-Count
  --total-pages <path>  page: the number of pages (pages are then fetched in parallel)
  --limit <n>           offset: the page size asked for (default 100)
  -H, --header 'Name: value'
                        a request header; repeat for more
  --concurrency <n>     pages in flight at once (default 4)
  --rate <n/s>          at most n requests a second (default: what the API's headers allow)
  --retries <n>         retries of a failing page (default: while the retry budget allows)
  --max-items <n>       stop after n items;  --max-pages <n>  stop after n pages
  --timeout <ms>        per attempt (default 30000)
  --patience <time>     how long to wait out a down API, e.g. 30s, 10m, 2h (default 10m; 0: fail at once)
  --out <file>          write to a file (default: stdout); the checkpoint is <file>.checkpoint.json
  --checkpoint <file>   where to keep the checkpoint (needed to resume when writing to stdout)
  --restart             discard a checkpoint and start over
  --full                a re-run fetches every page (default: asks whether each changed; a 304 reuses it)
  --since <path>        a re-run asks only for items whose <path> (e.g. updated_at) is at least the
                        largest in --out, and merges them into it; with --since-param and --key
  --since-param <name>  the query parameter that filters, e.g. since or updated_at_gte
  --key <path>          each item's primary key, e.g. id
  --lookback <time>     ask from this much earlier than the largest value, e.g. 5m (default 0)
  --quiet               no progress and no summary on stderr

Exit codes: 0 complete, 1 failed (the checkpoint is kept), 2 usage error, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM; the checkpoint is kept).
Run the same command again to resume from the checkpoint. Run it again after it completed to re-collect:
only what changed is fetched, and --out is replaced when the new run completes (<out>.pages.json keeps
each page's validators).`;

/** Parses argv (without node and the script); throws UsageError for anything it cannot run. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // util.parseArgs names the flag ("Unknown option '--bogus'"); keep its words, drop its stack.
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { command: 'help' };
  if (v.version) return { command: 'version' };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  const only = (flags: readonly string[], of: string) => {
    for (const flag of flags) if (v[flag as keyof typeof v] !== undefined) throw new UsageError(`--${flag} applies to ${of} only`);
  };
  if (command === 'demo')
    only(
      [
        'strategy',
        'items',
        'next',
        'param',
        'total',
        'total-pages',
        'limit',
        'header',
        'concurrency',
        'rate',
        'retries',
        'max-items',
        'max-pages',
        'timeout',
        'patience',
        'checkpoint',
        'restart',
        'full',
        'since',
        'since-param',
        'key',
        'lookback',
      ],
      'collect',
    );
  else only(['serve', 'port'], 'demo');
  if (command === 'demo') {
    if (rest.length > 0) throw new UsageError(`demo takes no URL, got "${rest.join(' ')}"`);
    return { command: 'demo', out: v.out, quiet: v.quiet ?? false, serve: v.serve ?? false, port: int('port', v.port, 0) ?? 0 };
  }
  if (command !== 'collect') throw new UsageError(`unknown command "${command}" (collect or demo)`);
  if (rest.length !== 1) throw new UsageError(rest.length === 0 ? 'collect needs a URL' : `collect takes one URL, got ${rest.length}`);
  let url: URL;
  try {
    url = new URL(rest[0] as string);
  } catch {
    throw new UsageError(`not a URL: "${rest[0]}" (an absolute http(s) URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`the URL must be http(s), got "${url.protocol}"`);
  const auth = url.username || url.password ? { username: unescape(url.username), password: unescape(url.password) } : undefined;
  url.username = '';
  url.password = '';
  const strategy = (v.strategy ?? 'auto') as StrategyName;
  if (!STRATEGIES.includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}, got "${v.strategy}"`);
  const needs = (flag: string, given: unknown, allowed: readonly StrategyName[]) => {
    if (given !== undefined && !allowed.includes(strategy))
      throw new UsageError(`--${flag} applies to --strategy ${allowed.join(' or ')}, not ${strategy}`);
  };
  needs('next', v.next, ['cursor', 'next']);
  needs('param', v.param, ['cursor', 'page', 'offset']);
  needs('total-pages', v['total-pages'], ['page']);
  needs('limit', v.limit, ['offset']);
  needs('total', v.total, ['page', 'offset']);
  if (strategy === 'cursor' && v.next === undefined)
    throw new UsageError('--strategy cursor needs --next <path> (where the next cursor is)');
  if (v.items !== undefined) dottedPath('items', v.items, 'data.items');
  const next = field('next', v.next);
  if (next && 'header' in next) throw new UsageError('--next reads the body; use --strategy link for a Link header');
  for (const flag of ['since-param', 'key', 'lookback'] as const)
    if (v[flag] !== undefined && v.since === undefined) throw new UsageError(`--${flag} applies to an incremental run: --since <path>`);
  if (v.since !== undefined) {
    if (v['since-param'] === undefined || v.key === undefined)
      throw new UsageError(
        '--since needs --since-param <name> (the query parameter that filters) and --key <path> (what identifies an item)',
      );
    if (v.out === undefined) throw new UsageError('--since merges into the last output: it needs --out <file>');
    if (v.full) throw new UsageError('--since and --full: choose one');
    for (const [flag, text] of [
      ['since', v.since],
      ['key', v.key],
    ] as const)
      dottedPath(flag, text, 'updated_at');
  }
  return {
    command: 'collect',
    url,
    ...(auth && { auth }),
    strategy,
    items: v.items,
    next,
    param: v.param,
    total: field('total', v.total),
    totalPages: field('total-pages', v['total-pages']),
    limit: int('limit', v.limit, 1),
    headers: headers(v.header ?? []),
    concurrency: int('concurrency', v.concurrency, 1) ?? 4,
    rate: rate(v.rate),
    retries: int('retries', v.retries, 0),
    maxItems: int('max-items', v['max-items'], 1),
    maxPages: int('max-pages', v['max-pages'], 1),
    timeout: int('timeout', v.timeout, 1) ?? 30_000,
    patience: duration('patience', v.patience) ?? 10 * 60_000,
    out: v.out,
    checkpoint: v.checkpoint,
    restart: v.restart ?? false,
    full: v.full ?? false,
    ...(v.since !== undefined && {
      since: { field: v.since, param: v['since-param'] as string, key: v.key as string, lookback: duration('lookback', v.lookback) ?? 0 },
    }),
    quiet: v.quiet ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      strategy: { type: 'string' },
      items: { type: 'string' },
      next: { type: 'string' },
      param: { type: 'string' },
      total: { type: 'string' },
      'total-pages': { type: 'string' },
      limit: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      retries: { type: 'string' },
      'max-items': { type: 'string' },
      'max-pages': { type: 'string' },
      timeout: { type: 'string' },
      patience: { type: 'string' },
      out: { type: 'string', short: 'o' },
      checkpoint: { type: 'string' },
      restart: { type: 'boolean' },
      full: { type: 'boolean' },
      since: { type: 'string' },
      'since-param': { type: 'string' },
      key: { type: 'string' },
      lookback: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      serve: { type: 'boolean' },
      port: { type: 'string' },
    },
  });
}
