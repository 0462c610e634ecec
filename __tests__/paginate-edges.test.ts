// What the outside found in the walk: raw and text bodies, a total reached, pages that map to equal items,
// readers that are async or throw, credentials on other origins, and failures that say why — each against a
// real server on 127.0.0.1.
import axios from 'axios';
import { attach, collect, linkHeader, pageNumber, PaginationError, steadyInfo, type Progress } from '../src/index.js';
import { json, startServer, type TestServer } from '../test/servers/with-server.js';

const ids = (items: unknown[]) => items.map((item) => (item as { id: number }).id);
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A page-number API over `total` items, 10 a page, with a page count; `body(page)` may answer otherwise. */
const pagesApi = async (total: number, options: { type?: string; body?: (page: number, items: unknown[]) => string | undefined } = {}) =>
  (server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
    const items = Array.from({ length: Math.max(0, Math.min(10, total - (page - 1) * 10)) }, (_, i) => ({ id: (page - 1) * 10 + i }));
    const body = options.body?.(page, items) ?? JSON.stringify({ items, total_pages: Math.ceil(total / 10) });
    res.writeHead(200, { 'content-type': options.type ?? 'application/json' });
    res.end(body);
  }));

describe('a body the walk gets as text', () => {
  it.each([
    ['transformResponse passes the text through', { transformResponse: [(d: unknown) => d] }],
    ['responseType: text', { responseType: 'text' as const }],
  ])('%s: parsed for the walk, every item, no retries (an attached instance)', async (_what, config) => {
    const api = await pagesApi(35);
    const client = axios.create({ baseURL: api.url, ...config });
    const steady = attach(client);
    expect(ids(await collect(client, '/items'))).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(steady.stats().retries).toBe(0);
    expect(api.seen.arrivals).toHaveLength(4);
    steady.detach();
  });

  it('NDJSON (Accept: application/x-ndjson): each line an item', async () => {
    const api = await pagesApi(3, {
      type: 'application/x-ndjson',
      body: (_page, items) => `${items.map((item) => JSON.stringify(item)).join('\n')}\n`,
    });
    const client = axios.create({ baseURL: api.url, headers: { Accept: 'application/x-ndjson' } });
    const steady = attach(client);
    expect(ids(await collect(client, '/items'))).toEqual([0, 1, 2]);
    steady.detach();
  });

  it('an HTML page answered 200 (a login page): retried 3 times, then PAGE_FAILED saying what came back — not 15 minutes of silence', async () => {
    const api = await pagesApi(30, { type: 'text/html', body: (page) => (page === 2 ? '<html><body>Sign in</body></html>' : undefined) });
    const client = axios.create({ baseURL: api.url });
    const steady = attach(client, { retry: { baseDelay: 1 } });
    const error = (await collect(client, '/items?page=1', { concurrency: 1 }).catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('PAGE_FAILED');
    expect(error.message).toMatch(
      /answered 200 with a body the walk cannot read \(text\/html, "<html><body>Sign in<\/body><\/html>"\) 4 times/,
    );
    expect(error.message).not.toMatch(/validateResponse/);
    expect(api.seen.arrivals.filter((a) => a.path.includes('page=2'))).toHaveLength(4);
    expect(ids(error.items)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    steady.detach();
  });

  it('…and on a plain instance at once', async () => {
    const api = await pagesApi(30, { type: 'text/plain', body: (page) => (page === 2 ? 'maintenance' : undefined) });
    const error = (await collect(axios.create({ baseURL: api.url }), '/items?page=1', { concurrency: 1 }).catch(
      (e: unknown) => e,
    )) as PaginationError;
    expect(error.code).toBe('PAGE_FAILED');
    expect(error.message).toMatch(/text\/plain, "maintenance"/);
    expect(api.seen.arrivals.filter((a) => a.path.includes('page=2'))).toHaveLength(1);
  });
});

it('pageNumber({ totalItems }) stops when every stated item is in: no request past the end', async () => {
  // The API answers an out-of-range page with an error, as many do.
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
    if (page > 3) return json(res, 400, { error: 'page out of range' });
    json(res, 200, { data: Array.from({ length: page < 3 ? 10 : 5 }, (_, i) => ({ id: (page - 1) * 10 + i })), total: 25 });
  });
  const items = await collect(axios.create({ baseURL: server.url }), '/items', {
    strategy: pageNumber({ totalItems: (r) => r.data.total }),
  });
  expect(ids(items)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  expect(server.seen.arrivals).toHaveLength(3);
});

it('two different pages whose items() map to equal values are not STUCK: pages are told apart by what the API sent', async () => {
  const api = await pagesApi(30);
  const items = await collect(axios.create({ baseURL: api.url }), '/items', {
    items: (res) => (res.data.items as { id: number }[]).map(() => 'open'),
  });
  expect(items).toHaveLength(30);
});

it('an async items() reader is awaited; one that throws is ITEMS_NOT_FOUND with its error as the cause', async () => {
  const api = await pagesApi(25);
  const client = axios.create({ baseURL: api.url });
  expect(ids(await collect(client, '/items', { items: async (res) => res.data.items }))).toHaveLength(25);
  const thrown = new Error('no such field');
  const error = (await collect(client, '/items', {
    items: () => {
      throw thrown;
    },
  }).catch((e: unknown) => e)) as PaginationError;
  expect(error.code).toBe('ITEMS_NOT_FOUND');
  expect(error.message).toMatch(/items\(\) threw for .*: no such field/);
  expect(error.cause).toBe(thrown);
});

it('STRATEGY_UNKNOWN counts what the walk read (a custom items() reader), not what the default reader found', async () => {
  server = await startServer((_req, res) => json(res, 200, { payload: { things: [{ id: 1 }] }, meta: { total: 2 } }));
  const error = (await collect(axios.create({ baseURL: server.url }), '/x', { items: (r) => r.data.payload.things }).catch(
    (e: unknown) => e,
  )) as PaginationError;
  expect(error.code).toBe('STRATEGY_UNKNOWN');
  expect(error.message).toMatch(/holds 1 of 2 items/);
});

describe('credentials stay with the walk’s origin', () => {
  it('a next link on an origin allowOrigins lets through gets no Authorization, Cookie or basic auth; the home origin does', async () => {
    const foreign = await startServer((req, res) =>
      json(res, 200, { items: [{ id: 2, authorization: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null }] }),
    );
    server = await startServer((req, res) =>
      json(res, 200, { items: [{ id: 1, authorization: req.headers.authorization ?? null }], next: `${foreign.url}/more` }),
    );
    try {
      for (const config of [
        { headers: { Authorization: 'Bearer secret', Cookie: 'session=secret' } },
        { auth: { username: 'user', password: 'secret' } },
      ]) {
        const client = axios.create({ baseURL: server.url, ...config });
        const items = (await collect(client, '/items', { allowOrigins: [foreign.url] })) as { id: number; authorization: string | null }[];
        expect(items[0]?.authorization).toMatch(/^(Bearer|Basic) /);
        expect(items[1]).toEqual({ id: 2, authorization: null, cookie: null });
      }
    } finally {
      await foreign.close();
    }
  });
});

describe('failures say why', () => {
  it('a 401 page: PAGE_FAILED carries the server’s own message', async () => {
    server = await startServer((_req, res) => json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs' }));
    const error = (await collect(axios.create({ baseURL: server.url }), '/items').catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('PAGE_FAILED');
    expect(error.message).toMatch(/status code 401 — the server said "\{\\"message\\":\\"Bad credentials\\"/);
  });

  it('a 429 whose Retry-After is beyond maxRetryAfter: why it was not waited, in steadyInfo and the PaginationError', async () => {
    server = await startServer((_req, res) => json(res, 429, {}, { 'Retry-After': '3600' }));
    const client = axios.create({ baseURL: server.url });
    const steady = attach(client);
    const error = (await collect(client, '/items').catch((e: unknown) => e)) as PaginationError;
    const reason = 'the server asked to wait 3600 s (retry-after), longer than maxRetryAfter (60 s); not waited';
    expect(steadyInfo(error.cause)).toMatchObject({ stoppedBy: 'retry-after-too-long', reason });
    expect(error.message).toContain(reason);
    expect((error.cause as Error).message).toBe('Request failed with status code 429');
    steady.detach();
  });

  it('TOTAL_MISMATCH carries a checkpoint that fetches the last page again', async () => {
    const api = await pagesApi(25, {
      body: (page, items) => JSON.stringify({ items, total_pages: 3, total: 30 }),
    });
    const client = axios.create({ baseURL: api.url });
    const strategy = pageNumber({ totalPages: (r) => r.data.total_pages, totalItems: (r) => r.data.total });
    const error = (await collect(client, '/items', { strategy }).catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('TOTAL_MISMATCH');
    expect(error.items).toHaveLength(25);
    expect(error.checkpoint).toMatchObject({ next: { url: '/items', params: { page: 3 } }, pages: 2, items: 20 });
  });
});

it('a Link walk reads X-Total-Count for its progress (and checks it)', async () => {
  server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
    json(res, 200, [{ id: page }], { 'X-Total-Count': '3', ...(page < 3 && { Link: `</items?page=${page + 1}>; rel="next"` }) });
  });
  const progress: Progress[] = [];
  await collect(axios.create({ baseURL: server.url }), '/items', { strategy: linkHeader(), onProgress: (p) => progress.push(p) });
  expect(progress.map((p) => p.totalItems)).toEqual([3, 3, 3]);
});
