// The strategy a `collect` command's flags name (--strategy, --next, --total, --total-pages, --param, --limit).
import type { AxiosResponse } from 'axios';
import { getHeader } from '../http/headers.js';
import { readPath } from '../paginate/body.js';
import { auto } from '../paginate/strategies/auto.js';
import { cursor } from '../paginate/strategies/cursor.js';
import { linkHeader } from '../paginate/strategies/link-header.js';
import { nextUrl } from '../paginate/strategies/next-url.js';
import { offset } from '../paginate/strategies/offset.js';
import { pageNumber } from '../paginate/strategies/page-number.js';
import type { Strategy } from '../paginate/types.js';
import type { CollectCommand, Field } from './args.js';

const reader = (field: Field) => (response: AxiosResponse) =>
  ('header' in field ? getHeader(response.headers, field.header) : readPath(field.path)(response)) as never;

export function strategyOf(c: CollectCommand): Strategy {
  const next = c.next && 'path' in c.next ? reader(c.next) : undefined;
  const total = c.total && reader(c.total);
  switch (c.strategy) {
    case 'auto':
      return auto();
    case 'link':
      return linkHeader();
    case 'cursor':
      return cursor({ param: c.param ?? 'cursor', next: next as (r: AxiosResponse) => string });
    case 'next':
      return nextUrl({ next: next ?? reader({ path: 'next' }) });
    case 'page':
      return pageNumber({
        ...(c.param && { param: c.param }),
        ...(c.totalPages && { totalPages: reader(c.totalPages) }),
        ...(total && { totalItems: total }),
      });
    case 'offset':
      return offset({ ...(c.param && { param: c.param }), ...(c.limit && { limit: c.limit }), ...(total && { total }) });
  }
}
