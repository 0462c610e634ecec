// Zero-config collection of real API shapes (each imitated from its public docs on 127.0.0.1): no strategy
// given, every item once, in order, and the chosen strategy told through onProgress. A total with no way to
// the rest rejects (STRATEGY_UNKNOWN) instead of resolving short; an API that ignores the page parameter is
// caught within 3 requests (STUCK).
import axios from 'axios';
import { attach, collect, PaginationError, type Progress } from '../src/index.js';
import { FIRST, SHAPES, startShapeApi } from '../test/servers/shapes.js';

const ids = (items: unknown[]) => items.map((i) => (i as { id: number }).id);
const all = Array.from({ length: 47 }, (_, i) => i);

it.each(SHAPES)('%s: collected without a strategy, every item once, in order', async (shape) => {
  const api = await startShapeApi(shape);
  try {
    const client = axios.create({ baseURL: api.url });
    const steady = attach(client);
    const progress: Progress[] = [];
    const items = await collect(client, FIRST[shape], { onProgress: (p) => progress.push(p) });
    steady.detach();
    expect(ids(items)).toEqual(all);
    expect(progress[0]?.strategy).not.toBe('auto');
  } finally {
    await api.close();
  }
});

it('a first page whose total says more exist, with no way to them: STRATEGY_UNKNOWN (its items kept)', async () => {
  const api = await startShapeApi('offset-total', 237, 'no-hint');
  try {
    const error = (await collect(axios.create({ baseURL: api.url }), '/items').catch((e: unknown) => e)) as PaginationError;
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.code).toBe('STRATEGY_UNKNOWN');
    expect(error.message).toMatch(/holds 10 of 237 items/);
    expect(error.items).toHaveLength(10);
  } finally {
    await api.close();
  }
});

it('an API that ignores the page parameter: STUCK within 3 requests', async () => {
  const api = await startShapeApi('json-server-1.0', 47, 'ignore-page');
  try {
    const error = (await collect(axios.create({ baseURL: api.url }), FIRST['json-server-1.0'], { concurrency: 1 }).catch(
      (e: unknown) => e,
    )) as PaginationError;
    expect(error.code).toBe('STUCK');
    expect(api.requests()).toBeLessThanOrEqual(3);
    expect(ids(error.items)).toEqual(all.slice(0, 10));
  } finally {
    await api.close();
  }
});

it('a total that is not a number is an error, not "no total"; nextUrl giving a page number too', async () => {
  const api = await startShapeApi('drf');
  try {
    const client = axios.create({ baseURL: api.url });
    const { pageNumber, nextUrl } = await import('../src/index.js');
    await expect(collect(client, '/x', { strategy: pageNumber({ totalPages: () => 'many' as never }) })).rejects.toThrow(
      /a total must be a whole number/,
    );
    await expect(collect(client, '/x', { strategy: nextUrl({ next: () => 2 as never }) })).rejects.toThrow(
      /nextUrl.next must return a URL string/,
    );
    expect(
      await collect(client, '/x', { strategy: pageNumber({ totalPages: (r) => String(Math.ceil(r.data.count / 10)) as never }) }),
    ).toHaveLength(47);
  } finally {
    await api.close();
  }
});

describe('bad pages are retried', () => {
  const serve = async (bad: (n: number) => string | undefined) => {
    let n = 0;
    const { startServer } = await import('../test/servers/with-server.js');
    return startServer((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      const body = page === 2 ? bad(n++) : undefined;
      if (body !== undefined) {
        res.writeHead(200, { 'content-type': body.startsWith('<') ? 'text/html' : 'application/json' });
        return void res.end(body);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: Array.from({ length: 10 }, (_, i) => ({ id: (page - 1) * 10 + i })), total_pages: 3 }));
    });
  };

  it.each([
    ['an HTML error page', '<html><body>502 Bad Gateway</body></html>'],
    ['JSON cut short', '{"items":[{"id":10},{"id'],
  ])('%s, twice: retried, then every item', async (_name, body) => {
    const server = await serve((n) => (n < 2 ? body : undefined));
    try {
      const client = axios.create({ baseURL: server.url });
      const steady = attach(client, { retry: { baseDelay: 1 } });
      expect(ids(await collect(client, '/items?page=1'))).toEqual(all.slice(0, 30));
      expect(steady.stats().retries).toBe(2);
      steady.detach();
    } finally {
      await server.close();
    }
  });

  it('an API that keeps answering HTML: PAGE_FAILED naming the content type and the first bytes', async () => {
    const server = await serve(() => '<html><body>maintenance</body></html>');
    try {
      const client = axios.create({ baseURL: server.url });
      const steady = attach(client, { retry: { baseDelay: 1, maxDelay: 2 } });
      const error = (await collect(client, '/items?page=1', { config: { steady: { retry: { retries: 2 } } } }).catch(
        (e: unknown) => e,
      )) as PaginationError;
      expect(error.code).toBe('PAGE_FAILED');
      expect(error.message).toMatch(/text\/html.*<html><body>maintenance/);
      expect(error.items).toHaveLength(10);
      steady.detach();
    } finally {
      await server.close();
    }
  });

  it('valid JSON without an array: ITEMS_NOT_FOUND naming the keys it looked under (not retried)', async () => {
    const server = await serve(() => '{}');
    try {
      const error = (await collect(axios.create({ baseURL: server.url }), '/items?page=1').catch((e: unknown) => e)) as PaginationError;
      expect(error.code).toBe('ITEMS_NOT_FOUND');
      expect(error.message).toMatch(/items, data, results.*members/);
    } finally {
      await server.close();
    }
  });
});
