import { getHeader, headerText, type HeaderValue } from '../http/headers.js';

// An IMF-fixdate or one of the obsolete formats RFC 9110 still asks recipients to accept; all name a weekday.
const HTTP_DATE = /^[A-Za-z]{3,9},? /;

/**
 * Parses Retry-After (RFC 9110 §10.2.3) into a delay in ms: delta-seconds or an HTTP-date.
 * `0` and dates in the past mean "now" (0); anything unparseable is `undefined` (ignored, never thrown).
 *
 * @example parseRetryAfter('120') // 120000
 * @example parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')) // 60000
 */
export function parseRetryAfter(value: HeaderValue, now: number = Date.now()): number | undefined {
  const text = headerText(value);
  if (text === undefined || text.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A delay the server named, and the header that named it. */
export interface ServerDelay {
  readonly delayMs: number;
  readonly source: string;
}

/**
 * The delay a 429/503 response names: Retry-After. (Rate-limit reset headers are the quota's: see
 * quota/tracker.ts.) `undefined` when the server named none.
 */
export function serverDelay(headers: unknown, now: number = Date.now()): ServerDelay | undefined {
  const delayMs = parseRetryAfter(getHeader(headers, 'retry-after'), now);
  return delayMs === undefined ? undefined : { delayMs, source: 'retry-after' };
}
