import type { AxiosResponse } from 'axios';
import { invalid } from '../../options.js';
import type { Strategy } from '../types.js';

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
export function cursor(options: CursorOptions): Strategy {
  if (typeof options?.param !== 'string' || options.param === '') invalid('cursor.param', options?.param, 'a non-empty string');
  if (typeof options.next !== 'function') invalid('cursor.next', options.next, 'a function');
  return {
    name: `cursor:${options.param}`,
    first: (request) => request,
    next: ({ response, request }) => {
      const token = options.next(response);
      if (token === null || token === undefined || token === '') return null;
      return { url: request.url, params: { ...request.params, [options.param]: token } };
    },
  };
}
