import type { AxiosResponse } from 'axios';
import { invalid, numberOption } from '../../util/validate.js';
import { readTotal } from '../body.js';
import { checkFactory } from './check.js';
import type { PageRequest, Strategy } from '../types.js';

/** Options of {@link pageNumber}. */
export interface PageNumberOptions {
  /** Query parameter of the page number. Default `page`. */
  param?: string;
  /** Number of the first page. Default 1. */
  start?: number;
  /** Reads the number of pages; when the first page states it, the rest are fetched in parallel. */
  totalPages?: (response: AxiosResponse) => number | undefined;
  /** Reads the number of items, to check the collection is complete. */
  totalItems?: (response: AxiosResponse) => number | undefined;
}

const pageOf = (request: PageRequest, param: string, start: number) => Number(request.params?.[param] ?? start);

/**
 * `?page=1, 2, 3…`. Without a total it walks until an empty page (a short page is not taken as the end:
 * APIs silently lower page sizes). With `totalPages` the remaining pages are fetched in parallel.
 *
 * @example pageNumber({ param: 'page', totalPages: (res) => res.data.total_pages })
 */
export function pageNumber(input?: PageNumberOptions): Strategy {
  const options = checkFactory('pageNumber', input, ['param', 'start', 'totalPages', 'totalItems'], ['totalPages', 'totalItems']);
  const param = options.param ?? 'page';
  if (typeof param !== 'string' || param === '') invalid('pageNumber.param', param, 'a non-empty string');
  const start = options.start === undefined ? 1 : numberOption('pageNumber.start', options.start, 0, true);
  const at = (request: PageRequest, page: number): PageRequest => ({ url: request.url, params: { ...request.params, [param]: page } });
  return {
    name: `pageNumber:${param}`,
    first: (request) => at(request, pageOf(request, param, start)),
    next: ({ request, response, items, itemsBefore }) => {
      const page = pageOf(request, param, start);
      const total = readTotal(options.totalPages, response);
      if (total !== undefined) return page - start + 1 < total ? at(request, page + 1) : null;
      // Every item the API stated is in: asking one page past the end would only risk its out-of-range error.
      const totalItems = readTotal(options.totalItems, response);
      if (totalItems !== undefined && itemsBefore !== undefined && itemsBefore + items.length >= totalItems) return null;
      return items.length === 0 ? null : at(request, page + 1);
    },
    plan: ({ request, response }) => {
      const total = readTotal(options.totalPages, response);
      if (total === undefined) return undefined;
      const page = pageOf(request, param, start);
      return { remaining: Math.max(0, total - (page - start) - 1), request: (index) => at(request, page + index) };
    },
    totalItems: ({ response }) => readTotal(options.totalItems, response),
  };
}
