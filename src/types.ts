import type { AxiosError, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type Bottleneck from 'bottleneck';

/** How a computed backoff is randomised. `full` (default) draws uniformly from `[0, cap]`. */
export type Jitter = 'full' | 'equal' | 'none';

/** Why the default policy considers a failed attempt retryable (`response`: validateResponse said no). */
export type RetryReason = 'status' | 'network' | 'timeout' | 'response';

/** What a custom `delay` function is told. Read-only. */
export interface DelayContext {
  /** 1-based number of the attempt that just failed; the retry is attempt + 1. */
  readonly attempt: number;
  readonly error: AxiosError;
  readonly response: AxiosResponse | undefined;
  /** The delay the server named (Retry-After), if it did. */
  readonly serverDelayMs: number | undefined;
  /** The delay the default would take (the server's, else exponential backoff with jitter). */
  readonly defaultDelayMs: number;
}

/**
 * How long a retry waits when the server named no delay: `'exponential'` (default: baseDelay·2ⁿ⁻¹),
 * `'linear'` (baseDelay·n) or `'fibonacci'` (baseDelay·fib(n)), each capped at maxDelay and jittered; a list
 * of delays in ms (the last repeats; used as given); or a function of the attempt (its result is used as
 * given, even over a server-named delay — return `serverDelayMs` to keep it).
 */
export type DelayOption =
  'exponential' | 'linear' | 'fibonacci' | readonly number[] | ((context: DelayContext) => number | Promise<number>);

/** What `beforeAttempt` may change for one attempt (the next attempt starts from the request again). */
export interface AttemptOverrides {
  readonly url?: string;
  readonly baseURL?: string;
  readonly params?: unknown;
  readonly headers?: Record<string, string | number | boolean>;
  readonly timeout?: number;
}

/** What `beforeAttempt` is told before every attempt, the first included. Read-only. */
export interface AttemptContext {
  /** 1-based number of the attempt about to be sent. */
  readonly attempt: number;
  readonly config: InternalAxiosRequestConfig;
  /** Aborts with the request (cancel, deadline). */
  readonly signal: AbortSignal | undefined;
}

/**
 * A retry budget that tells a dead API from a flaky one: within a sliding window, retries may spend
 * `minPerSecond` per second, `ratio` of the logical requests, and one per success. A dead API sees a trickle
 * instead of `retries ×` its normal load; one that mostly answers keeps earning its retries.
 */
export interface RetryBudgetOptions {
  /** How far back requests, successes and retries count, in ms. Default 10 000. */
  windowMs?: number;
  /** Retries allowed per second whatever else happened. Default 2. */
  minPerSecond?: number;
  /** Retries per logical request in the window (the most extra load a dead API sees). Default 0.2. */
  ratio?: number;
}

/** What `shouldRetry` is asked about. Read-only. */
export interface RetryDecisionContext {
  readonly error: AxiosError;
  /** 1-based number of the attempt that just failed. */
  readonly attempt: number;
  /** The built-in verdict (status, network error or timeout, for an idempotent request). */
  readonly retryable: boolean;
  /** Why the built-in policy would retry; undefined when it would not. */
  readonly reason: RetryReason | undefined;
  readonly config: InternalAxiosRequestConfig;
}

/** What `onRetry` is told before a retry waits. Read-only. */
export interface RetryEvent {
  readonly error: AxiosError;
  /** 1-based number of the attempt that just failed; the retry is attempt + 1. */
  readonly attempt: number;
  /** How long the retry waits before it may be dispatched. */
  readonly delayMs: number;
  /** `retry-after` when the server named the delay, else the failure class. */
  readonly reason: RetryReason | 'retry-after';
  readonly config: InternalAxiosRequestConfig;
}

/** Retry options. Every field is optional; see `RETRY_DEFAULTS`. */
export interface RetryOptions {
  /** Attempts after the first. Default 3. */
  retries?: number;
  /** First backoff cap in ms; doubles per retry. Default 100 (as the AWS SDKs' standard retry mode). */
  baseDelay?: number;
  /** Upper bound of any computed backoff in ms. Default 20 000. */
  maxDelay?: number;
  /** Default `'full'`. */
  jitter?: Jitter;
  /** Response statuses worth retrying. Default 408, 425, 429, 500, 502, 503, 504. */
  statuses?: readonly number[];
  /** Methods retried without an `Idempotency-Key` header. Default GET HEAD OPTIONS PUT DELETE. */
  methods?: readonly string[];
  /** Longest server-named delay (Retry-After) honoured, in ms; beyond it the request fails fast. Default 60 000. */
  maxRetryAfter?: number;
  /** Retry budget shared by all requests of this attach(); `false` disables it. */
  budget?: RetryBudgetOptions | false;
  /**
   * Replaces the built-in verdict (may be async). Cannot exceed `retries`, the budget, the deadline, or retry a
   * cancel. A throw or rejection rejects the request with that error (its `cause`: the attempt's AxiosError).
   */
  shouldRetry?: (context: RetryDecisionContext) => boolean | Promise<boolean>;
  /**
   * Called before each retry waits; a returned promise is awaited. A throw or rejection rejects the request
   * with that error (its `cause`: the attempt's AxiosError).
   */
  onRetry?: (event: RetryEvent) => unknown;
  /**
   * Checks a resolved response (may be async): `false` makes it a failed attempt, retried under the same
   * limits (reason `response`); when retries end, the request rejects with an AxiosError (`ERR_BAD_RESPONSE`)
   * carrying that response. axios-retry's option of the same name.
   */
  validateResponse?: (response: AxiosResponse) => boolean | Promise<boolean>;
  /**
   * Called before every attempt, the first included (may be async): for tracing, and to change that attempt
   * only — fallback hosts, a fresh token, other params — by returning overrides. Interceptors still run
   * once. Use this, not a mutation of `config` in onRetry.
   */
  beforeAttempt?: (context: AttemptContext) => AttemptOverrides | void | Promise<AttemptOverrides | void>;
  /** How long a retry waits when the server named none. Default `'exponential'`. */
  delay?: DelayOption;
}

/** Told when the limiter pauses: a 429/503 named a delay, or the learned quota is spent until its reset. */
export interface PauseEvent {
  /** Epoch ms until which no attempt of this limiter is dispatched. */
  readonly until: number;
  readonly delayMs: number;
  /** Status of the response behind the pause; absent when the fleet's shared quota called it (no response). */
  readonly status?: number;
  /** The header that named the delay (`retry-after`), `quota (<header format>)`, or `quota (fleet)`. */
  readonly source: string;
}

/** Any bottleneck constructor option (`maxConcurrent`, `minTime`, `reservoir`, `id`, `datastore`…). */
export type LimiterOptions = Bottleneck.ConstructorOptions;

/**
 * Hedged requests ("The Tail at Scale"): when an idempotent attempt has not answered after `delay`, one more
 * copy is sent; the first answer wins and the other is cancelled. A hedge is an attempt like any other: it
 * goes through the limiter, counts against the quota, and spends a retry from the budget — no hedge is sent
 * while the budget or the quota is short.
 */
export interface HedgeOptions {
  /**
   * When to hedge: a fixed delay in ms, or a percentile of this limiter's recent latencies (`'p95'`, the
   * default; `'p50'`, `'p90'`, `'p99'`). With a percentile, nothing is hedged until 20 latencies are known.
   */
  delay?: number | 'p50' | 'p90' | 'p95' | 'p99';
  /** Never hedge sooner than this, in ms. Default 10. */
  minDelay?: number;
}

/** What is known of the API's health: `steady.health()`, and what `onHealth` is told. */
export interface HealthState {
  /** `up`; `down` (one probe per interval goes through); `recovering` (a probe succeeded, another must too). */
  readonly state: 'up' | 'down' | 'recovering';
  /** Epoch ms the API went down. */
  readonly since?: number;
  /** Probes sent since then. */
  readonly probes?: number;
  /** Epoch ms the next probe may go. */
  readonly nextProbeAt?: number;
  /** Times the API went down since the limiter was made. */
  readonly outages: number;
  /** What the last failure was (`status 503`, `ECONNREFUSED`, `ECONNABORTED`…). */
  readonly lastError?: string;
}

/**
 * The health gate: when the API looks down (a run of connection failures, timeouts and 5xx without Retry-After,
 * unlikely for it as it behaved before — never 429s or 4xx), one probe at a time goes through, once per interval,
 * until probes succeed again. `false` turns it off for the limiter. Set by the first attach() of a limiter.
 */
export interface HealthOptions {
  /**
   * How long a request may wait for a down API before it rejects with an ApiDownError (ms); `0` rejects at once
   * (fail fast). Default 0 for requests of an attached instance (a service answers its own callers instead of
   * hanging); `collect()`, `paginate()` and the command wait 10 minutes. Per request: `steady.patience`.
   */
  patience?: number;
  /** The first probe's delay (ms), doubled (±20 %) after each failed probe. Default 1 000. */
  minProbeMs?: number;
  /** The longest delay between probes (ms). Default 30 000. */
  maxProbeMs?: number;
}

/** Options of `attach()`. */
export interface SteadyOptions {
  /** The health gate (see HealthOptions); `false` turns it off. Default: on, failing fast. */
  health?: HealthOptions | false;
  /** Told when the API's health changes (down, recovering, up). */
  onHealth?: (state: HealthState) => void;
  /**
   * OpenTelemetry spans and metrics, when the application registered a provider through `@opentelemetry/api`
   * (nothing otherwise). Default true; `false` turns them off for this instance.
   */
  telemetry?: boolean;
  /** Hedge slow idempotent attempts (`true`: at the p95 latency). Default: off. */
  hedge?: HedgeOptions | boolean;
  /** Retry policy; `false` turns retries off for the instance. */
  retry?: RetryOptions | false;
  /** Bottleneck options, or a Bottleneck you own (share it between instances to share the limit). */
  limiter?: LimiterOptions | Bottleneck;
  /** Bound in ms on a whole logical request: queue, attempts and waits. Default: none. */
  deadline?: number;
  /** Called when the limiter pauses: a 429/503 with a server-named delay, or the quota spent until reset. */
  onPause?: (event: PauseEvent) => void;
  /**
   * Learn the API's quota from its rate-limit headers (and from 429s) and stay under it: when what this
   * limiter sent uses up the stated `remaining`, dispatch pauses until the window resets. Default true.
   */
  quota?: boolean;
  /** Called when a response changes what is known about the quota. */
  onQuota?: (event: QuotaState) => void;
}

/** Per-request options, passed as `config.steady`. Input only: axios-steady never writes here. */
export interface SteadyRequestOptions {
  /** `false` sends this request once; an object overrides the instance's retry options. */
  retry?: Omit<RetryOptions, 'budget'> | false;
  /** Overrides the instance deadline; `false` removes it. */
  deadline?: number | false;
  /** Limiter priority 0 (first) to 9; default 5. Retries go one step ahead. */
  priority?: number;
  /**
   * At least this many retries for this request, when retries are on (it never turns them on); the retry
   * budget still stops a storm. `paginate()` and `collect()` give their page requests 100, so a page of a
   * flaky API is retried while the budget allows rather than abandoned after `retries`.
   */
  minRetries?: number;
  /**
   * Judges this request's response whether or not retries are on (`retry.validateResponse` needs them):
   * `false` makes it a failed attempt. `paginate()` uses it to retry a page whose body does not parse.
   */
  validateResponse?: (response: AxiosResponse) => boolean | Promise<boolean>;
  /** Hedging for this request: `false` turns it off, an object overrides the instance's (see HedgeOptions). */
  hedge?: HedgeOptions | boolean;
  /** How long this request may wait for a down API, in ms (`0`: fail at once). See HealthOptions.patience. */
  patience?: number;
}

/** One attempt of a logical request. */
export interface Attempt {
  /** 1-based. */
  readonly attempt: number;
  readonly status?: number;
  readonly code?: string;
  readonly message?: string;
  /** ms from the start of the logical request until this attempt settled. */
  readonly elapsedMs: number;
  /** Wait before the next attempt, when there was one. */
  readonly delayMs?: number;
}

/** What axios-steady did for one logical request; read it with `steadyInfo(responseOrError)`. */
export interface SteadyInfo {
  readonly attempts: readonly Attempt[];
  readonly retries: number;
  readonly elapsedMs: number;
  /** Extra copies sent by hedging (each also in `attempts` when it answered first or failed last). */
  readonly hedges?: number;
  /** Why no further attempt was made, when the request failed. */
  readonly stoppedBy?:
    | 'not-retryable'
    | 'retries'
    | 'budget'
    | 'retry-after-too-long'
    | 'deadline'
    | 'canceled'
    | 'disabled'
    | 'callback'
    | 'redis-unavailable'
    | 'api-down';
  /**
   * Why, in words, where `stoppedBy` alone does not say it all: what the retry budget saw, the Retry-After that
   * was longer than `maxRetryAfter`. The error's own message is never changed.
   */
  readonly reason?: string;
}

/** Which rate-limit header format a quota was read from, or `429` when learned from rate-limited responses alone. */
export type QuotaSource = 'ratelimit' | 'ratelimit-structured' | 'ratelimit-legacy' | 'x-ratelimit' | '429';

/** What the limiter has learned about the API's quota; `steady.quota()` returns it. */
export interface QuotaState {
  readonly limit?: number;
  /** Requests the limiter may still send in this window, counting those in flight. */
  readonly remaining: number;
  /** Epoch ms the window resets. */
  readonly resetAt: number;
  readonly source: QuotaSource;
}

/** Told whenever a response changes what is known about the quota. */
export type QuotaEvent = QuotaState;

/** Query parameters of one page request. */
export type PageParams = Readonly<Record<string, string | number | boolean>>;

/** One page request: a URL (relative to the instance's baseURL, or absolute) and its query parameters. */
export interface PageRequest {
  readonly url: string;
  readonly params?: PageParams;
}

/** Where to resume a walk: JSON-serializable, safe to write to a file. */
export interface Checkpoint {
  readonly version: 1;
  readonly strategy: string;
  /** The first request not yet yielded. */
  readonly next: PageRequest;
  /** Pages and items yielded before this point, over all resumed runs. */
  readonly pages: number;
  readonly items: number;
}

// Only the request config is augmented, and only as input. What happened is read with steadyInfo().
declare module 'axios' {
  interface AxiosRequestConfig {
    /** axios-steady per-request options (input only). */
    steady?: SteadyRequestOptions;
  }
}
