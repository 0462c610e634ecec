// Re-collection that pays only for what changed: what a walk keeps of each page (its validators, and what the
// page gave), so that the next walk asks "has it changed?" (If-None-Match / If-Modified-Since) and, on a 304,
// yields the kept page as if it had been fetched. Kept pages are committed only when a walk completes: a failed
// walk never makes the next one skip stale data (patchdeck#74's rule).
import { AxiosHeaders, type AxiosResponse } from 'axios';
import { getHeader, headerText } from '../http/headers.js';
import { invalid } from '../util/validate.js';

/** What a walk kept of one page: its validators, headers, and its body (or how to get it back). */
export interface StoredPage {
  /** The page's `ETag`, sent back as `If-None-Match`. */
  readonly etag?: string;
  /** The page's `Last-Modified`, sent back as `If-Modified-Since`. */
  readonly lastModified?: string;
  /** Its response headers that say how to go on (Link, X-Total-Count…): volatile ones left out. */
  readonly headers: Readonly<Record<string, string>>;
  /** Its body, as the walk read it; or `body()` to get it back (a store that keeps bodies elsewhere). */
  readonly data?: unknown;
  body?(): unknown;
}

/**
 * Where walks keep their pages between runs: a small get/set interface (may be async). `get(walk, page)`: what
 * the last complete walk kept of that page (by the walk's key and the page request's key); `set(walk, pages)`:
 * a walk completed, these are all its pages now (the whole walk's set replaces the last one).
 */
export interface PageStore {
  get(walk: string, page: string): StoredPage | undefined | Promise<StoredPage | undefined>;
  set(walk: string, pages: ReadonlyMap<string, StoredPage>): void | Promise<void>;
}

/**
 * A PageStore in memory: for a process that collects the same API again and again (a service's nightly job).
 * For other stores (a file, a database), write the two methods; a JSON file is five lines.
 *
 * @example
 * const store = memoryStore();
 * await collect(api, '/issues', { revalidate: store }); // fetched
 * await collect(api, '/issues', { revalidate: store }); // 304s: the kept pages, no quota spent on GitHub
 */
export function memoryStore(): PageStore {
  const walks = new Map<string, ReadonlyMap<string, StoredPage>>();
  return {
    get: (walk, page) => walks.get(walk)?.get(page),
    set: (walk, pages) => void walks.set(walk, new Map(pages)),
  };
}

export function isPageStore(value: unknown): value is PageStore {
  const store = value as PageStore;
  return typeof store === 'object' && store !== null && typeof store.get === 'function' && typeof store.set === 'function';
}

/** Headers a kept page does not keep: they describe that response, not the page. */
const VOLATILE =
  /^(date|age|expires|set-cookie|retry-after|connection|keep-alive|transfer-encoding|content-length|content-encoding|(x-)?ratelimit.*)$/i;

/** What to keep of a page just fetched: undefined when it has no validator (nothing to ask about next time). */
export function keep(response: AxiosResponse, data: unknown): StoredPage | undefined {
  const etag = headerText(getHeader(response.headers, 'etag'));
  const lastModified = headerText(getHeader(response.headers, 'last-modified'));
  if (etag === undefined && lastModified === undefined) return undefined;
  const headers: Record<string, string> = {};
  const raw = response.headers as { toJSON?: () => Record<string, unknown> } | Record<string, unknown>;
  const all = typeof raw?.toJSON === 'function' ? (raw.toJSON as () => Record<string, unknown>)() : (raw as Record<string, unknown>);
  for (const [name, value] of Object.entries(all ?? {}))
    if (!VOLATILE.test(name) && (typeof value === 'string' || typeof value === 'number')) headers[name.toLowerCase()] = String(value);
  return { ...(etag !== undefined && { etag }), ...(lastModified !== undefined && { lastModified }), headers, data };
}

/** A kept page after a 304: the same page, with the validators the 304 carried (if it carried any). */
export function refreshed(page: StoredPage, notModified: AxiosResponse): StoredPage {
  const etag = headerText(getHeader(notModified.headers, 'etag')) ?? page.etag;
  const lastModified = headerText(getHeader(notModified.headers, 'last-modified')) ?? page.lastModified;
  return { ...page, ...(etag !== undefined && { etag }), ...(lastModified !== undefined && { lastModified }) };
}

/** The request headers that ask whether a kept page changed. */
export function conditional(page: StoredPage): Record<string, string> {
  return {
    ...(page.etag !== undefined && { 'If-None-Match': page.etag }),
    ...(page.lastModified !== undefined && { 'If-Modified-Since': page.lastModified }),
  };
}

/** The response a 304 stands for: the kept page's body and headers, the 304's own fresher headers over them. */
export async function revived(notModified: AxiosResponse, page: StoredPage): Promise<AxiosResponse> {
  const data = page.body ? await page.body() : page.data;
  const headers = { ...page.headers };
  const fresh = notModified.headers as { toJSON?: () => Record<string, unknown> };
  for (const [name, value] of Object.entries(typeof fresh?.toJSON === 'function' ? fresh.toJSON() : (notModified.headers ?? {})))
    if (typeof value === 'string' && !/^content-/i.test(name)) headers[name.toLowerCase()] = value;
  return { ...notModified, status: 200, statusText: 'OK (revalidated)', data, headers: new AxiosHeaders(headers) };
}

/** Validates the `revalidate` option. */
export function checkStore(value: unknown): PageStore | undefined {
  if (value === undefined) return undefined;
  if (!isPageStore(value))
    invalid('revalidate', value, 'a page store: memoryStore(), or an object with get(walk, page) and set(walk, pages)');
  return value;
}
