// Zero-config collection of real API shapes (each imitated from its public docs on 127.0.0.1): no strategy
// given, every item once, in order, and the chosen strategy told through onProgress — with a relative first URL
// and a baseURL, or an absolute one and none. A page that hints at more pages in a way detection cannot follow
// rejects (STRATEGY_UNKNOWN) instead of resolving short; an API that ignores the page parameter is caught within
// 3 requests (STUCK), saying what was sent.
import axios from 'axios';
import fc from 'fast-check';
import { attach, collect, paginate, PaginationError, type Checkpoint, type Progress } from '../src/index.js';
import { FIRST, NAMED_OTHERWISE, SHAPES, startShapeApi, type Shape } from '../test/servers/shapes.js';
import { json, startServer } from '../test/servers/with-server.js';

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

it.each(SHAPES)('%s: an absolute first URL on an instance without baseURL keeps its query on every page', async (shape) => {
  // Found from outside: page 2 of `collect(axios.create(), 'https://api.stripe.com/v1/customers?limit=10')` went
  // out without its cursor or limit (STUCK), and page-number and offset walks without a total looped.
  const api = await startShapeApi(shape);
  try {
    expect(ids(await collect(axios.create(), `${api.url}${FIRST[shape]}`))).toEqual(all);
    expect(api.requests()).toBe(5);
  } finally {
    await api.close();
  }
});

