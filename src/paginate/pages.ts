import type { AxiosInstance } from 'axios';
import type { Page, PageRequest, PaginateOptions } from './types.js';
import { Walk } from './walk.js';

/**
 * Walks the pages of a paginated API, lazily: a page is fetched when the loop asks for it, except that
 * with a known total up to `concurrency` pages are fetched ahead (and never more). Every page request goes
 * through `api`, so an attached instance retries and throttles it. Stops with a {@link PaginationError}
 * whose checkpoint resumes exactly at the first page not yielded. Bad options reject the first `next()`.
 *
 * @example
 * for await (const page of paginate.pages(api, { url: '/items', params: { per_page: 100 } }, { strategy: linkHeader() })) {
 *   await save(page.items, page.checkpoint);
 * }
 */
export async function* pages<T = unknown>(
  api: AxiosInstance,
  target: string | PageRequest,
  options?: PaginateOptions<T>,
): AsyncGenerator<Page<T>, void, undefined> {
  yield* new Walk<T>(api, target, options).pages();
}
