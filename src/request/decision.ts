// After a failed attempt: should we retry, and how long do we wait? Also the one way user callbacks run.
import { AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { callbackError, optionError } from '../errors.js';
import { backoffDelay } from '../retry/backoff.js';
import type { RetryPolicy } from '../retry/normalize.js';
import { defaultVerdict, healthEvidence } from '../retry/policy.js';
import type { ServerDelay } from '../retry/retry-after.js';
import type { SteadyInfo } from '../types.js';
import { abortReason, raceAbort } from '../util/sleep.js';
import { MAX_TIMER_MS } from '../util/validate.js';
import type { SteadyContext } from './instance.js';

/**
 * Runs a user callback and awaits what it returns, abortably. A throw or rejection becomes the callback's error
 * (see `callbackError`: a non-Error reason is wrapped in one naming the callback; its `cause` is the attempt's
 * error when it had none). Nothing a callback does can become an unhandled rejection.
 */
export async function callback<T>(
  name: string,
  run: () => T | PromiseLike<T>,
  cause: unknown,
  signal: AbortSignal | undefined,
): Promise<T> {
  try {
    const result = run();
    return signal && isPromiseLike(result) ? await raceAbort(result, signal) : await result;
  } catch (thrown) {
    if (signal?.aborted && thrown === abortReason(signal)) throw thrown;
    throw callbackError(name, thrown, cause);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Which step of the backoff retry number `attempt` waits: the backoff grows with the API's trouble, not with
 * one request's bad luck. While most attempts in the retry budget's window succeed, failures are independent
 * (a flaky API: one request failing three times in a row at a 25 % failure rate), and every retry waits the
 * first step; a growing wait would only leave the request idle while its siblings get through (bench P3: the
 * tail of a collection is the page that failed four times). Once most attempts fail (an outage, an overloaded
 * API), or for a 429, the step is the attempt number and the backoff grows as usual. Without a budget
 * (`budget: false`) there is no window to judge by: the step is always the attempt number, as in axios-retry.
 */
function backoffStep(ctx: SteadyContext, error: AxiosError, attempt: number): number {
  if (attempt === 1 || !ctx.budget || error.response?.status === 429) return attempt;
  const { failed, attempts } = ctx.budget.recent();
  return failed * 2 < attempts ? 1 : attempt;
}

/** How long the next attempt waits: the policy's `delay`, a server-named delay, or the backoff at `step`. */
async function delayFor(
  policy: RetryPolicy,
  error: AxiosError,
  attempt: number,
  step: number,
  named: ServerDelay | undefined,
  signal: AbortSignal | undefined,
): Promise<number> {
  const { delay } = policy;
  const family = typeof delay === 'string' ? delay : 'exponential';
  // A server-named delay is used as given: jitter never shortens what the server asked for.
  const defaultDelayMs = named ? named.delayMs : backoffDelay(step, { ...policy, family });
  if (typeof delay === 'function') {
    const context = Object.freeze({ attempt, error, response: error.response, serverDelayMs: named?.delayMs, defaultDelayMs });
    const chosen = await callback('delay', () => delay(context), error, signal);
    if (typeof chosen !== 'number' || !(chosen >= 0))
      throw callbackError('delay', optionError(`retry.delay must return a number of ms ≥ 0, got ${String(chosen)}`), error);
    return Math.min(chosen, MAX_TIMER_MS);
  }
  if (Array.isArray(delay) && !named) return delay[Math.min(attempt, delay.length) - 1] as number;
  return Math.min(defaultDelayMs, MAX_TIMER_MS);
}

/** Decides what follows a failed attempt: a delay before the next one, or why there is none. */
export async function decide(
  ctx: SteadyContext,
  policy: RetryPolicy | false,
  error: AxiosError,
  config: InternalAxiosRequestConfig,
  attempt: number,
  named: ServerDelay | undefined,
  signal: AbortSignal | undefined,
): Promise<{ delayMs: number } | NonNullable<SteadyInfo['stoppedBy']>> {
  if (policy === false) return 'disabled';
  const reason = defaultVerdict(error, config, policy);
  const shouldRetry = policy.shouldRetry;
  const retryable = shouldRetry
    ? (await callback(
        'shouldRetry',
        () => shouldRetry(Object.freeze({ error, attempt, retryable: reason !== undefined, reason, config })),
        error,
        signal,
      )) === true
    : reason !== undefined;
  if (!retryable || error.code === AxiosError.ERR_CANCELED) return 'not-retryable';
  // The API is down and this failure is one more sign of it: the next attempt waits at the health gate (for a
  // probe slot, or until the API is back), bounded by the request's patience, not by its retries or the budget —
  // nothing is sent meanwhile, and a collection must outlive an outage, not spend its retries on it.
  if (!ctx.control.pauses.health.up && healthEvidence(error) === 'down') return { delayMs: 0 };
  if (attempt > policy.retries) return 'retries';
  if (named && named.delayMs > policy.maxRetryAfter) return 'retry-after-too-long';
  if (ctx.budget && !ctx.budget.withdraw()) return 'budget';
  const delayMs = await delayFor(policy, error, attempt, backoffStep(ctx, error, attempt), named, signal);
  const onRetry = policy.onRetry;
  if (onRetry) {
    const event = Object.freeze({ error, attempt, delayMs, reason: named ? ('retry-after' as const) : (reason ?? 'status'), config });
    await callback('onRetry', () => onRetry(event), error, signal);
  }
  return { delayMs };
}
