// Zero-config pagination: which strategy a first page asks for. Detection reads the names and values of the
// body's fields wherever an API nests them (`meta.pagination.pageCount`, `response_metadata.next_cursor`) and
// a few headers, in a fixed order: a Link header, a next URL, a cursor, a page count, a next page number, an
// item count. A page that hints at more pages in a way none of these reads is STRATEGY_UNKNOWN, never "a
// single page": a walk is never silently short. The shapes come from the APIs' public docs (see the tests).
import type { AxiosResponse } from 'axios';
import { getHeader, headerText } from '../http/headers.js';
import { defaultItems, fields, readPath, wholeNumber, type Field } from './body.js';
import { nextLink } from './link-parser.js';
import { cursor } from './strategies/cursor.js';
import { linkHeader } from './strategies/link-header.js';
import { nextUrl } from './strategies/next-url.js';
import { offset } from './strategies/offset.js';
import { pageNumber } from './strategies/page-number.js';
import type { PageContext, PageRequest, Strategy } from './types.js';

type Read = (response: AxiosResponse) => unknown;

/** What detection found: a strategy and its name for people; `unknown`: more exist, nothing says how. */
export type Detected = { readonly strategy: Strategy; readonly chosen: string } | { readonly unknown: string } | undefined;

/** A field that points backwards or sideways (a previous page, this page, the first or last): never "next". */
function backwards(field: Field): boolean {
  return (
    /prev|before|start_?cursor|sync/i.test(field.key) ||
    field.path.split('.').some((s) => /^(prev|previous|before|self|first|last|current)$/i.test(s))
  );
}
const NEXT_URL = /^(next|next_?(page_?)?(url|link|href|uri)|@odata\.nextLink)$/i;
const CURSOR = /cursor|^next_?(page_?)?token$|^continuation(_?token)?$|^(after|next)$/i;
const PAGE_COUNT = /^(total_?pages|page_?count|pages|last_?page|num_?pages|total_?page_?count|max_?page)$/i;
const NEXT_PAGE = /^next(_?page)?(_?number)?$/i;
const ITEM_COUNT =
  /^(total|count|items|total_?(count|items|elements|results|size|hits|records|entries)|num_?found|numFound|(item|items|result|record)_?count)$/i;
const CURRENT_PAGE = /^(page|current_?page|page_?number|number|_?page|p)$/i;
const OFFSET = /^(offset|skip|start|_start|from|start_?(index|at)|\$skip)$/i;
const LIMIT = /^(limit|_limit|per_?page|_per_page|page_?size|size|max_?results|\$top|top|rows|take)$/i;
const MORE = /^(has_?more|has_?next(_?page)?|more|more_?results|next_?page_?exists)$/i;
const HINT = /^next|cursor|page_?token|continuation|^offset$|^skip$|^after$|scroll_?id|^page/i;

const PAGE_PARAMS = /^(page|_page|p|page_?number|pageNumber|page\[(number|page)\]|pagination\[page\])$/i;
const OFFSET_PARAMS = /^(offset|_start|skip|start|from|start_?at|\$skip|pagination\[start\])$/i;
const LIMIT_PARAMS = /^(limit|_limit|per_?page|_per_page|page_?size|size|\$top|top|pagination\[(page_?size|limit)\])$/i;

const looksLikeUrl = (value: unknown) => typeof value === 'string' && /^(https?:\/\/|\/|\?)/i.test(value);
const present = (value: unknown) => value !== undefined && value !== null && value !== '' && value !== false;
const parentOf = (path: string) => path.split('.').slice(0, -1).join('.');
const headerValue = (response: AxiosResponse, name: string) => headerText(getHeader(response.headers, name));

/** The query parameters of a request (its params and its URL's query): what the API already uses. */
function paramsOf(request: PageRequest): string[] {
  const names = new Set(Object.keys(request.params ?? {}));
  const query = request.url.split('?')[1];
  if (query) for (const [name] of new URLSearchParams(query)) names.add(name);
  return [...names];
}

