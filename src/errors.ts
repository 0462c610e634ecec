// Every error axios-steady creates, in one place, each with a stable `code`. HTTP failures stay AxiosErrors
// (callers keep `axios.isAxiosError(error)` and `error.response`); pagination failures are a PaginationError
// carrying what was fetched and a checkpoint; the rest are the library's own. Causes are native `{ cause }`.
import { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { Checkpoint } from './types.js';

/** Why a walk over pages stopped early. */
export type PaginationErrorCode =
  /** A page still failed after retries; `cause` is its AxiosError. */
  | 'PAGE_FAILED'
  /** The caller's AbortSignal ended the walk. */
  | 'ABORTED'
  /** A next request repeats one already made (a repeated cursor, an A→B→A cycle). */
  | 'LOOP'
  /** A next link points at an origin not allowed by `allowOrigins`. */
  | 'CROSS_ORIGIN'
  /** A next link is not http(s), or not a URL at all. */
  | 'UNSAFE_URL'
  /** The request cap (`maxRequests`) was reached: the API never said "last page". */
  | 'MAX_REQUESTS'
  /** The API stated a total, and what was collected differs from it. */
  | 'TOTAL_MISMATCH'
  /** A page's body holds no item array and no `items` option says where it is. */
  | 'ITEMS_NOT_FOUND'
  /** No strategy was given and the first page hints at more pages in a way detection cannot follow. */
  | 'STRATEGY_UNKNOWN'
  /** A page holds the same items as the one before it: the API ignores the page parameter (or clamps it). */
  | 'STUCK';

/**
 * The one error pagination throws. Nothing fetched is lost: `items` holds every item before the failure
 * (in order, each once) and `checkpoint` (JSON-serializable) resumes exactly where it stopped.
 *
 * @example
 * try { all = await collect(api, '/items', opts); }
 * catch (e) { if (e instanceof PaginationError) save(e.items, e.checkpoint); }
 */
export class PaginationError<T = unknown> extends Error {
  override readonly name = 'PaginationError';

  constructor(
    readonly code: PaginationErrorCode,
    message: string,
    /** Items collected before the failure (collect() fills it; the iterator leaves what it yielded to you). */
    readonly items: T[],
    /** Pass as `resume` to continue from the first page not yet yielded; null when nothing remains. */
    readonly checkpoint: Checkpoint | null,
    options?: { cause?: unknown },
  ) {
    super(`axios-steady: ${message}`, options);
  }

  /** The same error with other items or another checkpoint (the iterator restamps, collect() fills items). */
  with<U>(changes: { items?: U[]; checkpoint?: Checkpoint | null }): PaginationError<U> {
    const message = this.message.replace(/^axios-steady: /, '');
    return new PaginationError<U>(
      this.code,
      message,
      changes.items ?? [],
      changes.checkpoint === undefined ? this.checkpoint : changes.checkpoint,
      'cause' in this ? { cause: this.cause } : undefined,
    );
  }
}

/** The codes of the library's own errors besides PaginationError's. */
export type SteadyErrorCode =
  /** An option (or a value a reader returned) is not what it must be: a TypeError naming it. */
  | 'ERR_STEADY_OPTION'
  /** attach() on an instance already attached. */
  | 'ERR_STEADY_ATTACHED'
  /** A user callback (shouldRetry, onRetry, delay…) threw a value that is not an Error. */
  | 'ERR_STEADY_CALLBACK'
  /** A Redis-backed limiter's Redis did not answer in time; nothing was sent. */
  | 'REDIS_UNAVAILABLE'
  /** The API is down and the request's patience ran out (an ApiDownError). */
  | 'ERR_API_DOWN';

/** A TypeError with the library's code: bad options are found where they are given, never deep in a request. */
export function optionError(message: string): TypeError & { code: SteadyErrorCode } {
  return Object.assign(new TypeError(`axios-steady: ${message}`), { code: 'ERR_STEADY_OPTION' as const });
}

/** attach() refuses a second attach on one instance: two steady adapters would multiply every retry. */
export function alreadyAttached(): Error & { code: SteadyErrorCode } {
  return Object.assign(new Error('axios-steady: this instance is already attached; call detach() on the first handle first'), {
    code: 'ERR_STEADY_ATTACHED' as const,
  });
}

/**
 * A request rejected because the limiter's Redis did not answer within its bound (unreachable, silent, gone):
 * nothing was sent. `steadyInfo(error).stoppedBy` is `'redis-unavailable'`, and it counts as a failure.
 */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  readonly code = 'REDIS_UNAVAILABLE' as const;
  constructor(
    /** `host:port` (or socket path) of the Redis. */
    readonly address: string,
    /** The limiter's id. */
    readonly limiterId: string,
    /** How long the request waited for it. */
    readonly waitedMs: number,
    cause?: unknown,
  ) {
    const said = cause instanceof Error ? `: ${cause.message}` : '';
    super(
      `axios-steady: the limiter's Redis at ${address} (limiter id "${limiterId}") did not answer within ${waitedMs} ms${said}; the request was not sent`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * A request the health gate turned away: the API is down (since `since`, `probes` probes sent) and the request's
 * patience ran out (`waitedMs`; 0: it fails fast). An AxiosError (code `ERR_API_DOWN`, no response), so callers
 * that handle network failures handle it too; `cause` is the failure that last showed the API down.
 */
export class ApiDownError extends AxiosError {
  override readonly name = 'ApiDownError';
  constructor(
    config: InternalAxiosRequestConfig,
    /** Epoch ms the API went down. */
    readonly since: number,
    /** Probes sent since then. */
    readonly probes: number,
    /** How long this request waited for it (0 when it failed fast). */
    readonly waitedMs: number,
    /** The last failure seen, in words (`status 503`, `ECONNREFUSED`…). */
    readonly lastError: string | undefined,
  ) {
    super(
      `axios-steady: the API is down since ${new Date(since).toISOString()} (${probes} probe${probes === 1 ? '' : 's'} sent${lastError ? `, last: ${lastError}` : ''}); ${waitedMs > 0 ? `waited ${Math.round(waitedMs / 100) / 10} s, the request's patience` : 'not waited (patience 0: fail fast)'}`,
      'ERR_API_DOWN',
      config,
    );
  }
}

/** The error a request rejects with when its deadline passed: ETIMEDOUT, `cause` the last attempt's error. */
export function deadlineError(config: InternalAxiosRequestConfig, deadline: number, cause: unknown): AxiosError {
  const last = cause instanceof AxiosError ? cause : undefined;
  const error = new AxiosError(
    `axios-steady: deadline of ${deadline} ms exceeded`,
    AxiosError.ETIMEDOUT,
    config,
    last?.request,
    last?.response,
  );
  Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

/** Responses turned down by validateResponse (or a walk's body check): retried as reason `response`. */
const rejected = new WeakSet<object>();

/** The failed attempt for a response turned down: an AxiosError (ERR_BAD_RESPONSE) carrying that response. */
export function rejectedResponse(response: AxiosResponse, why = 'validateResponse rejected the response'): AxiosError {
  const error = new AxiosError(`axios-steady: ${why}`, AxiosError.ERR_BAD_RESPONSE, response.config, response.request, response);
  rejected.add(error);
  return error;
}

/** Whether `error` is an attempt's response that validateResponse turned down. */
export const isRejectedResponse = (error: object): boolean => rejected.has(error);

/** A transport failure that is not an AxiosError (a custom adapter's plain Error) as one, its `cause` the original. */
export function transportError(thrown: unknown, config: InternalAxiosRequestConfig): AxiosError {
  return AxiosError.from(thrown, undefined, config);
}

/** Errors a user callback threw or rejected with: the request rejects with them (stoppedBy 'callback'). */
const fromCallbacks = new WeakSet<object>();

/**
 * What a user callback threw, as the Error the request rejects with: the callback's own Error (its `cause` set to
 * the attempt's error when it had none), or an Error naming the callback for a thrown non-Error.
 */
export function callbackError(name: string, thrown: unknown, cause: unknown): Error {
  const error =
    thrown instanceof Error
      ? thrown
      : Object.assign(new Error(`axios-steady: retry.${name} failed with ${String(thrown)}`), { code: 'ERR_STEADY_CALLBACK' as const });
  if (cause !== undefined && (!('cause' in error) || error.cause === undefined))
    Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  fromCallbacks.add(error);
  return error;
}

/** Whether `error` came from a user callback (see `callbackError`). */
export const isCallbackError = (error: unknown): error is Error => typeof error === 'object' && error !== null && fromCallbacks.has(error);

/** A page request redirected without a Location, or more than `maxHops` times. */
export function redirectError(response: AxiosResponse, maxHops: number, location: string | undefined): AxiosError {
  return new AxiosError(
    `axios-steady: ${response.status} redirect ${location ? `chain longer than ${maxHops}` : 'without a Location'}`,
    location ? AxiosError.ERR_FR_TOO_MANY_REDIRECTS : AxiosError.ERR_BAD_RESPONSE,
    response.config,
    response.request,
    response,
  );
}
