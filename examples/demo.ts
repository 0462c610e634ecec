// npm run demo: collects a flaky, rate-limited, paginated API through attach() + collect(), with a live
// progress bar, and exits 0 only if every item arrived exactly once.
//   npm run demo                                   embedded simulated API on 127.0.0.1
//   npm run demo -- --url https://api.example.com/items --strategy link|cursor|next|page|offset
import axios, { type AxiosResponse } from 'axios';
import { SingleBar } from 'cli-progress';
import { parseArgs } from 'node:util';
import { attach, collect, cursor, linkHeader, nextUrl, offset, pageNumber, PaginationError, type Strategy } from 'axios-steady';
import { startSimApi } from 'axios-steady/sim-api';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    strategy: { type: 'string', default: 'link' },
    'max-pages': { type: 'string' },
    concurrency: { type: 'string', default: '4' },
  },
});

const field = (path: string) => (res: AxiosResponse) =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], res.data) as never;
const strategies: Record<string, () => Strategy> = {
  link: () => linkHeader(),
  cursor: () => cursor({ param: 'cursor', next: field('next_cursor') }),
  next: () => nextUrl({ next: field('next') }),
  page: () => pageNumber({ totalPages: field('total_pages') }),
  offset: () => offset({ total: field('total') }),
};

async function main(): Promise<number> {
  const expected = 3000;
  const sim = args.url
    ? undefined
    : await startSimApi({
        items: expected,
        pageSize: 25,
        latencyMs: 15,
        quota: { limit: 50, windowMs: 1000, headers: 'draft7' },
        faults: { seed: 42, error503: 0.08, reset: 0.02 },
      });
  const target = args.url ? new URL(args.url) : new URL(`${sim?.url}/page`);
  const strategyName = args.url ? (args.strategy as string) : 'page';
  const makeStrategy = strategies[strategyName];
  if (!makeStrategy) throw new TypeError(`--strategy must be one of ${Object.keys(strategies).join(', ')}`);

  const api = axios.create({ baseURL: target.origin, timeout: 10_000 });
  let pauses = 0;
  const steady = attach(api, { limiter: { maxConcurrent: 4 }, onPause: () => pauses++ });
  const bar = new SingleBar({
    format: ' {bar} {percentage}% | {value}/{total} pages | {items} items | {retries} retries | {pauses} pauses | ETA {eta_formatted}',
    hideCursor: true,
  });
  bar.start(1, 0, { items: 0, retries: 0, pauses: 0 });
  const started = Date.now();
  let items: unknown[] = [];
  let failure: unknown;
  try {
    items = await collect(
      api,
      { url: target.pathname + target.search },
      {
        strategy: makeStrategy(),
        concurrency: Number(args.concurrency),
        ...(args['max-pages'] && { maxPages: Number(args['max-pages']) }),
        onProgress: (p) => {
          bar.setTotal(p.totalPages ?? p.pages + 1);
          bar.update(p.pages, { items: p.items, retries: steady.stats().retries, pauses });
        },
      },
    );
  } catch (error) {
    failure = error;
    if (error instanceof PaginationError) items = error.items;
  } finally {
    bar.stop();
    steady.detach();
    await sim?.close();
  }
  const stats = steady.stats();
  const ids = items.map((item) => (item as { id?: unknown }).id);
  const complete = sim ? ids.length === expected && ids.every((id, i) => id === i) : failure === undefined;
  console.log(
    [
      '',
      `items collected   ${items.length}${sim ? ` of ${expected} expected (${complete ? 'complete, each once, in order' : 'INCOMPLETE'})` : ''}`,
      `requests          ${stats.attempts} (${stats.requests} logical)`,
      `retries           ${stats.retries}`,
      `429 responses     ${stats.rateLimited}`,
      `limiter pauses    ${stats.pauses}`,
      `time              ${((Date.now() - started) / 1000).toFixed(1)} s`,
      ...(failure
        ? [`stopped by        ${failure instanceof PaginationError ? `${failure.code}: ${failure.message}` : String(failure)}`]
        : []),
    ].join('\n'),
  );
  return complete ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
