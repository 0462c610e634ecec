// Re-collection that pays only for what changed, against software nobody here wrote: json-server 0.17 (express'
// ETags and 304s, Link + X-Total-Count, `_gte` filters) behind express-rate-limit 8 set to GitHub's policy (a 304
// is not counted). Conditional walks (`revalidate`) and incremental ones (`collect.since`), through attach().
import axios, { type AxiosInstance } from 'axios';
import fc from 'fast-check';
import { attach, collect, memoryStore, mergeByKey, paginate, type PageStore, type Steady, type StoredPage } from '../src/index.js';
import { seedItems, stamp, startJsonServer, type Item, type JsonApi } from '../test/servers/json-server.js';
import { json, startServer, type TestServer } from '../test/servers/with-server.js';

jest.setTimeout(60_000);
let server: JsonApi | undefined;
let other: TestServer | undefined;
let steady: Steady | undefined;
afterEach(async () => {
  steady?.detach();
  await server?.close();
  await other?.close();
  [server, other, steady] = [undefined, undefined, undefined];
});

async function start(count: number, limit?: number): Promise<{ api: AxiosInstance; json: JsonApi }> {
  server = await startJsonServer(seedItems(count), limit);
  const api = axios.create({ baseURL: server.url });
  steady = attach(api);
  return { api, json: server };
}
const PAGE = { url: '/items', params: { _page: 1, _limit: 10 } };
const statusCount = (statuses: number[], from: number, status: number) => statuses.slice(from).filter((s) => s === status).length;

it('an unchanged re-run: every page a 304, the kept pages yielded, no quota spent, the same items', async () => {
  const { api, json } = await start(100);
  const store = memoryStore();
  const first = await collect.withInfo<Item>(api, PAGE, { revalidate: store });
  expect(first.items).toEqual(json.items());
  expect(first.info.pages).toBe(10);
  const counted = await json.counted();
  const mark = json.statuses.length;
  const again = await collect.withInfo<Item>(api, PAGE, { revalidate: store });
  expect(again.items).toEqual(first.items);
  expect(statusCount(json.statuses, mark, 304)).toBe(10);
  expect(statusCount(json.statuses, mark, 200)).toBe(0);
  expect(await json.counted()).toBe(counted); // GitHub's rule: a 304 costs no quota
  expect(again.info).toMatchObject({ pages: 10, requests: 10, revalidated: 10 });
});

it('1 % changed in place: only the page that holds it is answered 200; the rest are the kept pages', async () => {
  const { api, json } = await start(100);
  const store = memoryStore();
  await collect<Item>(api, PAGE, { revalidate: store });
  json.change(57, { name: 'renamed' });
  const mark = json.statuses.length;
  const pages: boolean[] = [];
  for await (const page of paginate.pages<Item>(api, PAGE, { revalidate: store })) pages.push(page.revalidated === true);
  expect(statusCount(json.statuses, mark, 200)).toBe(1);
  expect(pages.filter((revalidated) => !revalidated)).toHaveLength(1);
  expect(pages[5]).toBe(false); // items 51–60
  expect(await collect<Item>(api, PAGE, { revalidate: store })).toEqual(json.items());
});

it('a walk that fails or stops early commits nothing: the next one asks with the last complete walk’s validators', async () => {
  const { api, json } = await start(50);
  const store = memoryStore();
  const kept: string[] = [];
  const spy: PageStore = { get: (w, p) => store.get(w, p), set: (w, pages) => (kept.push(w), store.set(w, pages)) };
  await collect<Item>(api, PAGE, { revalidate: spy });
  expect(kept).toHaveLength(1);
  json.change(3, { name: 'changed' });
  // Stopped after the first page: not complete, nothing committed.
  for await (const _ of paginate<Item>(api, PAGE, { revalidate: spy, concurrency: 1 })) break;
  await expect(collect<Item>(api, PAGE, { revalidate: spy, maxPages: 2 })).resolves.toHaveLength(20);
  expect(kept).toHaveLength(1);
  // The page fetched by those runs was not committed: it is fetched again, and its news is in the result.
  const mark = json.statuses.length;
  expect(await collect<Item>(api, PAGE, { revalidate: spy })).toEqual(json.items());
  expect(statusCount(json.statuses, mark, 200)).toBe(1);
  expect(kept).toHaveLength(2);
});

