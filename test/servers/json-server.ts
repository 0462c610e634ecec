// json-server 0.17 (express 4: weak ETags, 304 for a matching If-None-Match; `_page`/`_limit` with a Link header
// and X-Total-Count; `field_gte` filters; `_sort`) behind express-rate-limit 8 configured as GitHub's policy: a
// 304 does not count against the quota (skipSuccessfulRequests, with 304 the only "successful" status). Nobody
// here wrote either: what a conditional or incremental re-collection does is checked against what they do.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rateLimit } from 'express-rate-limit';
import jsonServer from 'json-server';

export interface Item {
  id: number;
  name: string;
  updated_at: string;
}

export interface JsonApi {
  readonly url: string;
  /** Statuses the API answered, in order. */
  readonly statuses: number[];
  /** Requests the rate limiter counted against the quota in its current window. */
  counted(): Promise<number>;
  /** The collection as the API holds it now (for the expected result of a fresh collection). */
  items(): Item[];
  change(id: number, patch: Partial<Item>): void;
  add(item: Item): void;
  remove(id: number): void;
  close(): Promise<void>;
}

/** The clock items are stamped with: strictly increasing ISO dates, so that `updated_at_gte` sees every change. */
let tick = Date.parse('2026-01-01T00:00:00Z');
export const stamp = () => new Date((tick += 1000)).toISOString().replace('.000Z', 'Z');

/** `count` items with ids 1…count, stamped in order. */
export const seedItems = (count: number): Item[] =>
  Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, updated_at: stamp() }));

/** `fault(url)`: a status to answer instead of the API (a 500 midway through a run), or undefined. */
export async function startJsonServer(seed: Item[], limit = 10_000, fault?: (url: string) => number | undefined): Promise<JsonApi> {
  const app = jsonServer.create();
  const router = jsonServer.router<Item>({ items: seed.map((item) => ({ ...item })) });
  const statuses: number[] = [];
  const limiter = rateLimit({
    windowMs: 60 * 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode === 304,
  });
  app.use((req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
    res.on('finish', () => statuses.push(res.statusCode));
    next();
  });
  app.use(limiter);
  app.use((req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => {
    const status = fault?.(req.url ?? '/');
    if (status === undefined) return next();
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"fault"}');
  });
  app.use(...jsonServer.defaults({ logger: false }));
  app.use(router);
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 2000;
  const items = router.db.get('items');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    statuses,
    counted: async () => (await limiter.getKey('127.0.0.1'))?.totalHits ?? 0,
    items: () => items.value().map((item) => ({ ...item })),
    change: (id, patch) =>
      void items
        .find({ id })
        .assign({ ...patch, updated_at: stamp() })
        .write(),
    add: (item) => void items.push(item).write(),
    remove: (id) => void items.remove({ id }).write(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
