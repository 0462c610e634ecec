// A paged JSON API behind a real rate limiter on 127.0.0.1: express-rate-limit 8 (draft-6/7/8 or legacy
// X-RateLimit headers), @fastify/rate-limit (x-ratelimit-*, delta reset), rate-limiter-flexible (only
// Retry-After on 429), and two written here because no middleware ships them with headers: a sliding-window
// log (reset = when the oldest counted request leaves) and a token bucket (reset = until full).
// Every body: { items: [{ id }], page, total_pages }.
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RateLimiterMemory } from 'rate-limiter-flexible';

export const LIMITERS = ['erl-draft6', 'erl-draft7', 'erl-draft8', 'erl-legacy', 'fastify', 'flexible', 'sliding', 'bucket'] as const;
export type LimiterKind = (typeof LIMITERS)[number];

/** Whether the limiter tells its quota in headers (all but rate-limiter-flexible, which sends Retry-After only). */
export const withHeaders = (kind: LimiterKind) => kind !== 'flexible';

export interface LimitedApi {
  readonly url: string;
  /**
   * Requests that reached the limiter, and how many it refused; `verdicts` (rate-limiter-flexible, sliding and
   * bucket): each request's verdict in the order the limiter gave them, true for allowed; `arrivals`
   * (express-rate-limit): when each request reached the limiter (ms since epoch).
   */
  readonly stats: { requests: number; rateLimited: number; verdicts: boolean[]; arrivals: number[] };
  close(): Promise<void>;
}

export interface LimitedOptions {
  kind: LimiterKind;
  /** Requests allowed per window (the bucket's capacity; it refills `limit` per `windowMs`). */
  limit: number;
  windowMs: number;
  items: number;
  pageSize?: number;
  latencyMs?: number;
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

function page(url: URL, items: number, size: number) {
  const n = Number(url.searchParams.get('page') ?? 1);
  const start = (n - 1) * size;
  return {
    items: Array.from({ length: Math.max(0, Math.min(size, items - start)) }, (_, i) => ({ id: start + i })),
    page: n,
    total_pages: Math.ceil(items / size),
  };
}

/** A sliding-window log: a request is allowed while fewer than `limit` were allowed in the last `windowMs`. */
function slidingLog(limit: number, windowMs: number) {
  const log: number[] = [];
  return (now: number) => {
    while (log.length > 0 && (log[0] as number) <= now - windowMs) log.shift();
    const allowed = log.length < limit;
    if (allowed) log.push(now);
    const resetMs = log.length > 0 ? (log[0] as number) + windowMs - now : 0;
    return { allowed, remaining: limit - log.length, resetMs, retryMs: allowed ? 0 : resetMs };
  };
}

/** A token bucket (GCRA-like): `limit` tokens, refilled continuously at limit per windowMs. */
function tokenBucket(limit: number, windowMs: number) {
  let tokens = limit;
  let at = Date.now();
  const rate = limit / windowMs;
  return (now: number) => {
    tokens = Math.min(limit, tokens + (now - at) * rate);
    at = now;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    return { allowed, remaining: Math.floor(tokens), resetMs: (limit - tokens) / rate, retryMs: allowed ? 0 : (1 - tokens) / rate };
  };
}

async function listen(server: http.Server, stats: LimitedApi['stats']): Promise<LimitedApi> {
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startLimitedApi(options: LimitedOptions): Promise<LimitedApi> {
  const { kind, limit, windowMs, items, pageSize = 10, latencyMs = 5 } = options;
  const stats = { requests: 0, rateLimited: 0, verdicts: [] as boolean[], arrivals: [] as number[] };
  const delay = () => new Promise((resolve) => setTimeout(resolve, latencyMs));

  if (kind.startsWith('erl-')) {
    const app = express();
    app.use((_req, _res, next) => void (stats.requests++, stats.arrivals.push(Date.now()), next()));
    const standard = kind === 'erl-legacy' ? false : (kind.slice(4).replace('draft', 'draft-') as 'draft-6' | 'draft-7' | 'draft-8');
    app.use(
      rateLimit({
        windowMs,
        limit,
        standardHeaders: standard,
        legacyHeaders: kind === 'erl-legacy',
        handler: (_req, res, _next, opts) => void (stats.rateLimited++, res.status(opts.statusCode).json({ error: 'rate limited' })),
      }),
    );
    app.get('/page', async (req, res) => {
      await delay();
      res.json(page(new URL(req.url, 'http://x'), items, pageSize));
    });
    return listen(http.createServer(app), stats);
  }

  if (kind === 'fastify') {
    const app = Fastify();
    app.addHook('onRequest', async () => void stats.requests++);
    await app.register(fastifyRateLimit, {
      max: limit,
      timeWindow: windowMs,
      onExceeded: () => void stats.rateLimited++,
    });
    app.get('/page', async (req) => {
      await delay();
      return page(new URL(req.url, 'http://x'), items, pageSize);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return {
      url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
      stats,
      close: () => app.close(),
    };
  }

  const flexible = new RateLimiterMemory({ points: limit, duration: windowMs / 1000 });
  const decide = kind === 'sliding' ? slidingLog(limit, windowMs) : kind === 'bucket' ? tokenBucket(limit, windowMs) : undefined;
  const server = http.createServer((req, res) => {
    stats.requests++;
    const send: Send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const ok = () => void delay().then(() => send(200, page(url, items, pageSize)));
    if (decide) {
      const d = decide(Date.now());
      const headers = {
        RateLimit: `limit=${limit}, remaining=${d.remaining}, reset=${Math.ceil(d.resetMs / 1000)}`,
        'RateLimit-Policy': `${limit};w=${Math.round(windowMs / 1000)}`,
      };
      stats.verdicts.push(d.allowed);
      if (d.allowed) return void delay().then(() => send(200, page(url, items, pageSize), headers));
      stats.rateLimited++;
      return send(429, { error: 'rate limited' }, { ...headers, 'Retry-After': String(Math.max(1, Math.ceil(d.retryMs / 1000))) });
    }
    flexible.consume('client').then(
      () => (stats.verdicts.push(true), ok()),
      (refused: { msBeforeNext: number }) => {
        stats.verdicts.push(false);
        stats.rateLimited++;
        send(429, { error: 'rate limited' }, { 'Retry-After': String(Math.max(1, Math.ceil(refused.msBeforeNext / 1000))) });
      },
    );
  });
  return listen(server, stats);
}
