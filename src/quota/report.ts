import { getHeader, headerText } from '../http/headers.js';
import type { QuotaSource } from '../types.js';

/** What a response says about the quota it was counted against. */
export interface QuotaReport {
  /** Requests allowed per window, when stated. */
  readonly limit?: number;
  readonly remaining: number;
  /** Epoch ms when the window resets (conservative: never before the server's time). */
  readonly resetAt: number;
  /** Window length in ms, when a policy states it. */
  readonly windowMs?: number;
  /** Which header format it came from. */
  readonly source: Exclude<QuotaSource, '429'>;
  /** `x-ratelimit-resource` (GitHub), when present. */
  readonly resource?: string;
  /**
   * True when the reset came as an epoch time in whole seconds (`X-RateLimit-Reset`): rounded up, and the same
   * in every report of a window, so only the window's length can tighten it (see EpochWindows).
   */
  readonly epochReset?: boolean;
}

const MAX_RESET_MS = 7 * 24 * 3600 * 1000; // a reset further away than a week is not a rate-limit window
const EPOCH_THRESHOLD = 1e9; // seconds: larger values of a reset are epoch times, not deltas

/** A finite non-negative number written as plain digits; anything else (negative, 1e3, junk) is undefined. */
function count(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}(\.\d+)?$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** Parses `key=value` pairs of a structured-field-ish header: `limit=10, remaining=3` or `"p";r=5;t=2`. */
function params(text: string, separator: RegExp): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of text.slice(0, 4096).split(separator)) {
    const eq = part.indexOf('=');
    if (eq > 0)
      map.set(
        part.slice(0, eq).trim().toLowerCase(),
        part
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, ''),
      );
  }
  return map;
}

function withReset(now: number, resetSeconds: number | undefined): number | undefined {
  if (resetSeconds === undefined || resetSeconds * 1000 > MAX_RESET_MS) return undefined;
  return now + Math.ceil(resetSeconds * 1000);
}

/** IETF draft 8+: `RateLimit: "name";r=50;t=30` (several policies: the one that runs out first). */
function structured(header: string, policy: string | undefined, now: number): QuotaReport | undefined {
  let best: QuotaReport | undefined;
  const policies = new Map<string, Map<string, string>>();
  for (const item of (policy ?? '').split(',')) policies.set(item.split(';')[0].trim().replace(/^"|"$/g, ''), params(item, /;/));
  for (const item of header.split(',')) {
    const name = item.split(';')[0].trim().replace(/^"|"$/g, '');
    const p = params(item, /;/);
    const remaining = count(p.get('r'));
    const resetAt = withReset(now, count(p.get('t')));
    if (remaining === undefined || resetAt === undefined) continue;
    const q = policies.get(name);
    const limit = count(q?.get('q'));
    const window = count(q?.get('w'));
    const report: QuotaReport = {
      remaining,
      resetAt,
      source: 'ratelimit-structured',
      ...(limit !== undefined && { limit }),
      ...(window !== undefined && { windowMs: window * 1000 }),
    };
    if (!best || report.remaining < best.remaining) best = report;
  }
  return best;
}

/**
 * Reads the rate-limit headers of a response, whichever of the common formats it uses:
 * IETF draft ≤ 6 (`RateLimit-Limit/-Remaining/-Reset`, delta seconds, with `RateLimit-Policy`),
 * draft 7 (`RateLimit: limit=10, remaining=3, reset=20`), draft 8+ (`RateLimit: "name";r=..;t=..` with
 * `RateLimit-Policy: "name";q=..;w=..`) and GitHub/legacy `X-RateLimit-*` (reset in epoch seconds, corrected
 * for clock skew with the response's `Date`; or delta seconds; `used` when `remaining` is missing).
 * Malformed, negative or absurd values are ignored, never thrown. Retry-After is read elsewhere and wins.
 */
