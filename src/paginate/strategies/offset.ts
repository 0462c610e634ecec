import type { AxiosResponse } from 'axios';
import { invalid, numberOption } from '../../util/validate.js';
import type { PageRequest, Strategy } from '../types.js';
import { checkFactory } from './check.js';
import { readTotal } from '../body.js';

/** Options of {@link offset}. */
export interface OffsetOptions {
  /** Query parameter of the offset. Default `offset`. */
  param?: string;
  /** Query parameter of the page size. Default `limit`. */
  limitParam?: string;
  /** Page size asked for. Default 100. */
  limit?: number;
  /** Reads the total number of items; when stated, the rest is fetched in parallel. */
  total?: (response: AxiosResponse) => number | undefined;
}

/**
 * `?offset=0&limit=100`. Clamp-safe: the next offset advances by the items actually received, so an API
 * that silently returns fewer than `limit` does not make the walk skip items. With `total`, the rest is
 * fetched in parallel at the page size the API really serves.
 *
 * @example offset({ limit: 100, total: (res) => res.data.count })
 */
export function offset(input?: OffsetOptions): Strategy {
  const options = checkFactory('offset', input, ['param', 'limitParam', 'limit', 'total'], ['total']);
  const param = options.param ?? 'offset';
  const limitParam = options.limitParam ?? 'limit';
  if (typeof param !== 'string' || param === '') invalid('offset.param', param, 'a non-empty string');
  if (typeof limitParam !== 'string' || limitParam === '') invalid('offset.limitParam', limitParam, 'a non-empty string');
  const limit = options.limit === undefined ? 100 : numberOption('offset.limit', options.limit, 1, true);
  const offsetOf = (request: PageRequest) => Number(request.params?.[param] ?? 0);
  const at = (request: PageRequest, from: number, size = limit): PageRequest => ({
    url: request.url,
    params: { ...request.params, [param]: from, [limitParam]: size },
  });
  return {
    name: `offset:${param}`,
    first: (request) => at(request, offsetOf(request), Number(request.params?.[limitParam] ?? limit)),
    next: ({ request, response, items }) => {
      const from = offsetOf(request) + items.length;
      const total = readTotal(options.total, response);
      if (items.length === 0 || (total !== undefined && from >= total)) return null;
      return at(request, from);
    },
    plan: ({ request, response, items }) => {
      const total = readTotal(options.total, response);
      if (total === undefined || items.length === 0) return undefined;
      // The size the API really serves (it may clamp `limit`); the first page tells.
      const size = items.length;
      const first = offsetOf(request) + size;
      const remaining = Math.max(0, Math.ceil((total - first) / size));
      return {
        remaining,
        pageSize: size,
        request: (index) => at(request, first + (index - 1) * size, size),
        rest: (page, received) => {
          // What this page should hold: the size asked for, or what is left of the total (the last page).
          const expected = Math.min(Number(page.params?.[limitParam] ?? size), total - offsetOf(page));
          const want = expected - received;
          return want > 0 ? at(page, offsetOf(page) + received, want) : null;
        },
      };
    },
    totalItems: ({ response }) => readTotal(options.total, response),
  };
}