/** A reader of `path`, from this response or a later one. */
const reader =
  (path: string): Read =>
  (response) =>
    readPath(path)(response);
/** A reader of a header. */
const headerReader =
  (name: string): Read =>
  (response) =>
    headerValue(response, name);

/** What the first page says, read once. */
class Clues {
  readonly fields: Field[];
  readonly params: string[];
  constructor(
    readonly page: PageContext,
    readonly itemsBefore: number,
  ) {
    this.fields = fields(page.response.data);
    this.params = paramsOf(page.request);
  }
  /** The first field named like `name` whose value is `ok`; `forward`: none that points backwards. */
  find(name: RegExp, ok: (value: unknown, field: Field) => boolean, forward = false): Field | undefined {
    return this.fields.find((f) => name.test(f.key) && ok(f.value, f) && !(forward && backwards(f)));
  }
  /** The `has_more`-like field beside `path`, if any. */
  moreBeside(path: string): Field | undefined {
    const parent = parentOf(path);
    return this.fields.find((f) => parentOf(f.path) === parent && MORE.test(f.key));
  }
  param(pattern: RegExp): string | undefined {
    return this.params.find((name) => pattern.test(name));
  }
  get seen(): number {
    return this.itemsBefore + this.page.items.length;
  }
}

/** Picks the strategy a first page asks for; undefined when it is a single page with nothing more to find. */
export function detect(page: PageContext): Detected {
  const { response } = page;
  if (nextLink(getHeader(response.headers, 'link'))) return { strategy: linkHeader(), chosen: 'Link header' };
  const clues = new Clues(page, page.itemsBefore ?? 0);
  return byNextUrl(clues) ?? byCursor(clues) ?? byPageCount(clues) ?? byNextPage(clues) ?? byItemCount(clues) ?? byHints(clues);
}

function byNextUrl(c: Clues): Detected {
  const field =
    c.find(NEXT_URL, looksLikeUrl, true) ??
    c.find(/^(href|link|url|uri)$/i, (value, f) => looksLikeUrl(value) && /(^|\.)next$/i.test(parentOf(f.path)), true);
  if (!field) return undefined;
  const read = reader(field.path);
  return {
    strategy: nextUrl({ next: (r) => (looksLikeUrl(read(r)) ? (read(r) as string) : null) }),
    chosen: `next URL in \`${field.path}\``,
  };
}

/** The query parameter a cursor found at `field` is sent back as. */
function cursorParam(c: Clues, field: Field): string {
  const given = c.param(/cursor|token|^after$|continuation/i);
  if (given) return given;
  const key = field.key;
  if (/^next_?page_?token$/i.test(key)) {
    // nextPageToken → pageToken, next_page_token → page_token, NextPageToken → PageToken
    const rest = key.replace(/^next_?/i, '');
    return key[0] === 'n' ? rest[0].toLowerCase() + rest.slice(1) : rest;
  }
  if (/^(next_?token|continuation(_?token)?)$/i.test(key)) return key;
  if (/^end_?cursor$/i.test(key) || /^after$/i.test(key)) return 'after';
  if (/^offset$/i.test(key)) return key; // Airtable
  return 'cursor';
}

function byCursor(c: Clues): Detected {
  const token = (value: unknown) => typeof value === 'string' && value !== '' && !looksLikeUrl(value);
  // Airtable sends its cursor as `offset`, a string; numeric offsets are read with the item count below.
  const field = c.find(CURSOR, token, true) ?? c.find(/^offset$/i, token);
  const beside = field && c.moreBeside(field.path);
  if (field && beside?.value !== false) {
    const param = cursorParam(c, field);
    const read = reader(field.path);
    const more = beside && reader(beside.path);
    // A cursor beside a `has_more`/`hasNextPage` flag ends where the flag says so (GraphQL's endCursor stays set).
    const next = (r: AxiosResponse) => {
      const value = read(r);
      if (more && more(r) === false) return null;
      return typeof value === 'string' || typeof value === 'number' ? value : null;
    };
    return { strategy: cursor({ param, next }), chosen: `cursor \`${field.path}\` → ?${param}=` };
  }
  const more = c.find(MORE, (value) => value === true);
  const items = defaultItems<Record<string, unknown>>(c.page.response) ?? [];
  if (more && items.length > 0 && (items.at(-1) as Record<string, unknown> | undefined)?.id !== undefined) {
    // Stripe: `has_more`, and the last item's id as `starting_after`.
    const flag = reader(more.path);
    const next = (r: AxiosResponse) => {
      const list = defaultItems<Record<string, unknown>>(r) ?? [];
      return flag(r) === true && list.length > 0 ? String(list.at(-1)?.id) : null;
    };
    return { strategy: cursor({ param: 'starting_after', next }), chosen: `\`${more.path}\` → ?starting_after= (the last id)` };
  }
  return undefined;
}

