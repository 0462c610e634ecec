import { getHeader } from '../../retry/retry-after.js';
import { nextLink } from '../link-header.js';
import type { Strategy } from '../types.js';

/**
 * RFC 8288 `Link: <…>; rel="next"` (GitHub, GitLab…). The next URL carries its own query, so the
 * first request's params are not repeated.
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
  };
}
