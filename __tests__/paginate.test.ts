import axios, { type AxiosResponse } from 'axios';
import {
  attach,
  steadyInfo,
  collect,
  cursor,
  linkHeader,
  nextUrl,
  offset,
  pageNumber,
  paginate,
  PaginationError,
  type Checkpoint,
  type Progress,
  type Strategy,
} from '../src/index.js';
import { startSimApi, type SimApi, type SimOptions } from '../test/servers/sim-api.js';
import { json, startServer } from '../test/servers/with-server.js';

let sim: SimApi;
afterEach(() => sim?.close());

const strategies: [string, Strategy][] = [
  ['link', linkHeader()],
  ['cursor', cursor({ param: 'cursor', next: (res: AxiosResponse) => res.data.next_cursor })],
  ['next', nextUrl({ next: (res: AxiosResponse) => res.data.next })],
  ['page', pageNumber()],
  ['offset', offset({ limit: 10 })],
];
const ids = (items: unknown[]) => items.map((item) => (item as { id: number }).id);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const start = async (options: SimOptions) => {
  sim = await startSimApi(options);
  return axios.create({ baseURL: sim.url });
};

describe.each(strategies)('%s strategy', (mode, strategy) => {
  it('collects every item once, in order, across many pages (plain axios)', async () => {
    const api = await start({ items: 95, pageSize: 10 });
    expect(ids(await collect(api, `/${mode}`, { strategy }))).toEqual(range(95));
  });

  it('streams lazily with paginate(); break stops fetching', async () => {
    const api = await start({ items: 200, pageSize: 10 });
    const got: number[] = [];
    for await (const item of paginate<{ id: number }>(api, `/${mode}`, { strategy })) {
      got.push(item.id);
      if (got.length === 25) break;
    }
    expect(got).toEqual(range(25));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.stats.pages).toBe(3); // sequential: exactly the pages consumed
  });

  it('a randomized faulty server (503s, resets) still yields every item exactly once through attach()', async () => {
    const api = await start({ items: 300, pageSize: 10, faults: { seed: 7, error503: 0.2, reset: 0.05 } });
    const steady = attach(api, { retry: { retries: 8, baseDelay: 1, maxDelay: 5, budget: false } });
    expect(ids(await collect(api, `/${mode}`, { strategy }))).toEqual(range(300));
    expect(sim.stats.faults).toBeGreaterThan(0);
    steady.detach();
  });
});

describe('parallel pages when the total is known', () => {
  it.each([
    ['page', pageNumber({ totalPages: (res) => res.data.total_pages })],
    ['offset', offset({ limit: 10, total: (res) => res.data.total })],
  ])('%s: fetches up to `concurrency` pages at once, in order, through the limiter', async (mode, strategy) => {
    const api = await start({ items: 400, pageSize: 10, latencyMs: 20 });
    const steady = attach(api, { limiter: { maxConcurrent: 3 } });
    const all = await collect(api, `/${mode}`, { strategy, concurrency: 8 });
    expect(ids(all)).toEqual(range(400));
    expect(sim.stats.maxInFlight).toBe(3); // the limiter, not `concurrency`, has the last word
    steady.detach();

    const plain = axios.create({ baseURL: sim.url });
    sim.stats.maxInFlight = 0;
    expect(ids(await collect(plain, `/${mode}`, { strategy, concurrency: 5 }))).toEqual(range(400));
    expect(sim.stats.maxInFlight).toBe(5);
  });

  it('look-ahead is bounded: a slow consumer holds at most 2 × `concurrency` pages', async () => {
    const api = await start({ items: 1000, pageSize: 10 });
    const seen: number[] = [];
    for await (const page of paginate.pages(api, '/page', {
      strategy: pageNumber({ totalPages: (res) => res.data.total_pages }),
      concurrency: 4,
    })) {
      seen.push(page.index);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(sim.stats.pages - seen.length).toBeLessThanOrEqual(8);
      if (seen.length === 10) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.stats.pages).toBeLessThanOrEqual(10 + 8); // break: at most the pages already fetched ahead
  });

  it('offset paging is clamp-safe: the API serving 7 when 10 are asked skips nothing', async () => {
    const api = await start({ items: 100, pageSize: 7 });
    expect(ids(await collect(api, '/offset', { strategy: offset({ limit: 10 }) }))).toEqual(range(100));
    expect(ids(await collect(api, '/offset', { strategy: offset({ limit: 10, total: (res) => res.data.total }), concurrency: 4 }))).toEqual(
      range(100),
    );
  });

  it('a short page is not the end when the total says otherwise', async () => {
    const api = await start({ items: 50, pageSize: 5 });
    // Asked for 10, served 5: pageNumber with a total keeps going.
    expect(ids(await collect(api, '/page', { strategy: pageNumber({ totalPages: (res) => res.data.total_pages }) }))).toEqual(range(50));
  });
});

