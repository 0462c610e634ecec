import { getHeader } from '../http/headers.js';
import { parseRetryAfter, type ServerDelay } from './retry-after.js';

/**
 * The delay a 429/503 response names. Retry-After wins; the rate-limit reset headers are read by the
 * quota module when it is present (see quota/tracker.ts). `undefined` when the server named none.
 */
export function serverDelay(headers: unknown, now: number = Date.now()): ServerDelay | undefined {
  const delayMs = parseRetryAfter(getHeader(headers, 'retry-after'), now);
  return delayMs === undefined ? undefined : { delayMs, source: 'retry-after' };
}
