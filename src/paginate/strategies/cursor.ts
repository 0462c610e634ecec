import type { AxiosResponse } from 'axios';
import { invalid } from '../../util/validate.js';
import type { Strategy } from '../types.js';
import { checkFactory } from './check.js';

/** Options of {@link cursor}. */
export interface CursorOptions {
  /** Query parameter that carries the cursor, e.g. `starting_after` (Stripe) or `cursor` (Slack). */
  param: string;
  /** Reads the next cursor from a response; null, undefined or '' ends the walk. */
  next: (response: AxiosResponse) => string | number | null | undefined;
}

/**
 * A cursor in the body, sent back as a query parameter (Stripe, Slack, most GraphQL-ish REST APIs).
 *
 * @example cursor({ param: 'cursor', next: (res) => res.data.response_metadata?.next_cursor })
 */
export function cursor(input: CursorOptions): Strategy {
  const options = checkFactory('cursor', input, ['param', 'next'], ['next']);
  if (typeof options.param !== 'string' || options.param === '') invalid('cursor.param', options.param, 'a non-empty string');
  if (typeof options.next !== 'function') invalid('cursor.next', options.next, 'a function');
  const { param, next } = options as CursorOptions;
  return {
    name: `cursor:${param}`,
    first: (request) => request,
    next: ({ response, request }) => {
      const token = next(response);
      if (token === null || token === undefined || token === '') return null;
      if (typeof token !== 'string' && typeof token !== 'number')
        throw new TypeError(`axios-steady: cursor.next must return a string or number (or null at the end), got ${JSON.stringify(token)}`);
      return { url: request.url, params: { ...request.params, [param]: token } };
    },
  };
}