it('a store of your own, async and JSON-only (as a file or a database keeps it), serves the same', async () => {
  const { api, json } = await start(30);
  const file = new Map<string, string>();
  const store: PageStore = {
    get: async (walk, page) => {
      const text = file.get(walk);
      return text === undefined ? undefined : (JSON.parse(text) as Record<string, StoredPage>)[page];
    },
    set: async (walk, pages) => void file.set(walk, JSON.stringify(Object.fromEntries(pages))),
  };
  await collect<Item>(api, PAGE, { revalidate: store });
  const mark = json.statuses.length;
  expect(await collect<Item>(api, PAGE, { revalidate: store })).toEqual(json.items());
  expect(statusCount(json.statuses, mark, 304)).toBe(3);
});

it('a 304 for a page the store does not hold is an error, not an empty page', async () => {
  other = await startServer((_req, res) => json(res, 304, {}));
  const api = axios.create({ baseURL: other.url });
  await expect(collect(api, '/items', { revalidate: memoryStore() })).rejects.toMatchObject({
    name: 'PaginationError',
    code: 'PAGE_FAILED',
    message: expect.stringContaining('304 Not Modified, but the page store holds no page'),
  });
});

it('a page without validators is fetched every time, and the walk still completes', async () => {
  let n = 0;
  other = await startServer((_req, res) => json(res, 200, { items: [{ id: ++n }], next: null }));
  const api = axios.create({ baseURL: other.url });
  const store = memoryStore();
  await collect(api, '/items', { revalidate: store });
  expect(await collect(api, '/items', { revalidate: store })).toEqual([{ id: 2 }]);
});

it.each([{}, 'store', { get: () => undefined }])('revalidate: %p is a TypeError that names the option', async (bad) => {
  const api = axios.create({ baseURL: 'http://127.0.0.1:9' });
  await expect(collect(api, '/x', { revalidate: bad as never })).rejects.toThrow(/option "revalidate" must be a page store/);
});

describe('incremental (collect.since)', () => {
  const SINCE = { field: 'updated_at', param: 'updated_at_gte', key: 'id' };

  it('asks only for what changed since the last run, and merges it by key: the same as a fresh full collection', async () => {
    const { api, json } = await start(200);
    const first = await collect.since<Item>(api, PAGE, { ...SINCE, previous: [] });
    expect(first.info).toMatchObject({ since: undefined, added: 200, pages: 20 });
    json.change(7, { name: 'seven' });
    json.change(150, { name: 'one fifty' });
    json.add({ id: 201, name: 'new', updated_at: stamp() });
    const mark = json.statuses.length;
    const next = await collect.since<Item>(api, PAGE, { ...SINCE, previous: first.items });
    expect(next.items).toEqual(json.items());
    expect(next.info).toMatchObject({ changed: 2, added: 1, unchanged: 1 }); // the last run's newest item is asked again
    expect(json.statuses.length - mark).toBe(1); // 4 items: one page
    expect(next.info.since).toBe(first.items.at(-1)?.updated_at);
  });

  it('a lookback asks from earlier, in the field’s own format; numbers go back in their own unit', async () => {
    const { api, json } = await start(30);
    const first = await collect.since<Item>(api, PAGE, { ...SINCE, previous: [] });
    const next = await collect.since<Item>(api, PAGE, { ...SINCE, previous: first.items, lookback: 5000 });
    expect(next.info.since).toBe(new Date(Date.parse(first.items.at(-1)?.updated_at as string) - 5000).toISOString().replace('.000Z', 'Z'));
    expect(next.info).toMatchObject({ changed: 0, added: 0, unchanged: 6 });
    expect(next.items).toEqual(json.items());
    const numbered = await collect.since(api, PAGE, {
      previous: [{ id: 1, seq: 40 }],
      field: 'seq',
      param: 'seq_gte',
      key: 'id',
      lookback: 10,
    });
    expect(numbered.info.since).toBe(30);
  });

  it('bad options are TypeErrors naming the option; an item without its key says so', async () => {
    const api = axios.create({ baseURL: 'http://127.0.0.1:9' });
    await expect(collect.since(api, '/x', { ...SINCE, previous: 'x' as never })).rejects.toThrow(/"since.previous" must be an array/);
    await expect(collect.since(api, '/x', { ...SINCE, previous: [], key: '' })).rejects.toThrow(/"since.key" must be a non-empty string/);
    await expect(collect.since(api, '/x', { ...SINCE, previous: [], lookback: -1 })).rejects.toThrow(/"since.lookback"/);
    expect(() => mergeByKey([{ id: 1 }], [{ name: 'x' }], 'id')).toThrow(/no key at "id"/);
  });
});

