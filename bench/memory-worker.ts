// P4: streams a large collection in this fresh process and reports the peak RSS growth over the baseline, and
// the peak heap after a full GC (taken every 10,000 items): what the walk really keeps, apart from garbage.
import axios from 'axios';
import got from 'got';
import http from 'node:http';
import { collect, pageNumber, paginate } from 'axios-steady';

const [contender, baseURL] = process.argv.slice(2);
const strategy = pageNumber({ totalPages: (r) => r.data.total_pages });
const api = axios.create({ baseURL, httpAgent: new http.Agent({ keepAlive: true }) });

globalThis.gc?.();
const baseline = process.memoryUsage().rss;
let peak = baseline;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
let count = 0;
let heapPeak = 0;
const tick = () => {
  if (++count % 10_000 !== 0 || !globalThis.gc) return;
  globalThis.gc();
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
};
globalThis.gc?.();
const heapBase = process.memoryUsage().heapUsed;
if (contender === 'paginate()') {
  for await (const _item of paginate(api, '/page', { strategy, concurrency: 4, maxRequests: 1e6 })) tick();
} else if (contender === 'collect() (all in memory)') {
  const all = await collect(api, '/page', { strategy, concurrency: 4, maxRequests: 1e6 });
  count = all.length;
  globalThis.gc?.(); // everything is kept, by design: its heap is the whole collection
  heapPeak = process.memoryUsage().heapUsed;
} else if (contender === 'got.paginate') {
  const pages = got.paginate<unknown>(`${baseURL}/page?page=1`, {
    pagination: {
      transform: (r) => (JSON.parse(r.body as string) as { items: unknown[] }).items,
      paginate: ({ response }) => {
        const body = JSON.parse(response.body as string) as { page: number; total_pages: number };
        return body.page < body.total_pages ? { searchParams: { page: body.page + 1 } } : false;
      },
      requestLimit: 1e6,
    },
  });
  for await (const _item of pages) tick();
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
process.send?.({ count, growthMb: (peak - baseline) / 2 ** 20, heapMb: Math.max(0, heapPeak - heapBase) / 2 ** 20 });
process.disconnect?.();
