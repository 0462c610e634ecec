import { getHeader } from '../../http/headers.js';
import { nextLink, parseLinkHeader } from '../link-parser.js';
import { wholeNumber } from '../body.js';
import type { Strategy } from '../types.js';

/**
 * RFC 8288 `Link: <…>; rel="next"` (GitHub, GitLab…). The next URL carries its own query, so the
 * first request's params are not repeated. The total comes from `X-Total-Count` (json-server) or `X-Total`
 * (GitLab) when sent: for progress, and to check the walk by.
 *
 * @example paginate(api, '/repos/o/r/issues', { strategy: linkHeader() })
 */
export function linkHeader(): Strategy {
  return {
    name: 'linkHeader',
    first: (request) => request,
    next: ({ response }) => {
      const header = getHeader(response.headers, 'link');
      const uri = nextLink(header);
      return uri ? { url: uri } : null;
    },
    // GitHub and GitLab name the last page (`rel="last"`, `…&page=34`); GitLab also sends X-Total-Pages.
    totalPages: ({ response }) => {
      const header = getHeader(response.headers, 'link');
      const text = Array.isArray(header) ? header.join(', ') : typeof header === 'string' ? header : '';
      const last = parseLinkHeader(text).find((link) => link.rel.includes('last'))?.uri;
      const query = last?.includes('?') ? new URLSearchParams(last.slice(last.indexOf('?') + 1)) : undefined;
      const page = ['page', '_page', 'p'].map((name) => wholeNumber(query?.get(name))).find((n) => n !== undefined);
      return page ?? wholeNumber(getHeader(response.headers, 'x-total-pages'));
    },
    totalItems: ({ response }) =>
      wholeNumber(getHeader(response.headers, 'x-total-count')) ?? wholeNumber(getHeader(response.headers, 'x-total')),
  };
}
