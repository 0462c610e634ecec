import type { BudgetPolicy } from './retry/budget.js';
import type { HedgePolicy } from './retry/hedge.js';
import type { DelayOption, HedgeOptions, Jitter, RetryOptions, SteadyOptions, SteadyRequestOptions } from './types.js';

/** The longest delay a timer holds (2³¹ − 1 ms, about 24.8 days); longer ones fire at once in Node. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A retry policy after normalization: complete, validated, frozen. */
export interface RetryPolicy {
  readonly retries: number;
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly jitter: Jitter;
  readonly statuses: ReadonlySet<number>;
  readonly methods: ReadonlySet<string>;
  readonly maxRetryAfter: number;
  readonly shouldRetry: RetryOptions['shouldRetry'];
  readonly onRetry: RetryOptions['onRetry'];
  readonly validateResponse: RetryOptions['validateResponse'];
  readonly beforeAttempt: RetryOptions['beforeAttempt'];
  readonly delay: DelayOption;
}

/** A Set that prints as the list it holds: JSON.stringify of a plain Set is `{}`, which hid the defaults. */
class Listed<T> extends Set<T> {
  toJSON(): T[] {
    return [...this];
  }
}

/** The documented defaults. */
export const RETRY_DEFAULTS: RetryPolicy = Object.freeze({
  retries: 3,
  baseDelay: 100,
  maxDelay: 20_000,
  jitter: 'full',
  statuses: new Listed([408, 425, 429, 500, 502, 503, 504]),
  methods: new Listed(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
  maxRetryAfter: 60_000,
  shouldRetry: undefined,
  onRetry: undefined,
  validateResponse: undefined,
  beforeAttempt: undefined,
  delay: 'exponential',
});

/** Retry budget defaults: within 10 s, 2 retries a second, 20 % of requests, and one per success. */
export const BUDGET_DEFAULTS: BudgetPolicy = Object.freeze({ windowMs: 10_000, minPerSecond: 2, ratio: 0.2 });

const JITTERS: readonly Jitter[] = ['full', 'equal', 'none'];

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}" (string)`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value} (number)`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return `${text} (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`;
}