it.each(NAMED_OTHERWISE)('%s (its cursor parameter is named otherwise): STUCK says what was sent and how to name it', async (shape) => {
  const api = await startShapeApi(shape);
  try {
    const error = (await collect(axios.create({ baseURL: api.url }), FIRST[shape]).catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('STUCK');
    expect(error.message).toMatch(/did not move on when sent (cursor|next_token)=9/);
    expect(error.message).toMatch(/cursor\(\{ param \}\)/);
    expect(ids(error.items)).toEqual(all.slice(0, 10));
    expect(api.requests()).toBe(2);
  } finally {
    await api.close();
  }
});

describe('a page that hints at more, in a way detection cannot follow: STRATEGY_UNKNOWN, never a short "single page"', () => {
  it.each<[string, unknown, RegExp]>([
    ['has_more without ids', { data: [{ name: 'a' }], has_more: true }, /has_more: true/],
    ['a next page that is neither a URL nor a number', { items: [{ id: 0 }], next_page: 'p2' }, /next_page: "p2"/],
    ['a numeric offset and no total', { results: [{ id: 0 }], offset: 10, limit: 1 }, /offset: 10/],
    [
      'a count nested in meta that says more exist',
      { data: [{ id: 0 }], meta: { paging: { total: 9 } } },
      /of 9 items \(meta\.paging\.total\)/,
    ],
    ['a scroll id (Elasticsearch’s scroll API)', { entries: [{ id: 0 }], _scroll_id: 'abc' }, /_scroll_id: "abc"/],
  ])('%s', async (_what, body, message) => {
    const server = await startServer((_req, res) => json(res, 200, body));
    try {
      const error = (await collect(axios.create({ baseURL: server.url }), '/x').catch((e: unknown) => e)) as PaginationError;
      expect(error).toBeInstanceOf(PaginationError);
      expect(error.code).toBe('STRATEGY_UNKNOWN');
      expect(error.message).toMatch(message);
      expect(error.items).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it.each<[string, unknown]>([
    ['next: null', { results: [{ id: 0 }], next: null, previous: null, count: 1 }],
    ['an empty cursor', { members: [{ id: 0 }], response_metadata: { next_cursor: '' } }],
    ['has_more: false beside a cursor', { results: [{ id: 0 }], next_cursor: 'x', has_more: false }],
    ['hasNextPage: false beside an end cursor', { nodes: [{ id: 0 }], pageInfo: { endCursor: 'x', hasNextPage: false } }],
    ['a total that is all there is', { items: [{ id: 0 }], total: 1 }],
    ['Google Calendar’s nextSyncToken on the last page', { items: [{ id: 0 }], nextSyncToken: 'sync' }],
  ])('…but hints that say "no more" are a single page: %s', async (_what, body) => {
    const server = await startServer((_req, res) => json(res, 200, body));
    try {
      expect(await collect(axios.create({ baseURL: server.url }), '/x')).toHaveLength(1);
      expect(server.seen.arrivals).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('a page number with nothing else is walked until an empty page', async () => {
    const server = await startServer((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      json(res, 200, { page, results: page <= 3 ? [{ id: page }] : [] });
    });
    try {
      expect(ids(await collect(axios.create({ baseURL: server.url }), '/x'))).toEqual([1, 2, 3]);
    } finally {
      await server.close();
    }
  });
});

it('zero-config property: every known shape, absolute or relative first URL, any size: every item once, never short', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...SHAPES),
      fc.integer({ min: 0, max: 90 }),
      fc.integer({ min: 1, max: 25 }),
      fc.boolean(),
      fc.boolean(),
      async (shape: Shape, total, size, absolute, attached) => {
        const api = await startShapeApi(shape, total, undefined, size);
        const client = absolute ? axios.create() : axios.create({ baseURL: api.url });
        const steady = attached ? attach(client) : undefined;
        try {
          const items = await collect(client, `${absolute ? api.url : ''}${FIRST[shape]}`);
          expect(ids(items)).toEqual(Array.from({ length: total }, (_, i) => i));
        } finally {
          steady?.detach();
          await api.close();
        }
      },
    ),
    { numRuns: 150, seed: Number(process.env.PROPERTY_SEED ?? 20261205) },
  );
}, 120_000);

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

describe('nothing escapes the walk’s rules', () => {
  it('a same-origin next link that redirects to another origin: CROSS_ORIGIN before anything reaches it', async () => {
    const foreign = await startServer((req, res) => json(res, 200, { items: [{ id: 'stolen', key: req.headers['x-api-key'] }] }));
    const home = await startServer((req, res) => {
      if (req.url?.includes('page=2')) return void res.writeHead(302, { Location: `${foreign.url}/steal` }).end();
      if (req.url?.includes('page=3')) return void res.writeHead(302, { Location: '/items?page=4' }).end();
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      json(res, 200, { items: [{ id: page }] }, page < 5 ? { Link: `</items?page=${page + 1}>; rel="next"` } : {});
    });
    try {
      const client = axios.create({ baseURL: home.url, headers: { 'X-Api-Key': 'secret' } });
      const error = (await collect(client, '/items').catch((e: unknown) => e)) as PaginationError;
      expect(error.code).toBe('CROSS_ORIGIN');
      expect(foreign.seen.arrivals).toHaveLength(0);
      expect(ids(error.items)).toEqual([1]);
    } finally {
      await foreign.close();
      await home.close();
    }
  });

  it('a same-origin redirect is followed; relative next links resolve against the page that named them', async () => {
    const server = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/old') return void res.writeHead(301, { Location: '/api/v1/items?page=2' }).end();
      const page = Number(url.searchParams.get('page') ?? 1);
      // page 1 names '/old' (redirected); page 2 names '?page=3' (relative to /api/v1/items); page 3 is the last.
      const next = page === 1 ? '/old' : page === 2 ? '?page=3' : null;
      json(res, 200, { items: [{ id: page }], next });
    });
    try {
      const client = axios.create({ baseURL: `${server.url}/api/v1` });
      expect(ids(await collect(client, '/items'))).toEqual([1, 2, 3]);
    } finally {
      await server.close();
    }
  });

  it('a Link header over 64 KiB is an error, not the end of the walk', async () => {
    // Node's HTTP client refuses headers over 16 KiB itself (PAGE_FAILED); another transport may pass one on.
    const link = `</items?page=2>; rel="next", ${'</x>; rel="y", '.repeat(6000)}`;
    const client = axios.create({
      baseURL: 'http://api.test',
      adapter: async (config) => ({ data: [{ id: 1 }], status: 200, statusText: 'OK', headers: { link }, config }),
    });
    const error = (await collect(client, '/items').catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('UNSAFE_URL');
    expect(error.message).toMatch(/Link header is \d+ characters/);
    expect(ids(error.items)).toEqual([1]);
  });
});

it('collect.withInfo: the items and what the walk did (pages, requests, retries, strategy, total checked)', async () => {
  const api = await startShapeApi('laravel');
  try {
    const client = axios.create({ baseURL: api.url });
    const { items, info } = await collect.withInfo(client, FIRST.laravel);
    expect(ids(items)).toEqual(all);
    expect(info).toMatchObject({ pages: 5, items: 47, requests: 5, retries: 0, strategy: 'next URL in `next_page_url`' });
  } finally {
    await api.close();
  }
});

it.each(['github', 'gitlab'] as const)(
  '%s: rel="last" (or X-Total-Pages) gives totalPages to onProgress, so ETAs are true',
  async (shape) => {
    const api = await startShapeApi(shape);
    try {
      const progress: Progress[] = [];
      await collect(axios.create({ baseURL: api.url }), FIRST[shape], { onProgress: (p) => progress.push(p) });
      expect(progress.map((p) => p.totalPages)).toEqual([5, 5, 5, 5, 5]);
      expect(progress.at(-1)?.etaMs).toBe(0);
    } finally {
      await api.close();
    }
  },
);

describe('offset walks complete short pages and checkpoint only what was received', () => {
  /** An offset API over `total` items that serves at most `cap(offset)` items for a request. */
  const offsetApi = async (total: number, cap: (offset: number, limit: number) => number | 'fail') => {
    return startServer((req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const from = Number(q.get('offset') ?? 0);
      const limit = Number(q.get('limit') ?? 10);
      const n = cap(from, limit);
      if (n === 'fail') return json(res, 503, {});
      json(res, 200, { records: Array.from({ length: Math.max(0, Math.min(n, total - from)) }, (_, i) => ({ id: from + i })), total });
    });
  };
  const { offset } = jest.requireActual<typeof import('../src/index.js')>('../src/index.js');

  it('the last planned page served short is completed: every item', async () => {
    const server = await offsetApi(95, (from, limit) => (from === 90 ? 3 : limit));
    try {
      expect(
        ids(await collect(axios.create({ baseURL: server.url }), '/r', { strategy: offset({ limit: 10, total: (r) => r.data.total }) })),
      ).toEqual(range95);
    } finally {
      await server.close();
    }
  });

  it('a short page whose completion fails: the checkpoint is that page, and a resume gives every item once', async () => {
    let failing = true;
    const server = await offsetApi(100, (from, limit) => (from === 50 ? 7 : from === 57 && failing ? 'fail' : limit));
    try {
      const client = axios.create({ baseURL: server.url });
      const strategy = offset({ limit: 10, total: (r) => r.data.total });
      const error = (await collect(client, '/r', { strategy, concurrency: 1 }).catch((e: unknown) => e)) as PaginationError;
      expect(error.code).toBe('PAGE_FAILED');
      failing = false;
      const rest = await collect(client, '/r', { strategy, resume: error.checkpoint as never });
      expect(ids([...error.items, ...rest])).toEqual(Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await server.close();
    }
  });
});
const range95 = Array.from({ length: 95 }, (_, i) => i);

it('a detected walk resumed at its last page: the checkpoint counts the items before, so the total is met', async () => {
  // Found by the pagination property: DRF's `count` said 47 and the resumed first page held the last 7; auto()
  // took that for "7 of 47 items and no next page" (STRATEGY_UNKNOWN).
  const api = await startShapeApi('drf');
  try {
    const client = axios.create({ baseURL: api.url });
    let checkpoint: Checkpoint | null = null;
    for await (const page of paginate.pages(client, FIRST.drf, { maxPages: 4 })) checkpoint = page.checkpoint;
    expect(checkpoint).toMatchObject({ strategy: 'auto', items: 40 });
    const rest = await collect(client, FIRST.drf, { resume: checkpoint as Checkpoint });
    expect(ids(rest)).toEqual(all.slice(40));
  } finally {
    await api.close();
  }
});