export function parseRateLimit(headers: unknown, now: number = Date.now()): QuotaReport | undefined {
  if (!mentionsRateLimit(headers)) return undefined; // the common case, in one pass over the names
  const combined = headerText(getHeader(headers, 'ratelimit'));
  const policy = headerText(getHeader(headers, 'ratelimit-policy'));
  if (combined !== undefined) {
    if (/;\s*r\s*=/.test(combined)) return structured(combined, policy, now);
    const p = params(combined, /,/);
    const remaining = count(p.get('remaining'));
    const resetAt = withReset(now, count(p.get('reset')));
    const limit = count(p.get('limit'));
    const window = count(policy?.match(/w=(\d+)/)?.[1]);
    if (remaining !== undefined && resetAt !== undefined)
      return {
        remaining,
        resetAt,
        source: 'ratelimit',
        ...(limit !== undefined && { limit }),
        ...(window !== undefined && { windowMs: window * 1000 }),
      };
  }
  const legacy = (name: string) => headerText(getHeader(headers, `ratelimit-${name}`));
  const remaining6 = count(legacy('remaining'));
  const reset6 = withReset(now, count(legacy('reset')));
  if (remaining6 !== undefined && reset6 !== undefined) {
    const limit = count(legacy('limit')?.split(/[,;]/)[0]);
    const window = count((policy ?? legacy('limit'))?.match(/w=(\d+)/)?.[1]);
    return {
      remaining: remaining6,
      resetAt: reset6,
      source: 'ratelimit-legacy',
      ...(limit !== undefined && { limit }),
      ...(window !== undefined && { windowMs: window * 1000 }),
    };
  }
  return xRateLimit(headers, now);
}

const MENTIONS = /ratelimit/i;
// Names that any rate-limit format above includes, lower-cased as axios' own adapters store them.
const TELLTALES = ['ratelimit', 'ratelimit-remaining', 'x-ratelimit-remaining', 'x-ratelimit-used', 'x-ratelimit-reset'];

/** Runs on every response, so it allocates nothing in the common case. */
function mentionsRateLimit(headers: unknown): boolean {
  if (headers === null || typeof headers !== 'object') return false;
  for (const name of TELLTALES) if (name in headers) return true;
  // AxiosHeaders from axios' adapters have lower-case names: the checks above were enough. A custom
  // adapter's plain object may use any case: look at every name.
  if (typeof (headers as { get?: unknown }).get === 'function') return false;
  for (const name of Object.keys(headers)) if (name.length >= 9 && MENTIONS.test(name)) return true;
  return false;
}

/**
 * An epoch reset (server clock) on our clock. `Date` has whole seconds, rounded down, while servers round
 * the reset up: measuring the distance from `Date` makes every window up to a second too long. So while our
 * clock agrees with `Date` (it reads within [Date − 1 s, Date + 2 s]: its rounding plus a slow answer), the
 * reset is taken as is; only a clock that is off by more is corrected with `Date`.
 */
function epochReset(resetMs: number, serverNow: number, now: number): number | undefined {
  const skewed = !Number.isNaN(serverNow) && (now < serverNow - 1000 || now > serverNow + 2000);
  const delta = resetMs - (skewed ? serverNow : now);
  return delta > MAX_RESET_MS ? undefined : now + Math.max(0, delta);
}

function xRateLimit(headers: unknown, now: number): QuotaReport | undefined {
  const x = (name: string) => headerText(getHeader(headers, `x-ratelimit-${name}`));
  const limit = count(x('limit'));
  const used = count(x('used'));
  const remaining = count(x('remaining')) ?? (limit !== undefined && used !== undefined ? Math.max(0, limit - used) : undefined);
  const reset = count(x('reset'));
  if (remaining === undefined || reset === undefined) return undefined;
  const epoch = reset >= EPOCH_THRESHOLD;
  const resetAt = epoch ? epochReset(reset * 1000, Date.parse(headerText(getHeader(headers, 'date')) ?? ''), now) : withReset(now, reset);
  if (resetAt === undefined) return undefined;
  const resource = x('resource');
  return {
    remaining,
    resetAt,
    source: 'x-ratelimit',
    ...(limit !== undefined && { limit }),
    ...(resource !== undefined && { resource }),
    ...(epoch && { epochReset: true }),
  };
}