describe('caps', () => {
  it('maxItems and maxPages stop without error', async () => {
    const api = await start({ items: 100, pageSize: 10 });
    expect(ids(await collect(api, '/link', { maxItems: 15 }))).toEqual(range(15));
    expect(ids(await collect(api, '/cursor', { strategy: strategies[1][1], maxPages: 3 }))).toEqual(range(30));
    expect(
      ids(
        await collect(api, '/page', { strategy: pageNumber({ totalPages: (res) => res.data.total_pages }), maxPages: 2, concurrency: 8 }),
      ),
    ).toEqual(range(20));
  });

  it('maxRequests (default 10 000) ends a walk that never ends', async () => {
    const api = await start({ items: 1000, pageSize: 1 });
    const error = (await collect(api, '/link', { maxRequests: 20 }).catch((e: unknown) => e)) as PaginationError;
    expect(error).toBeInstanceOf(PaginationError);
    expect(error.code).toBe('MAX_REQUESTS');
    expect(ids(error.items)).toEqual(range(20));
  });
});

describe('loops, origins and schemes', () => {
  it.each([
    ['repeated cursor', 'cursor', 'repeat-cursor'],
    ['A→B→A cursor cycle', 'cursor', 'cycle'],
    ['A→B→A next-link cycle', 'link', 'cycle'],
  ] as const)('%s rejects with LOOP before repeating a request', async (_name, mode, misbehave) => {
    const api = await start({ items: 100, pageSize: 10, misbehave });
    const strategy = mode === 'cursor' ? strategies[1][1] : linkHeader();
    const error = (await collect(api, `/${mode}`, { strategy }).catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('LOOP');
    expect(sim.stats.pages).toBe(new Set(ids(error.items).map((id) => Math.floor(id / 10))).size); // no page fetched twice
    expect(ids(error.items)).toEqual(range(error.items.length));
  });

  it('refuses a next link on another origin before sending anything to it; allowOrigins opts in', async () => {
    const api = await start({ items: 100, pageSize: 10, misbehave: 'foreign-next' });
    const requests: string[] = [];
    api.interceptors.request.use((config) => (requests.push(api.getUri(config)), config));
    const error = (await collect(api, '/link', { config: { headers: { Authorization: 'Bearer secret' } } }).catch(
      (e: unknown) => e,
    )) as PaginationError;
    expect(error.code).toBe('CROSS_ORIGIN');
    expect(requests.every((uri) => uri.startsWith(sim.url))).toBe(true);
    expect(ids(error.items)).toEqual(range(20));
    expect(error.checkpoint?.next.url).toContain('evil.invalid');

    const opted = (await collect(api, '/link', { allowOrigins: ['http://evil.invalid'], maxRequests: 5 }).catch(
      (e: unknown) => e,
    )) as PaginationError;
    expect(opted.code).toBe('PAGE_FAILED'); // followed (and failed: the host does not exist)
  });

  it('refuses non-http(s) next links', async () => {
    const api = await start({ items: 100, pageSize: 10, misbehave: 'javascript-next' });
    await expect(collect(api, '/next', { strategy: nextUrl({ next: (res) => res.data.next }) })).rejects.toMatchObject({
      code: 'UNSAFE_URL',
    });
  });
});

describe('failure, checkpoint and resume', () => {
  it('a page that still fails after retries: items before it, a JSON checkpoint, the cause; resume completes the set', async () => {
    const api = await start({ items: 120, pageSize: 10 });
    let failing = true;
    api.interceptors.request.use((config) => {
      if (failing && String(config.params?.page) === '7') throw Object.assign(new Error('boom'), { isAxiosError: false });
      return config;
    });
    const strategy = pageNumber({ totalPages: (res) => res.data.total_pages });
    const error = (await collect(api, '/page', { strategy, concurrency: 3 }).catch((e: unknown) => e)) as PaginationError<{ id: number }>;
    expect(error.code).toBe('PAGE_FAILED');
    expect((error.cause as Error).message).toBe('boom');
    expect(ids(error.items)).toEqual(range(60));
    const saved = JSON.parse(JSON.stringify(error.checkpoint)) as Checkpoint;
    expect(saved).toMatchObject({ version: 1, pages: 6, items: 60, next: { params: { page: 7 } } });
    failing = false;
    const rest = await collect(api, '/page', { strategy, resume: saved, concurrency: 3 });
    expect(ids([...error.items, ...rest])).toEqual(range(120));
  });

  it('with attach(): an AxiosError cause after retries, and every page checkpoint resumes', async () => {
    const api = await start({ items: 50, pageSize: 10 });
    const steady = attach(api, { retry: { retries: 1, baseDelay: 1 } });
    let calls = 0;
    api.interceptors.request.use((config) => {
      if (config.params?.cursor && ++calls === 1) config.url = '/status/503'; // both attempts of this page fail
      return config;
    });
    const strategy = strategies[1][1];
    // Page requests retry while the retry budget allows; a walk caps that with its own config.
    const capped = { strategy, config: { steady: { retry: { retries: 1 } } } };
    const error = (await collect(api, '/cursor', capped).catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('PAGE_FAILED');
    expect(axios.isAxiosError(error.cause)).toBe(true);
    expect(steadyInfo(error.cause)?.attempts.map((a) => a.status)).toEqual([503, 503]);
    const rest = await collect(api, '/cursor', { strategy, resume: error.checkpoint as Checkpoint });
    expect(ids([...error.items, ...rest])).toEqual(range(50));
    const checkpoints: (Checkpoint | null)[] = [];
    for await (const page of paginate.pages(api, '/cursor', { strategy })) checkpoints.push(page.checkpoint);
    expect(checkpoints).toHaveLength(5);
    expect(checkpoints[4]).toBeNull();
    const tail = await collect(api, '/cursor', { strategy, resume: checkpoints[2] as Checkpoint });
    expect(ids(tail)).toEqual(range(50).slice(30));
    steady.detach();
  });

  it('an AbortSignal ends the walk promptly with ABORTED and what was fetched', async () => {
    // 500 pages × 30 ms, one after another: 15 s if the abort were not heard.
    const api = await start({ items: 5000, pageSize: 10, latencyMs: 30 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const t = Date.now();
    const error = (await collect(api, '/link', { signal: controller.signal }).catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - t).toBeLessThan(5000);
    expect(ids(error.items)).toEqual(range(error.items.length));
    expect(error.checkpoint?.items).toBe(error.items.length);
  });

  it('a stated total that differs from what was collected is reported', async () => {
    const api = await start({ items: 40, pageSize: 10, statedTotal: 45 });
    const error = (await collect(api, '/offset', { strategy: offset({ limit: 10, total: (res) => res.data.total }) }).catch(
      (e: unknown) => e,
    )) as PaginationError;
    expect(error.code).toBe('TOTAL_MISMATCH');
    expect(ids(error.items)).toEqual(range(40));
    expect(ids(await collect(api, '/next', { strategy: nextUrl({ next: (res) => res.data.next }), checkTotal: false }))).toEqual(range(40));
  });
});

describe('progress and options', () => {
  it('onProgress after each page, with totals and an ETA when known', async () => {
    const api = await start({ items: 50, pageSize: 10 });
    const progress: Progress[] = [];
    await collect(api, '/page', {
      strategy: pageNumber({ totalPages: (res) => res.data.total_pages, totalItems: (res) => res.data.total }),
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => [p.pages, p.items])).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
      [5, 50],
    ]);
    expect(progress[0]).toMatchObject({ totalPages: 5, totalItems: 50, retries: 0 });
    expect(progress[4].etaMs).toBe(0);
    expect(typeof progress[0].elapsedMs).toBe('number');
  });

  it('items() picks the array; a body without one is ITEMS_NOT_FOUND', async () => {
    const api = await start({ items: 20, pageSize: 10 });
    expect(ids(await collect(api, '/cursor', { strategy: strategies[1][1], items: (res) => res.data.data }))).toEqual(range(20));
    await expect(collect(api, '/cursor', { strategy: strategies[1][1], items: () => undefined as never })).rejects.toMatchObject({
      code: 'ITEMS_NOT_FOUND',
    });
  });

  it('invalid options throw a TypeError naming them', async () => {
    const api = axios.create({ baseURL: 'http://127.0.0.1:9' });
    await expect(collect(api, '/x', { concurrency: 0 })).rejects.toThrow(/"concurrency" must be a finite integer ≥ 1, got 0/);
    await expect(collect(api, '/x', { maxItem: 3 } as never)).rejects.toThrow(/"maxItem" must be one of the known options/);
    await expect(collect(api, '/x', { strategy: {} as never })).rejects.toThrow(TypeError);
    await expect(
      collect(api, '/x', { strategy: pageNumber(), resume: { version: 1, strategy: 'cursor:c', next: { url: '/x' }, pages: 1, items: 1 } }),
    ).rejects.toThrow(/"resume.strategy"/);
    expect(() => cursor({ param: '', next: () => null })).toThrow(/"cursor.param"/);
    expect(() => offset({ limit: 0 })).toThrow(/"offset.limit"/);
  });
});

describe('the retry budget tells a flaky API from a dead one, at defaults', () => {
  it.each([1, 2, 3])('200 pages from an API failing 25 %% of attempts (seed %i): complete, each item once', async (seed) => {
    const api = await start({ items: 2000, pageSize: 10, faults: { seed, error503: 0.2, reset: 0.05 } });
    const steady = attach(api);
    const items = await collect(api, '/page', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }) });
    expect(ids(items)).toEqual(range(2000));
    expect(sim.stats.faults).toBeGreaterThan(30);
    steady.detach();
  });

  it('a dead API, the health gate off: the collection stops with PAGE_FAILED naming the budget, and retries stay a trickle', async () => {
    const api = await start({ items: 2000, pageSize: 10, faults: { error503: 1 } });
    const steady = attach(api, { retry: { baseDelay: 1, maxDelay: 5 }, health: false });
    const error = (await collect(api, '/page', { strategy: pageNumber() }).catch((e: unknown) => e)) as PaginationError;
    expect(error.code).toBe('PAGE_FAILED');
    expect(error.message).toMatch(/retry budget exhausted: the API failed \d+ of the last \d+ attempts/);
    expect(sim.stats.requests).toBeLessThanOrEqual(1 + 20 + 1); // one page: the floor (2/s × 10 s) + 20 % of 1
    steady.detach();
  });

  it('a dead API from the start: the walk waits, one probe at a time, and fails when its patience runs out, naming the outage', async () => {
    const api = await start({ items: 2000, pageSize: 10, faults: { error503: 1 } });
    const steady = attach(api, { retry: { baseDelay: 1, maxDelay: 5 }, health: { minProbeMs: 200 } });
    const started = Date.now();
    const error = (await collect(api, '/page', { strategy: pageNumber(), config: { steady: { patience: 2000 } } }).catch(
      (e: unknown) => e,
    )) as PaginationError;
    expect(error.code).toBe('PAGE_FAILED');
    expect(error.message).toMatch(/the API is down since .*\(\d+ probes? sent, last: status 503\); waited \d/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    // One page alone: 8 failures in a row to trip (twice a healthy API's 4: one request could be unlucky), then
    // probes at 0.2, 0.6, 1.4 s… (doubling, ±20 %) within the 2 s of patience.
    expect(sim.stats.requests).toBeLessThanOrEqual(8 + 5);
    expect(steady.health()).toMatchObject({ state: 'down', outages: 1 });
    steady.detach();
  });
});