/** Throws the one kind of error bad options produce: a TypeError naming option, value and type. */
export function invalid(path: string, value: unknown, expected: string): never {
  throw new TypeError(`axios-steady: option "${path}" must be ${expected}, got ${describe(value)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(path: string, input: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) invalid(`${path}.${key}`, input[key], `one of the known options (${known.join(', ')})`);
  }
}

/** A finite number ≥ min; `integer` for counts. */
export function numberOption(path: string, value: unknown, min: number, integer = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) invalid(path, value, `a finite ${integer ? 'integer' : 'number'} ≥ ${min}`);
  return value as number;
}

function functionOption<F>(path: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') invalid(path, value, 'a function');
  return value as F;
}

function listOption<T>(path: string, value: unknown, check: (item: unknown) => item is T, what: string): T[] {
  if (!Array.isArray(value) || !value.every(check)) invalid(path, value, `an array of ${what}`);
  return value as T[];
}

const isStatus = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599;
const isWord = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z]+$/.test(v);

const RETRY_KEYS = [
  'retries',
  'baseDelay',
  'maxDelay',
  'jitter',
  'statuses',
  'methods',
  'maxRetryAfter',
  'budget',
  'shouldRetry',
  'onRetry',
  'validateResponse',
  'beforeAttempt',
  'delay',
];

const DELAY_FAMILIES = ['exponential', 'linear', 'fibonacci'];

function delayOption(path: string, value: unknown): DelayOption {
  if (typeof value === 'function') return value as DelayOption;
  if (typeof value === 'string' && DELAY_FAMILIES.includes(value)) return value as DelayOption;
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TIMER_MS)
  )
    return Object.freeze([...value]) as DelayOption;
  return invalid(
    path,
    value,
    `one of ${DELAY_FAMILIES.map((f) => `"${f}"`).join(', ')}, a non-empty array of delays in ms (0 to ${MAX_TIMER_MS}), or a function`,
  );
}

/** A duration in ms that a timer can hold (≤ 2³¹ − 1): longer ones would fire at once. */
export function durationOption(path: string, value: unknown, min: number): number {
  const ms = numberOption(path, value, min);
  if (ms > MAX_TIMER_MS) invalid(path, value, `at most ${MAX_TIMER_MS} ms (about 24.8 days: what a timer can hold)`);
  return ms;
}

/** Normalizes retry options over `base`; `false` means "no retries". */
export function normalizeRetry(input: unknown, path: string, base: RetryPolicy, allowBudget: boolean): RetryPolicy | false {
  if (input === false) return false;
  if (input === undefined) return base;
  if (!isPlainObject(input)) invalid(path, input, 'an object or false');
  checkKeys(path, input, allowBudget ? RETRY_KEYS : RETRY_KEYS.filter((k) => k !== 'budget'));
  const o = input as RetryOptions;
  const pick = <K extends keyof RetryOptions>(key: K) => o[key] !== undefined;
  const policy: RetryPolicy = {
    retries: pick('retries') ? numberOption(`${path}.retries`, o.retries, 0, true) : base.retries,
    baseDelay: pick('baseDelay') ? durationOption(`${path}.baseDelay`, o.baseDelay, 0) : base.baseDelay,
    maxDelay: pick('maxDelay') ? durationOption(`${path}.maxDelay`, o.maxDelay, 0) : base.maxDelay,
    jitter: base.jitter,
    statuses: pick('statuses')
      ? new Listed(listOption(`${path}.statuses`, o.statuses, isStatus, 'HTTP status codes (100–599)'))
      : base.statuses,
    methods: pick('methods')
      ? new Listed(listOption(`${path}.methods`, o.methods, isWord, 'HTTP method names').map((m) => m.toUpperCase()))
      : base.methods,
    maxRetryAfter: pick('maxRetryAfter') ? durationOption(`${path}.maxRetryAfter`, o.maxRetryAfter, 0) : base.maxRetryAfter,
    shouldRetry: pick('shouldRetry') ? functionOption(`${path}.shouldRetry`, o.shouldRetry) : base.shouldRetry,
    onRetry: pick('onRetry') ? functionOption(`${path}.onRetry`, o.onRetry) : base.onRetry,
    validateResponse: pick('validateResponse') ? functionOption(`${path}.validateResponse`, o.validateResponse) : base.validateResponse,
    beforeAttempt: pick('beforeAttempt') ? functionOption(`${path}.beforeAttempt`, o.beforeAttempt) : base.beforeAttempt,
    delay: pick('delay') ? delayOption(`${path}.delay`, o.delay) : base.delay,
  };
  if (pick('jitter')) {
    if (!JITTERS.includes(o.jitter as Jitter)) invalid(`${path}.jitter`, o.jitter, `one of ${JITTERS.map((j) => `"${j}"`).join(', ')}`);
    return Object.freeze({ ...policy, jitter: o.jitter as Jitter });
  }
  return Object.freeze(policy);
}

/** Normalizes the retry budget option. */
export function normalizeBudget(input: unknown, path: string): BudgetPolicy | false {
  if (input === false) return false;
  if (input === undefined) return BUDGET_DEFAULTS;
  if (!isPlainObject(input)) invalid(path, input, 'an object or false');
  checkKeys(path, input, ['windowMs', 'minPerSecond', 'ratio']);
  const pick = (key: keyof BudgetPolicy, min: number) =>
    input[key] === undefined ? BUDGET_DEFAULTS[key] : numberOption(`${path}.${key}`, input[key], min);
  return Object.freeze({
    windowMs: Math.min(pick('windowMs', 100), MAX_TIMER_MS),
    minPerSecond: pick('minPerSecond', 0),
    ratio: pick('ratio', 0),
  });
}

/** Validates the top level of `attach()` options; the limiter part is checked in limit/create. */
export function checkSteadyOptions(options: unknown): SteadyOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) invalid('options', options, 'an object');
  checkKeys('options', options, ['retry', 'limiter', 'deadline', 'onPause', 'quota', 'onQuota', 'hedge']);
  const o = options as SteadyOptions;
  if (o.quota !== undefined && typeof o.quota !== 'boolean') invalid('quota', o.quota, 'a boolean');
  functionOption('onQuota', o.onQuota);
  if (o.deadline !== undefined) durationOption('deadline', o.deadline, 1);
  functionOption('onPause', o.onPause);
  return o;
}

/** What one request runs with, after the per-request `steady` options are applied. */
export interface RequestPlan {
  readonly retry: RetryPolicy | false;
  /** Judges a resolved response (retry.validateResponse, or the per-request `steady.validateResponse`). */
  readonly validate: RetryOptions['validateResponse'];
  readonly deadline: number | undefined;
  readonly priority: number;
  /** Hedging, when on (idempotent requests only; see attempt.ts). */
  readonly hedge: HedgePolicy | undefined;
}

const PERCENTILES: Record<string, number> = { p50: 50, p90: 90, p95: 95, p99: 99 };

/** Normalizes the hedge option: off (undefined), or when to send a second copy. */
export function normalizeHedge(input: unknown, path: string): HedgePolicy | undefined {
  if (input === undefined || input === false) return undefined;
  if (input === true) return Object.freeze({ delay: Object.freeze({ percentile: 95 }), minDelay: 10 });
  if (!isPlainObject(input)) invalid(path, input, 'a boolean or an object');
  checkKeys(path, input, ['delay', 'minDelay']);
  const o = input as HedgeOptions;
  const delay =
    o.delay === undefined
      ? { percentile: 95 }
      : typeof o.delay === 'string' && o.delay in PERCENTILES
        ? { percentile: PERCENTILES[o.delay] as number }
        : typeof o.delay === 'number'
          ? durationOption(`${path}.delay`, o.delay, 0)
          : invalid(`${path}.delay`, o.delay, 'a delay in ms or one of "p50", "p90", "p95", "p99"');
  const minDelay = o.minDelay === undefined ? 10 : durationOption(`${path}.minDelay`, o.minDelay, 0);
  return Object.freeze({ delay: typeof delay === 'number' ? delay : Object.freeze(delay), minDelay });
}

/** Applies `config.steady` over the instance plan; throws a TypeError for bad per-request options. */
export function planRequest(base: RequestPlan, input: unknown): RequestPlan {
  if (input === undefined) return base;
  if (!isPlainObject(input)) invalid('steady', input, 'an object');
  checkKeys('steady', input, ['retry', 'deadline', 'priority', 'minRetries', 'validateResponse', 'hedge']);
  const o = input as SteadyRequestOptions;
  let retry = o.retry === undefined ? base.retry : normalizeRetry(o.retry, 'steady.retry', base.retry || RETRY_DEFAULTS, false);
  if (o.minRetries !== undefined) {
    const min = numberOption('steady.minRetries', o.minRetries, 0, true);
    if (retry && retry.retries < min) retry = Object.freeze({ ...retry, retries: min });
  }
  const deadline =
    o.deadline === undefined ? base.deadline : o.deadline === false ? undefined : durationOption('steady.deadline', o.deadline, 1);
  const priority = o.priority === undefined ? base.priority : numberOption('steady.priority', o.priority, 0, true);
  if (priority > 9) invalid('steady.priority', priority, 'an integer from 0 to 9');
  const validate =
    o.validateResponse !== undefined
      ? functionOption<RetryOptions['validateResponse']>('steady.validateResponse', o.validateResponse)
      : retry
        ? retry.validateResponse
        : undefined;
  const hedge = o.hedge === undefined ? base.hedge : normalizeHedge(o.hedge, 'steady.hedge');
  return { retry, deadline, priority, validate, hedge };
}