/** The page parameter: the one the first URL uses, or the one the body's shape names. */
function pageParam(c: Clues, near?: Field): string {
  const given = c.param(PAGE_PARAMS);
  if (given) return given;
  const parent = near ? parentOf(near.path) : '';
  if (/(^|\.)pagination$/i.test(parent)) return 'pagination[page]'; // Strapi
  if (/(^|\.)page$/i.test(parent) && c.fields.some((f) => f.path === `${parent}.number`)) return 'page[number]'; // JSON:API
  if (c.fields.some((f) => f.path === 'first') && c.fields.some((f) => f.path === 'pages')) return '_page'; // json-server 1.0
  const current = c.fields.find((f) => CURRENT_PAGE.test(f.key) && wholeNumber(f.value) !== undefined);
  if (current && /^(p|_page|page_?number)$/i.test(current.key)) return current.key;
  return 'page';
}

/** Page numbers start at 0 where the body says the first page is 0 (Spring's `number`). */
function pageStart(c: Clues, param: string): number {
  if (c.params.includes(param)) return 1;
  const current = c.fields.find((f) => CURRENT_PAGE.test(f.key) && wholeNumber(f.value) !== undefined);
  return current && wholeNumber(current.value) === 0 ? 0 : 1;
}

function byPageCount(c: Clues): Detected {
  const { response } = c.page;
  const field = c.find(PAGE_COUNT, (value) => wholeNumber(value) !== undefined);
  const header = ['x-total-pages', 'x-pagination-page-count'].find((name) => wholeNumber(headerValue(response, name)) !== undefined);
  if (!field && !header) return undefined;
  const param = pageParam(c, field);
  const read = field ? reader(field.path) : headerReader(header as string);
  // The item count beside the page count, to check the walk by (Spring's totalElements, Strapi's total).
  const count = itemCount(c);
  const totalItems = count && (!field || parentOf(count.where) === parentOf(field.path)) ? count : undefined;
  return {
    strategy: pageNumber({
      param,
      start: pageStart(c, param),
      totalPages: (r) => wholeNumber(read(r)),
      ...(totalItems && { totalItems: (r: AxiosResponse) => wholeNumber(totalItems.read(r)) }),
    }),
    chosen: `page numbers ?${param}= (${field?.path ?? header})`,
  };
}

function byNextPage(c: Clues): Detected {
  const { response } = c.page;
  const stated = headerValue(response, 'x-next-page');
  const field = c.find(NEXT_PAGE, (value) => wholeNumber(value) !== undefined);
  if (wholeNumber(stated) === undefined && !field) return undefined;
  const param = pageParam(c, field);
  const read = wholeNumber(stated) !== undefined ? headerReader('x-next-page') : reader((field as Field).path);
  const next = (r: AxiosResponse) => wholeNumber(read(r)) ?? null;
  return { strategy: cursor({ param, next }), chosen: `page numbers ?${param}= (${field?.path ?? 'X-Next-Page'})` };
}

