import type { AxiosInstance } from 'axios';
import { PaginationError } from '../errors.js';
import { pages } from './iterator.js';
import type { PageRequest, PaginateOptions } from './types.js';

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

/**
 * Collects every item into an array. On failure rejects with a {@link PaginationError} that carries every
 * item fetched before the failing page (`.items`) and a `.checkpoint`; pass it as `resume` to continue:
 * the two parts concatenate to the full set.
 *
 * @example
 * const all = await collect<Item>(api, '/items', { strategy: pageNumber({ totalPages: (r) => r.data.pages }), concurrency: 8 });
 */
export async function collect<T = unknown>(api: AxiosInstance, target: string | PageRequest, options?: PaginateOptions<T>): Promise<T[]> {
  const items: T[] = [];
  try {
    // Everything ends up in memory anyway: no reason to bound the look-ahead unless asked to.
    for await (const page of pages<T>(api, target, { lookAhead: Infinity, ...options })) for (const item of page.items) items.push(item);
  } catch (error) {
    throw error instanceof PaginationError ? error.with({ items }) : error;
  }
  return items;
}