// Random histories: items change, are added and deleted between runs, and change in place *during* runs. After
// every run a conditional full collection holds every key once; the run after the last change equals a fresh
// collection of the final state, and an incremental result differs from it only by the deletions it cannot see.
it('property: re-collections converge to a fresh full collection, every key once', async () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('change' as const), id: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ kind: fc.constant('add' as const) }),
    fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 1, max: 60 }) }),
  );
  const history = fc.array(
    fc.record({ between: fc.array(op, { maxLength: 4 }), during: fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 2 }) }),
    {
      minLength: 1,
      maxLength: 4,
    },
  );
  await fc.assert(
    fc.asyncProperty(history, async (runs) => {
      const json = await startJsonServer(seedItems(45));
      try {
        const api = axios.create({ baseURL: json.url });
        const detach = attach(api, { retry: { retries: 0 } });
        const store = memoryStore();
        let nextId = 1000;
        let incremental = (await collect.since<Item>(api, PAGE, { field: 'updated_at', param: 'updated_at_gte', key: 'id', previous: [] }))
          .items;
        const deleted = new Set<number>();
        for (const run of runs) {
          for (const o of run.between)
            if (o.kind === 'add') json.add({ id: ++nextId, name: 'added', updated_at: stamp() });
            else if (o.kind === 'change') json.change(o.id, { name: `changed ${o.id}` });
            else {
              json.remove(o.id);
              deleted.add(o.id);
            }
          const during = [...run.during];
          const full = await collect<Item>(api, PAGE, {
            revalidate: store,
            concurrency: 1,
            onProgress: () => {
              const id = during.shift();
              if (id !== undefined) json.change(id, { name: `during ${id}` });
            },
          });
          expect(new Set(full.map((i) => i.id)).size).toBe(full.length);
          incremental = (
            await collect.since<Item>(api, PAGE, {
              field: 'updated_at',
              param: 'updated_at_gte',
              key: 'id',
              previous: incremental,
              lookback: 0,
            })
          ).items;
          expect(new Set(incremental.map((i) => i.id)).size).toBe(incremental.length);
        }
        const fresh = json.items();
        expect(await collect<Item>(api, PAGE, { revalidate: store })).toEqual(fresh);
        const byId = new Map(fresh.map((i) => [i.id, i]));
        for (const item of incremental) if (!byId.has(item.id)) expect(deleted.has(item.id)).toBe(true);
        expect(incremental.filter((i) => byId.has(i.id)).sort((a, b) => a.id - b.id)).toEqual(fresh);
        detach.detach();
      } finally {
        await json.close();
      }
    }),
    { numRuns: 25 },
  );
});
