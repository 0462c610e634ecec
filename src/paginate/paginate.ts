import type { AxiosInstance } from 'axios';
import { PaginationError } from '../errors.js';
import { pages } from './iterator.js';
import type { PageRequest, PaginateOptions, Progress } from './types.js';

/**
 * Every item of a paginated API, lazily, in order, each once. `break` stops fetching.
 *
 * @example
 * for await (const issue of paginate<Issue>(api, '/repos/o/r/issues', { strategy: linkHeader() })) console.log(issue.title);
 */
async function* paginateItems<T = unknown>(
  api: AxiosInstance,
  target: string | PageRequest,
  options?: PaginateOptions<T>,
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages<T>(api, target, options)) yield* page.items;
}

/**
 * Every item of a paginated API, lazily, in order, each once; `break` stops fetching.
 * `paginate.pages()` iterates pages instead (items, response, index, checkpoint).
 *
 * @example
 * for await (const issue of paginate<Issue>(api, '/repos/o/r/issues', { strategy: linkHeader() })) console.log(issue.title);
 */
export const paginate: typeof paginateItems & { pages: typeof pages } = Object.assign(paginateItems, { pages });

async function collectItems<T = unknown>(api: AxiosInstance, target: string | PageRequest, options?: PaginateOptions<T>): Promise<T[]> {
  const items: T[] = [];
  try {
    // Everything ends up in memory anyway: no reason to bound the look-ahead unless asked to.
    for await (const page of pages<T>(api, target, { lookAhead: Infinity, ...options })) for (const item of page.items) items.push(item);
  } catch (error) {
    throw error instanceof PaginationError ? error.with({ items }) : error;
  }
  return items;
}

/** What a finished collection did: for a summary line, a log, or a check. */
export interface CollectInfo extends Omit<Progress, 'etaMs'> {
  /** Whether the API stated a total and the items collected were checked against it. */
  readonly totalChecked: boolean;
}

/**
 * `collect()`, with a summary of the walk: pages, items, requests, retries, the strategy used (what `auto()`
 * chose) and whether a stated total was checked. Rejects exactly as `collect()` does.
 *
 * @example
 * const { items, info } = await collect.withInfo(api, '/items');
 * console.log(`${info.items} items, ${info.pages} pages, ${info.retries} retries, via ${info.strategy}`);
 */
async function withInfo<T = unknown>(
  api: AxiosInstance,
  target: string | PageRequest,
  options?: PaginateOptions<T>,
): Promise<{ items: T[]; info: CollectInfo }> {
  let last: Progress | undefined;
  const items = await collectItems<T>(api, target, {
    ...options,
    onProgress: (progress) => {
      last = progress;
      options?.onProgress?.(progress);
    },
  });
  const { etaMs: _eta, ...seen } = last ?? { pages: 0, items: 0, strategy: 'auto', requests: 0, retries: 0, elapsedMs: 0 };
  return { items, info: Object.freeze({ ...seen, totalChecked: options?.checkTotal !== false && seen.totalItems !== undefined }) };
}

/**
 * Collects every item into an array. On failure rejects with a {@link PaginationError} that carries every
 * item fetched before the failing page (`.items`) and a `.checkpoint`; pass it as `resume` to continue:
 * the two parts concatenate to the full set. `collect.withInfo()` also returns a summary of the walk.
 *
 * @example
 * const all = await collect<Item>(api, '/items', { concurrency: 8 });
 */
export const collect: typeof collectItems & { withInfo: typeof withInfo } = Object.assign(collectItems, { withInfo });
