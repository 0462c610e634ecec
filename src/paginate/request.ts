import { isAxiosError, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { getHeader, headerText } from '../retry/retry-after.js';
import type { PageRequest } from './types.js';

/** A page body that parsed: anything but a string (axios leaves HTML and cut-short JSON as text). */
export const parsedBody = (response: AxiosResponse): boolean => typeof response.data !== 'string' || response.data.trim() === '';

/** For a page that failed with a 2xx body that did not parse: its content type and first bytes. */
export function bodyHint(error: unknown): string {
  const response = isAxiosError(error) ? error.response : undefined;
  if (!response || response.status >= 400 || typeof response.data !== 'string') return '';
  const type = String(response.headers['content-type'] ?? 'no content-type');
  return ` (the body, ${type}, did not parse: ${JSON.stringify(response.data.slice(0, 80))})`;
}

const MAX_HOPS = 5;
const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;
const defaultValid = (status: number) => status >= 200 && status < 300;

/**
 * Sends one page request and follows its redirects itself, each vetted like a next link (`vet` throws for
 * another origin or a non-http(s) target) before anything is sent there: left to follow-redirects, a
 * same-origin link redirecting elsewhere took the instance's headers along (it strips only Authorization and
 * Cookie). `maxRedirects: 0` is honoured by Node's http adapter; browsers and fetch follow redirects under
 * their own CORS rules. Returns the URL the page was finally served from: relative links on it resolve there.
 */
export async function requestPage(
  api: AxiosInstance,
  config: AxiosRequestConfig,
  request: PageRequest,
  vet: (location: string, from: URL) => URL,
  from: URL,
): Promise<{ response: AxiosResponse; url: URL }> {
  const valid = config.validateStatus ?? defaultValid;
  const send = (url: string, params: PageRequest['params']) =>
    api.request({
      ...config,
      url,
      params,
      maxRedirects: 0,
      validateStatus: (status) => isRedirect(status) || (valid ? valid(status) : true),
      ...(/^[a-z][a-z0-9+.-]*:/i.test(url) && { allowAbsoluteUrls: true }),
    });
  let response = await send(request.url, request.params);
  let at = from;
  for (let hop = 0; isRedirect(response.status); hop++) {
    const location = headerText(getHeader(response.headers, 'location'));
    if (!location || hop >= MAX_HOPS)
      throw new Error(`${response.status} redirect ${location ? `chain longer than ${MAX_HOPS}` : 'without a Location'}`);
    at = vet(location, at);
    response = await send(at.href, undefined);
  }
  return { response, url: at };
}
