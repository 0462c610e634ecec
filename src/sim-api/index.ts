/// <reference types="node" />
// A simulated third-party JSON API on 127.0.0.1: paginated five ways, optionally rate limited with a
// fixed-window quota (Retry-After and RateLimit headers), with seeded faults. Tests, bench and demo use it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Paging = 'link' | 'cursor' | 'next' | 'page' | 'offset';
export type QuotaHeaders = 'none' | 'draft6' | 'draft7' | 'draft8' | 'xrate';

export interface SimOptions {
  /** Number of items; item i is { id: i }. */
  items?: number;
  /** Page size the API serves (clamps any larger requested limit). Default 10. */
  pageSize?: number;
  /** Latency of every response in ms. */
  latencyMs?: number;
  /** Fixed-window quota: `limit` requests per `windowMs`; beyond it 429 + Retry-After. */
  quota?: { limit: number; windowMs: number; headers?: QuotaHeaders };
  /**
   * Seeded faults on page requests, each a probability: a 503, a connection reset, a hang, a 200 whose JSON
   * body is cut short, a 200 with an HTML error page, a 429 with `Retry-After: 0`. Read on every request, so
   * a test may change them (or remove them) while the API runs.
   */
  faults?: { seed?: number; error503?: number; reset?: number; hang?: number; truncated?: number; html?: number; error429?: number };
  /** Misbehaviour for tests: a cursor that repeats, an A→B→A cycle, a next link on another origin. */
  misbehave?: 'repeat-cursor' | 'cycle' | 'foreign-next' | 'javascript-next';
  /** Report this total instead of the real one (to test mismatch detection). */
  statedTotal?: number;
  /** Allow any origin (for the browser example) and expose the headers a client needs. */
  cors?: boolean;
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
}

export interface SimStats {
  requests: number;
  pages: number;
  rateLimited: number;
  faults: number;
  inFlight: number;
  maxInFlight: number;
  /** Request arrival times (ms since epoch). */
  arrivals: number[];
  /** When each 429 was sent (ms since epoch). */
  limitedAt: number[];
}