/** The item count the first page states, where, and how to read it again. */
function itemCount(c: Clues): { total: number; where: string; read: Read } | undefined {
  const { response } = c.page;
  const field =
    c.find(ITEM_COUNT, (value, f) => wholeNumber(value) !== undefined && !(f.key === 'items' && Array.isArray(value))) ??
    c.find(/^value$/, (value, f) => wholeNumber(value) !== undefined && /(^|\.)total$/.test(parentOf(f.path)));
  if (field) return { total: wholeNumber(field.value) as number, where: field.path, read: reader(field.path) };
  for (const name of ['x-total-count', 'x-total', 'x-pagination-total-count']) {
    const total = wholeNumber(headerValue(response, name));
    if (total !== undefined) return { total, where: name.replace(/(^|-)\w/g, (s) => s.toUpperCase()), read: headerReader(name) };
  }
  return undefined;
}

function byItemCount(c: Clues): Detected {
  const count = itemCount(c);
  if (!count || count.total <= c.seen) return undefined;
  const total = (r: AxiosResponse) => wholeNumber(count.read(r));
  const pageGiven = c.param(PAGE_PARAMS);
  if (pageGiven)
    return { strategy: pageNumber({ param: pageGiven, totalItems: total }), chosen: `page numbers ?${pageGiven}= (${count.where})` };
  // The offset parameter the first URL uses, or the one the body names (Contentful's `skip`).
  const offsetField = c.find(OFFSET, (value) => wholeNumber(value) !== undefined);
  const offsetParam = c.param(OFFSET_PARAMS) ?? offsetField?.key;
  if (offsetParam) {
    const limitParam = c.param(LIMIT_PARAMS) ?? c.find(LIMIT, (value) => wholeNumber(value) !== undefined)?.key ?? 'limit';
    return {
      strategy: offset({ param: offsetParam, limitParam, limit: Math.max(1, c.page.items.length), total }),
      chosen: `offsets ?${offsetParam}= (${count.where})`,
    };
  }
  const current = c.find(CURRENT_PAGE, (value) => wholeNumber(value) !== undefined);
  if (current) {
    const param = pageParam(c, current);
    return {
      strategy: pageNumber({ param, start: pageStart(c, param), totalItems: total }),
      chosen: `page numbers ?${param}= (${count.where})`,
    };
  }
  return { unknown: `${describeSeen(c)} of ${count.total} items (${count.where}), but names no next page` };
}

function describeSeen(c: Clues): string {
  return `the first page holds ${c.page.items.length}${c.itemsBefore > 0 ? ` (after ${c.itemsBefore} collected before)` : ''}`;
}

/**
 * Nothing above matched. A page number in the body with nothing else is walked until an empty page; any other
 * hint of more pages (a next field, a cursor, an offset, `has_more: true`) that is not empty is
 * STRATEGY_UNKNOWN, naming it. With no hint, or hints that say "no more" (null, '', false), it is a single page.
 */
function byHints(c: Clues): Detected {
  const hints = c.fields.filter(
    (f) =>
      !backwards(f) &&
      c.moreBeside(f.path)?.value !== false &&
      ((HINT.test(f.key) && present(f.value) && f.value !== 0) || (MORE.test(f.key) && f.value === true)),
  );
  const headers = ['x-next-page', 'x-next-cursor', 'x-next-token', 'x-pagination-next'].filter((name) =>
    headerValue(c.page.response, name),
  );
  if (hints.length === 0 && headers.length === 0) return undefined;
  const current = hints.find((f) => CURRENT_PAGE.test(f.key) && wholeNumber(f.value) !== undefined);
  const others = hints.filter((f) => f !== current && !/^page_?(size|limit)$|^per_?page$/i.test(f.key));
  if (current && others.length === 0 && headers.length === 0) {
    const param = pageParam(c, current);
    return { strategy: pageNumber({ param, start: pageStart(c, param) }), chosen: `page numbers ?${param}= (until an empty page)` };
  }
  const named = [...others.map((f) => `${f.path}: ${JSON.stringify(f.value)}`), ...headers.map((h) => `header ${h}`)].slice(0, 4);
  return { unknown: `${describeSeen(c)} items and names ${named.join(', ')}, but not in a way axios-steady can follow` };
}