describe('a page resting between attempts does not hold a slot', () => {
  it('concurrency 1: while page 2 waits out its backoff, page 3 is fetched', async () => {
    // Page 2 fails once (503); its retry is answered only once page 3 has been asked for, which can only
    // happen while page 2 is still unanswered if its rest freed its slot (before, this hung).
    let page3Asked: () => void = () => {};
    const asked3 = new Promise<void>((resolve) => (page3Asked = resolve));
    let page2Tries = 0;
    const server = await startServer(async (req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      if (page === 3) page3Asked();
      if (page === 2 && ++page2Tries === 1) return json(res, 503, {});
      if (page === 2) await asked3;
      json(res, 200, { items: [page], total_pages: 4 });
    });
    try {
      const api = axios.create({ baseURL: server.url });
      const steady = attach(api, { retry: { baseDelay: 50, jitter: 'none' } });
      const items = await collect(api, '/p', { strategy: pageNumber({ totalPages: (r) => r.data.total_pages }), concurrency: 1 });
      expect(items).toEqual([1, 2, 3, 4]);
      expect(page2Tries).toBe(2);
      steady.detach();
    } finally {
      await server.close();
    }
  });
});

describe('work stealing', () => {
  it('a black hole (nothing answered since the slow pages started): no page is launched past `concurrency`', async () => {
    // Pages 1–8 answer at once (their times set the median); from page 9 on the API accepts and never answers.
    const holding: (() => void)[] = [];
    const server = await startServer((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      if (page >= 9) return void holding.push(() => res.destroy());
      json(res, 200, { items: [page], total_pages: 40 });
    });
    try {
      const api = axios.create({ baseURL: server.url, timeout: 1500 });
      const steady = attach(api, { health: { minProbeMs: 60_000 } });
      const walk = collect(api, '/p', {
        strategy: pageNumber({ totalPages: (r) => r.data.total_pages }),
        concurrency: 2,
        config: { steady: { patience: 0 } },
      }).catch((e: unknown) => e);
      // Long past 3 × the median page time, before the first timeout: only the 2 pages in flight reached it.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(server.seen.arrivals.filter((a) => Number(new URL(a.path, 'http://x').searchParams.get('page')) >= 9)).toHaveLength(2);
      expect(await walk).toBeInstanceOf(PaginationError);
      steady.detach();
    } finally {
      for (const end of holding) end();
      await server.close();
    }
  });
});