export interface SimApi {
  readonly url: string;
  readonly stats: SimStats;
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG so fault runs are repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encode = (n: number) => Buffer.from(`c${n}`).toString('base64url');
const decode = (c: string) => Number(Buffer.from(c, 'base64url').toString().slice(1));

export async function startSimApi(options: SimOptions = {}): Promise<SimApi> {
  const total = options.items ?? 100;
  const size = options.pageSize ?? 10;
  const random = prng(options.faults?.seed ?? 1);
  const stats: SimStats = { requests: 0, pages: 0, rateLimited: 0, faults: 0, inFlight: 0, maxInFlight: 0, arrivals: [], limitedAt: [] };
  let windowStart = Date.now();
  let used = 0;
  let base = '';

  const quotaHeaders = (res: http.ServerResponse) => {
    const q = options.quota;
    if (!q || q.headers === 'none' || q.headers === undefined) return;
    const remaining = Math.max(0, q.limit - used);
    const resetSec = Math.max(0, Math.ceil((windowStart + q.windowMs - Date.now()) / 1000));
    if (q.headers === 'draft6') {
      res.setHeader('RateLimit-Limit', q.limit);
      res.setHeader('RateLimit-Remaining', remaining);
      res.setHeader('RateLimit-Reset', resetSec);
      res.setHeader('RateLimit-Policy', `${q.limit};w=${Math.round(q.windowMs / 1000)}`);
    } else if (q.headers === 'draft7') {
      res.setHeader('RateLimit', `limit=${q.limit}, remaining=${remaining}, reset=${resetSec}`);
      res.setHeader('RateLimit-Policy', `${q.limit};w=${Math.round(q.windowMs / 1000)}`);
    } else if (q.headers === 'draft8') {
      res.setHeader('RateLimit', `"default";r=${remaining};t=${resetSec}`);
      res.setHeader('RateLimit-Policy', `"default";q=${q.limit};w=${Math.round(q.windowMs / 1000)}`);
    } else {
      res.setHeader('X-RateLimit-Limit', q.limit);
      res.setHeader('X-RateLimit-Remaining', remaining);
      res.setHeader('X-RateLimit-Used', used);
      res.setHeader('X-RateLimit-Reset', Math.ceil((windowStart + q.windowMs) / 1000));
    }
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    quotaHeaders(res);
    if (options.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader(
        'Access-Control-Expose-Headers',
        'Retry-After, Link, RateLimit, RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
      );
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const FAULTS = ['hang', 'reset', 'error503', 'truncated', 'html', 'error429'] as const;
  const pickFault = (): (typeof FAULTS)[number] | undefined => {
    const f = options.faults;
    if (!f) return undefined;
    let roll = random();
    for (const fault of FAULTS) {
      roll -= f[fault] ?? 0;
      if (roll < 0) return fault;
    }
    return undefined;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const q = options.quota;
    if (q) {
      const now = Date.now();
      if (now >= windowStart + q.windowMs) {
        windowStart = now - ((now - windowStart) % q.windowMs);
        used = 0;
      }
      if (used >= q.limit) {
        stats.rateLimited++;
        stats.limitedAt.push(Date.now());
        const retryAfter = Math.max(1, Math.ceil((windowStart + q.windowMs - now) / 1000));
        return send(res, 429, { error: 'rate limited' }, { 'Retry-After': String(retryAfter) });
      }
      used++;
    }
    const fault = pickFault();
    if (fault) {
      stats.faults++;
      if (fault === 'hang') return; // never answers
      if (fault === 'reset') return void req.socket.destroy();
      if (fault === 'error503') return send(res, 503, { error: 'unavailable' });
      if (fault === 'error429') return send(res, 429, { error: 'slow down' }, { 'Retry-After': '0' });
      res.writeHead(200, { 'content-type': fault === 'html' ? 'text/html' : 'application/json' });
      return void res.end(fault === 'html' ? '<html><body>Service temporarily overloaded</body></html>' : '{"items":[{"id":0},{"i');
    }
    if (url.pathname.startsWith('/status/')) return send(res, Number(url.pathname.slice(8)), { status: 'as asked' });
    const mode = url.pathname.split('/')[1] as Paging;
    const param = (name: string) => url.searchParams.get(name);
    let start = 0;
    let count = size;
    if (mode === 'page') start = (Number(param('page') ?? 1) - 1) * size;
    else if (mode === 'offset') {
      start = Number(param('offset') ?? 0);
      count = Math.min(size, Number(param('limit') ?? size));
    } else if (mode === 'cursor' && param('cursor')) start = decode(param('cursor') as string);
    else if ((mode === 'link' || mode === 'next') && param('from')) start = Number(param('from'));
    const items = Array.from({ length: Math.max(0, Math.min(count, total - start)) }, (_, i) => ({ id: start + i }));
    stats.pages++;
    const after = start + items.length;
    const more = after < total;
    const stated = options.statedTotal ?? total;
    let nextHref: string | null = more ? `${base}/${mode}?from=${after}` : null;
    if (options.misbehave === 'foreign-next' && start > 0) nextHref = `http://evil.invalid/${mode}?from=${after}`;
    if (options.misbehave === 'javascript-next' && more) nextHref = 'javascript:alert(1)';
    if (options.misbehave === 'cycle' && start >= 2 * size) nextHref = `${base}/${mode}?from=${size}`;
    switch (mode) {
      case 'link':
        return send(res, 200, items, nextHref ? { Link: `<${nextHref}>; rel="next", <${base}/${mode}>; rel="first"` } : {});
      case 'next':
        return send(res, 200, { results: items, next: nextHref, count: stated });
      case 'cursor': {
        let next = more ? encode(after) : null;
        if (options.misbehave === 'repeat-cursor' && start >= size) next = encode(start);
        if (options.misbehave === 'cycle' && start >= 2 * size) next = encode(size);
        return send(res, 200, { data: items, next_cursor: next });
      }
      case 'page':
        return send(res, 200, { items, page: start / size + 1, total_pages: Math.ceil(stated / size), total: stated });
      case 'offset':
        return send(res, 200, { records: items, total: stated });
      default:
        return send(res, 404, { error: 'unknown' });
    }
  };

  const server = http.createServer((req, res) => {
    stats.requests++;
    stats.arrivals.push(Date.now());
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      stats.inFlight--;
    };
    res.on('close', settle);
    handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
