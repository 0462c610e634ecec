import { AxiosError, isAxiosError, isCancel, type InternalAxiosRequestConfig } from 'axios';
import isRetryAllowed from 'is-retry-allowed';
import { isRejectedResponse } from '../errors.js';
import { getHeader, headerText } from '../http/headers.js';
import type { RetryReason } from '../types.js';
import type { RetryPolicy } from './normalize.js';

/** axios error codes that describe a mistake in the request, not a flaky network: never retried. */
const NOT_NETWORK = new Set([
  AxiosError.ERR_BAD_OPTION,
  AxiosError.ERR_BAD_OPTION_VALUE,
  AxiosError.ERR_NOT_SUPPORT,
  AxiosError.ERR_INVALID_URL,
  AxiosError.ERR_DEPRECATED,
  AxiosError.ERR_FR_TOO_MANY_REDIRECTS,
  AxiosError.ERR_CANCELED,
  'ERR_FR_MAX_BODY_LENGTH_EXCEEDED',
]);

const TIMEOUT_CODES = new Set([AxiosError.ECONNABORTED, AxiosError.ETIMEDOUT]);
/** llhttp's parse errors, except a connection that closed mid-message (that one is the network's). */
const PARSE_ERROR = /^HPE_(?!CLOSED_CONNECTION|INVALID_EOF_STATE)/;

/**
 * Classifies a failed attempt: why it is worth retrying, or `undefined` when it is not. Statuses come from
 * `policy.statuses`; a response validateResponse turned down is `response`. Without a response — or with one
 * whose body broke off after the headers (reset, EOF, stall: axios says ERR_BAD_RESPONSE over a 2xx) — it is
 * a network failure: timeouts, codes is-retry-allowed does not deny, and failures with no code at all (a
 * custom adapter's plain error). A cancellation never is, nor a mistake in the request (bad URL, option).
 */
export function failureReason(error: unknown, statuses: ReadonlySet<number>): RetryReason | undefined {
  // isAxiosError, not instanceof: the caller's axios may be another copy (ESM vs CJS) than ours.
  if (isCancel(error) || !isAxiosError(error)) return undefined;
  if (isRejectedResponse(error)) return 'response';
  const code = error.code;
  const response = error.response;
  const brokenBody =
    response !== undefined && response.status < 400 && code === AxiosError.ERR_BAD_RESPONSE && !/maxContentLength/.test(error.message);
  if (response && !brokenBody) return statuses.has(response.status) ? 'status' : undefined;
  if (brokenBody || code === undefined) return 'network';
  // A response Node's HTTP parser refused (headers over its limit, a malformed status line): the same answer
  // comes back every time, so retrying only repeats it (the outside saw a header overflow retried 20 times).
  if (NOT_NETWORK.has(code) || PARSE_ERROR.test(code)) return undefined;
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  return isRetryAllowed(error) ? 'network' : undefined;
}

/** A request body that can only be read once (a Node stream, a web ReadableStream) cannot be re-sent. */
function replayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true;
  const body = data as { pipe?: unknown; getReader?: unknown };
  return typeof body.pipe !== 'function' && typeof body.getReader !== 'function';
}

/**
 * Whether re-sending this request is safe: an idempotent method from `policy.methods`, or any method
 * carrying an `Idempotency-Key` header (the IETF draft Stripe and others implement); and a replayable body.
 */
export function isIdempotent(config: InternalAxiosRequestConfig, methods: ReadonlySet<string>): boolean {
  if (!replayable(config.data)) return false;
  const method = (config.method ?? 'get').toUpperCase();
  if (methods.has(method)) return true;
  const key = config.headers?.get?.('Idempotency-Key');
  return key !== undefined && key !== null && key !== '' && key !== false;
}

/**
 * An HTTP/2 stream the server refused — RST_STREAM with REFUSED_STREAM, which is also how a GOAWAY ends the
 * streams it did not take, or a stream the closing session never opened — was never processed (RFC 9113
 * §8.7), so sending it again is safe whatever the method.
 */
export function neverProcessed(error: unknown): boolean {
  return (
    isAxiosError(error) &&
    error.response === undefined &&
    /NGHTTP2_REFUSED_STREAM|ERR_HTTP2_GOAWAY_SESSION/.test(`${error.code ?? ''} ${error.message}`)
  );
}

/** The built-in verdict for one failed attempt: a reason to retry, or undefined. */
export function defaultVerdict(error: unknown, config: InternalAxiosRequestConfig, policy: RetryPolicy): RetryReason | undefined {
  const reason = failureReason(error, policy.statuses);
  if (reason === undefined) return undefined;
  return isIdempotent(config, policy.methods) || (neverProcessed(error) && replayable(config.data)) ? reason : undefined;
}

/**
 * What an attempt's end says of the API's health (control/health.ts): `down` for what an outage looks like —
 * no answer (connection refused or reset, DNS, a timeout, a body cut off), a 5xx or 408 without Retry-After;
 * `up` for any other answer (a 429, a 4xx, a 5xx naming when to come back, a body validateResponse turned down:
 * the API answered); `none` for a cancel or a mistake in the request.
 */
export function healthEvidence(error: unknown): 'up' | 'down' | 'none' {
  // A stream the server refused (or a GOAWAY did not take) was declined by a live server: it says neither.
  if (isCancel(error) || !isAxiosError(error) || neverProcessed(error)) return 'none';
  if (isRejectedResponse(error)) return 'up';
  const response = error.response;
  const brokenBody = response !== undefined && response.status < 400 && error.code === AxiosError.ERR_BAD_RESPONSE;
  if (response && !brokenBody) {
    if (response.status !== 408 && response.status < 500) return 'up';
    return headerText(getHeader(response.headers, 'retry-after')) === undefined ? 'down' : 'up';
  }
  const code = error.code;
  if (code !== undefined && (NOT_NETWORK.has(code) || PARSE_ERROR.test(code))) return 'none';
  return 'down';
}
