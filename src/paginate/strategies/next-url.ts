import type { AxiosResponse } from 'axios';
import { invalid } from '../../util/validate.js';
import type { Strategy } from '../types.js';
import { checkFactory } from './check.js';

/** Options of {@link nextUrl}. */
export interface NextUrlOptions {
  /** Reads the next page's URL (absolute or relative) from a response; null/undefined/'' ends the walk. */
  next: (response: AxiosResponse) => string | null | undefined;
}

/**
 * A next-page URL in the body: DRF `next`, HAL `_links.next.href`, JSON:API `links.next`,
 * OData `@odata.nextLink`. Relative URLs resolve against the page that named them.
 *
 * @example nextUrl({ next: (res) => res.data.next })
 */
export function nextUrl(input: NextUrlOptions): Strategy {
  const { next } = checkFactory('nextUrl', input, ['next'], ['next']);
  if (typeof next !== 'function') invalid('nextUrl.next', next, 'a function');
  return {
    name: 'nextUrl',
    first: (request) => request,
    next: ({ response }) => {
      const url: unknown = next(response);
      if (url === null || url === undefined || url === '') return null;
      if (typeof url !== 'string')
        throw new TypeError(`axios-steady: nextUrl.next must return a URL string (or null at the end), got ${JSON.stringify(url)}`);
      return { url };
    },
  };
}
