import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { PaginationError } from '../errors.js';
import type { Checkpoint, PageRequest } from './types.js';

/** The absolute URL axios would request for a page (baseURL, url and params combined). */
export function absoluteUrl(api: AxiosInstance, request: PageRequest, config?: AxiosRequestConfig): URL {
  const uri = api.getUri({ ...config, url: request.url, params: request.params });
  // In a browser a relative URI resolves against the page; in Node without a baseURL it cannot resolve.
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  return new URL(uri, base);
}

/** A stable identity for loop detection: the absolute URL with its query sorted. */
export function requestKey(url: URL): string {
  const copy = new URL(url.href);
  copy.searchParams.sort();
  copy.hash = '';
  return copy.href;
}

/**
 * Resolves a next link against the page that named it and checks it may be followed: http(s) only,
 * and on the first request's origin unless `allowOrigins` names its origin. Checked before any request
 * is sent, so a foreign host never receives the instance's headers (bearer tokens included).
 */
export function followable(link: string, from: URL, origin: string, allowOrigins: ReadonlySet<string>, checkpoint: Checkpoint | null): URL {
  let url: URL;
  try {
    url = new URL(link, from);
  } catch {
    throw new PaginationError('UNSAFE_URL', `next link ${JSON.stringify(link.slice(0, 200))} is not a URL`, [], checkpoint);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PaginationError('UNSAFE_URL', `next link uses ${url.protocol}; only http(s) is followed`, [], checkpoint);
  }
  if (url.origin !== origin && !allowOrigins.has(url.origin)) {
    throw new PaginationError(
      'CROSS_ORIGIN',
      `next link points at ${url.origin}, not ${origin}; add it to allowOrigins to follow it`,
      [],
      checkpoint,
    );
  }
  return url;
}
