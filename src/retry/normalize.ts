// Retry, budget and hedging options, normalized once against frozen defaults: after this the retry code trusts
// its input.
import type { DelayOption, HedgeOptions, Jitter, RetryOptions } from '../types.js';
import {
  checkKeys,
  durationOption,
  functionOption,
  invalid,
  isPlainObject,
  listOption,
  MAX_TIMER_MS,
  numberOption,
} from '../util/validate.js';
import type { BudgetPolicy } from './budget.js';
import type { HedgePolicy } from './hedge.js';

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
