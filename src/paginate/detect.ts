// Zero-config pagination: which strategy a first page asks for, read from what real APIs send (their public
// docs): Link headers (GitHub, GitLab, json-server 0.17); next URLs in the body (DRF, HAL, JSON:API, OData,
// Laravel, Facebook); cursors (Slack, Google, Stripe, `next_cursor`); page numbers with a page count (Spring,
// json-server 1.0, `total_pages`); offsets with an item count (`total`, `count`, X-Total-Count).
import type { AxiosResponse } from 'axios';
import { getHeader } from '../retry/retry-after.js';
import { defaultItems } from './items.js';
import { wholeNumber } from './number.js';
import { nextLink } from './link-header.js';
import { cursor } from './strategies/cursor.js';
import { linkHeader } from './strategies/link-header.js';
import { nextUrl } from './strategies/next-url.js';
import { offset } from './strategies/offset.js';
import { pageNumber } from './strategies/page-number.js';
import type { PageRequest, Strategy } from './types.js';

type Body = Record<string, unknown>;
type Read = (response: AxiosResponse) => unknown;

/** Reads a dotted path (`links.next`, `_links.next.href`) from the body. */
export const at =
  (path: string): Read =>
  (response) => {
    const body = response.data as Body | null;
    // A key may hold a dot itself (OData's `@odata.nextLink`).
    if (typeof body === 'object' && body !== null && path in body) return body[path];
    return path
      .split('.')
      .reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Body)[key] : undefined), body);
  };

const NEXT_URLS = [
  'next',
  'links.next',
  'links.next.href',
  '_links.next.href',
  '@odata.nextLink',
  'next_page_url',
  'paging.next',
  'meta.next',
];
const CURSORS: [path: string, param: string][] = [
  ['next_cursor', 'cursor'],
  ['response_metadata.next_cursor', 'cursor'],
  ['meta.next_cursor', 'cursor'],
  ['nextPageToken', 'pageToken'],
  ['next_page_token', 'page_token'],
];
const PAGE_COUNTS = [
  'total_pages',
  'totalPages',
  'pages',
  'last_page',
  'page_count',
  'pageCount',
  'meta.total_pages',
  'meta.last_page',
  'page.totalPages',
];
const ITEM_COUNTS = ['total', 'count', 'total_count', 'totalCount', 'totalElements', 'meta.total', 'hits.total'];
const PAGE_PARAMS = ['page', '_page', 'p', 'pageNumber', 'page_number'];
const OFFSET_PARAMS = ['offset', '_start', 'skip', 'start'];
const LIMIT_PARAMS = ['limit', '_limit', 'per_page', 'pageSize', 'page_size', 'size'];

const looksLikeUrl = (value: unknown) => typeof value === 'string' && /^(https?:\/\/|\/|\?)/i.test(value);
const first = <T>(list: readonly T[], ok: (item: T) => boolean) => list.find(ok);

/** The query parameters of a request (its params and its URL's query), to name what the API already uses. */
function paramsOf(request: PageRequest): Set<string> {
  const names = new Set(Object.keys(request.params ?? {}));
  const query = request.url.split('?')[1];
  if (query) for (const [name] of new URLSearchParams(query)) names.add(name);
  return names;
}

/** What detection found: a strategy and its name for people; `unknown`: a total says more exist, nothing says how. */
export type Detected = { readonly strategy: Strategy; readonly chosen: string } | { readonly unknown: string } | undefined;

/** Picks the strategy a first page asks for; undefined when it is a single page with nothing more to find. */
export function detect(response: AxiosResponse, request: PageRequest, itemsBefore = 0): Detected {
  if (nextLink(getHeader(response.headers, 'link'))) return { strategy: linkHeader(), chosen: 'Link header' };
  const body = typeof response.data === 'object' && response.data !== null && !Array.isArray(response.data) ? (response.data as Body) : {};
  const items = defaultItems(response) ?? [];
  const urlPath = first(NEXT_URLS, (path) => looksLikeUrl(at(path)(response)));
  if (urlPath)
    return {
      strategy: nextUrl({ next: (r) => (looksLikeUrl(at(urlPath)(r)) ? (at(urlPath)(r) as string) : null) }),
      chosen: `next URL in \`${urlPath}\``,
    };
  const token = first(CURSORS, ([path]) => typeof at(path)(response) === 'string' && at(path)(response) !== '');
  if (token) {
    const [path, param] = token;
    return { strategy: cursor({ param, next: (r) => at(path)(r) as string | null }), chosen: `cursor \`${path}\` → ?${param}=` };
  }
  if (body.has_more === true && items.length > 0 && (items.at(-1) as Body | undefined)?.id !== undefined) {
    // Stripe: `has_more`, and the last item's id as `starting_after`.
    const next = (r: AxiosResponse) => {
      const list = defaultItems<Body>(r) ?? [];
      return (r.data as Body).has_more === true && list.length > 0 ? String(list.at(-1)?.id) : null;
    };
    return { strategy: cursor({ param: 'starting_after', next }), chosen: 'Stripe `has_more` → ?starting_after=' };
  }
  const used = paramsOf(request);
  const pagesPath = first(PAGE_COUNTS, (path) => wholeNumber(at(path)(response)) !== undefined);
  const pagesHeader = wholeNumber(getHeader(response.headers, 'x-total-pages'));
  if (pagesPath || pagesHeader !== undefined) {
    const param = first(PAGE_PARAMS, (name) => used.has(name)) ?? (body.first !== undefined && body.pages !== undefined ? '_page' : 'page');
    // Spring Data numbers pages from 0 (`number`); others from 1.
    const start = body.number === 0 && !used.has(param) ? 0 : 1;
    const totalPages = (r: AxiosResponse) =>
      pagesPath ? wholeNumber(at(pagesPath)(r)) : wholeNumber(getHeader(r.headers, 'x-total-pages'));
    return { strategy: pageNumber({ param, start, totalPages }), chosen: `page numbers ?${param}= (${pagesPath ?? 'X-Total-Pages'})` };
  }
  const countPath = first(ITEM_COUNTS, (path) => wholeNumber(at(path)(response)) !== undefined);
  const total = countPath ? wholeNumber(at(countPath)(response)) : wholeNumber(getHeader(response.headers, 'x-total-count'));
  if (total !== undefined && total > itemsBefore + items.length) {
    const read = (r: AxiosResponse) => (countPath ? wholeNumber(at(countPath)(r)) : wholeNumber(getHeader(r.headers, 'x-total-count')));
    const pageParam = first(PAGE_PARAMS, (name) => used.has(name));
    if (pageParam)
      return {
        strategy: pageNumber({ param: pageParam, totalItems: read }),
        chosen: `page numbers ?${pageParam}= (${countPath ?? 'X-Total-Count'})`,
      };
    const offsetParam = first(OFFSET_PARAMS, (name) => used.has(name));
    if (!offsetParam)
      return {
        unknown: `the first page holds ${items.length}${itemsBefore > 0 ? ` (after ${itemsBefore} collected before)` : ''} of ${total} items (${countPath ?? 'X-Total-Count'}), but names no next page`,
      };
    const limitParam = first(LIMIT_PARAMS, (name) => used.has(name)) ?? 'limit';
    return {
      strategy: offset({ param: offsetParam, limitParam, limit: Math.max(1, items.length), total: read }),
      chosen: `offsets ?${offsetParam}= (${countPath ?? 'X-Total-Count'})`,
    };
  }
  return undefined;
}
