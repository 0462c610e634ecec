// How a page request is sent: redirects vetted, credentials kept to the walk's origin, an unreadable body
// retried a few times at most, and what an attached instance tells of it (through request/for-pagination.ts).
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { redirectError } from '../errors.js';
import { getHeader, headerText } from '../http/headers.js';
import { isAttached, onRest, pageInfo } from '../request/for-pagination.js';
import type { SteadyRequestOptions } from '../types.js';
import { isReadable, readable } from './body.js';
import type { PageRequest } from './types.js';

export { isAttached, onRest, pageInfo };

/** Retries a page request asks for at least (the retry budget is what stops a dead API). */
export const PAGE_RETRIES = 100;
/** Retries a body the walk cannot read (HTML, text, JSON cut short) is given: a few, then the walk says what it got. */
export const UNREADABLE_RETRIES = 3;
/** How long a page request waits for a down API by default: a collection should outlive an outage of minutes. */
export const PAGE_PATIENCE_MS = 10 * 60_000;

/**
 * The `steady` options of one page request: a page of a flaky API is retried while the retry budget allows, not
 * abandoned after `retries` (an explicit `config.steady.retry` keeps its own count); a body the walk cannot read
 * is a failed attempt, retried UNREADABLE_RETRIES times, then handed to the walk to report; a down API is waited
 * for (PAGE_PATIENCE_MS). The caller's own `config.steady` wins.
 */
export function pageSteady(given: SteadyRequestOptions | undefined): SteadyRequestOptions {
  let unreadable = 0;
  return {
    validateResponse: (response) => isReadable(readable(response)) || ++unreadable > UNREADABLE_RETRIES,
    ...(given?.retry === undefined && { minRetries: PAGE_RETRIES }),
    patience: PAGE_PATIENCE_MS,
    ...given,
  };
}

const MAX_HOPS = 5;
const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304;
const defaultValid = (status: number) => status >= 200 && status < 300;
/** What the instance may carry that only its own origin should see. */
const CREDENTIALS = { Authorization: false, Cookie: false, 'Proxy-Authorization': false } as const;

/**
 * Sends one page request and follows its redirects itself, each vetted like a next link (`vet` throws for
 * another origin or a non-http(s) target) before anything is sent there: left to follow-redirects, a
 * same-origin link redirecting elsewhere took the instance's headers along. A request to another origin than
 * the walk's (one `allowOrigins` lets through) goes without the instance's credentials — Authorization, Cookie,
 * basic `auth` — as got and browsers do. `maxRedirects: 0` is honoured by Node's http adapter; browsers and
 * fetch follow redirects under their own CORS rules. Returns the URL the page was finally served from.
 */
export async function requestPage(
  api: AxiosInstance,
  config: AxiosRequestConfig,
  request: PageRequest,
  vet: (location: string, from: URL) => URL,
  target: URL,
  origin: string,
): Promise<{ response: AxiosResponse; url: URL }> {
  const valid = config.validateStatus ?? defaultValid;
  const send = (url: URL, path: string, params: PageRequest['params']) =>
    api.request({
      ...config,
      url: path,
      params,
      maxRedirects: 0,
      validateStatus: (status) => isRedirect(status) || (valid ? valid(status) : true),
      ...(/^[a-z][a-z0-9+.-]*:/i.test(path) && { allowAbsoluteUrls: true }),
      ...(url.origin !== origin && { auth: null as never, headers: { ...(config.headers as object), ...CREDENTIALS } }),
    });
  let response = await send(target, request.url, request.params);
  let at = target;
  for (let hop = 0; isRedirect(response.status); hop++) {
    const location = headerText(getHeader(response.headers, 'location'));
    if (!location || hop >= MAX_HOPS) throw redirectError(response, MAX_HOPS, location);
    at = vet(location, at);
    response = await send(at, at.href, undefined);
  }
  return { response, url: at };
}
