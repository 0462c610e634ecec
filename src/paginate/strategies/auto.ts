import { PaginationError } from '../../errors.js';
import { detect } from '../detect.js';
import type { PageContext, Strategy } from '../types.js';

/** A strategy that is chosen from the first page; `chosen` says which, once it is known. */
export interface AutoStrategy extends Strategy {
  readonly chosen: string | undefined;
}

/**
 * The default strategy: reads the first page and picks how to walk (see `detect`): Link headers, a next URL
 * in the body, a cursor, page numbers or offsets with a total. A first page whose total says more items exist
 * but that names no way to them rejects with `STRATEGY_UNKNOWN` instead of resolving short; a page with no
 * hint and no total is the only page.
 *
 * @example collect(api, '/posts?_page=1') // json-server 1.0: page numbers over `_page`, `pages` as the total
 */
export function auto(): AutoStrategy {
  let delegate: Strategy | undefined;
  let chosen: string | undefined;
  const pick = (page: PageContext): Strategy | undefined => {
    if (delegate || chosen) return delegate;
    const found = detect(page);
    if (found && 'unknown' in found)
      throw new PaginationError(
        'STRATEGY_UNKNOWN',
        `${found.unknown}; pass a strategy (linkHeader(), cursor(), nextUrl(), pageNumber(), offset())`,
        [],
        null,
      );
    delegate = found?.strategy;
    chosen = found ? found.chosen : 'a single page (no next page named, no total)';
    return delegate;
  };
  return {
    name: 'auto',
    get chosen() {
      return chosen;
    },
    first: (request) => request,
    next: (page) => pick(page)?.next(page) ?? null,
    plan: (page) => pick(page)?.plan?.(page),
    totalItems: (page) => pick(page)?.totalItems?.(page),
    totalPages: (page) => pick(page)?.totalPages?.(page),
  };
}
