import { AxiosError, isAxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { dispatch } from './limit/dispatch.js';
import { maxConcurrentOf } from './limit/limiter.js';
import { RETRY_DEFAULTS, type RequestPlan, type RetryPolicy } from './options.js';
import { backoffDelay } from './retry/backoff.js';
import { defaultVerdict } from './retry/policy.js';
import type { ServerDelay } from './retry/retry-after.js';
import { fleetAdmission } from './fleet/admission.js';
import type { Attempt, SteadyInfo } from './types.js';
import type { SteadyContext } from './context.js';
import { fleetPause, namedDelay, pauseLimiter, settleAttempt, takeTicket } from './learn.js';
import { abortReason } from './util/sleep.js';

// Info per request config. axios puts that config on the response and on every error of the request,
// including errors made after the adapter (a JSON parse failure), so one WeakMap entry serves all of them
// and nothing is written onto the caller's objects. A WeakMap holds no request alive.
const infos = new WeakMap<object, SteadyInfo>();

/**
 * What axios-steady did for the request behind a response or an error: attempts, retries, why it stopped.
 * `undefined` for anything axios-steady did not handle.
 *
 * @example
 * try { await api.get('/x'); } catch (error) { console.log(steadyInfo(error)?.attempts); }
 */
export function steadyInfo(target: unknown): SteadyInfo | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  const config = (target as { config?: unknown }).config;
  return (typeof config === 'object' && config !== null ? infos.get(config) : undefined) ?? infos.get(target);
}

/** Links the caller's cancellation (signal or legacy CancelToken) and the deadline into one signal. */
function linkSignals(config: InternalAxiosRequestConfig, deadline: number | undefined) {
  const user = config.signal as AbortSignal | undefined;
  if (deadline === undefined && !config.cancelToken)
    return { signal: user, expired: () => false, canceled: () => user?.aborted === true, dispose: () => {} };
  const controller = new AbortController();
  let expired = false;
  const forward = () => controller.abort(user?.reason);
  if (user?.aborted) forward();
  user?.addEventListener?.('abort', forward, { once: true });
  void config.cancelToken?.promise.then((reason) => controller.abort(reason));
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(() => {
          expired = true;
          controller.abort(new Error('deadline'));
        }, deadline);
  return {
    signal: controller.signal,
    expired: () => expired,
    canceled: () => !expired && controller.signal.aborted,
    dispose: () => {
      clearTimeout(timer);
      user?.removeEventListener?.('abort', forward);
    },
  };
}

/**
 * The steady adapter: every attempt of one logical request, below the interceptors. Each attempt goes
 * through the limiter; a failure is classified, a delay chosen (server-named or backoff), and the next
 * attempt scheduled through the limiter again, until success, a final failure, cancel or deadline.
 */
export function steadyAdapter(ctx: SteadyContext, plan: RequestPlan, inner: AxiosAdapter): AxiosAdapter {
  return (config) => {
    const started = Date.now();
    const attempts: Attempt[] = [];
    const link = linkSignals(config, plan.deadline);
    const attemptConfig = link.signal === config.signal ? config : { ...config, signal: link.signal };
    const finish = (stoppedBy?: SteadyInfo['stoppedBy']) => {
      const info: { -readonly [K in keyof SteadyInfo]: SteadyInfo[K] } = {
        attempts,
        retries: attempts.length - 1,
        elapsedMs: Date.now() - started,
      };
      if (stoppedBy) info.stoppedBy = stoppedBy;
      infos.set(config, info);
    };
    ctx.counters.requests++;
    ctx.budget?.deposit();
    let notBefore: number | undefined;
    let priority = plan.priority;
    /** The delay the last failed attempt's 429/503 named (Retry-After), read once per attempt. */
    let named: ServerDelay | undefined;
    const maxRetryAfter = plan.retry ? plan.retry.maxRetryAfter : RETRY_DEFAULTS.maxRetryAfter;
    // What an attempt teaches (the quota, a 429's pause) is learned before the attempt gives its limiter
    // slot back — for a fleet, once the pause is stored in Redis — so no sibling granted that slot slips out.
    const send = () => {
      ctx.counters.attempts++;
      const ticket = takeTicket(ctx);
      const answered = (response: AxiosResponse | undefined) => settleAttempt(ctx, ticket, response, named, fleet?.settle());
      let sent: Promise<AxiosResponse>;
      try {
        sent = inner(attemptConfig);
      } catch (error) {
        sent = Promise.reject(error);
      }
      return sent.then(
        (response) => (answered(response), response),
        (error: unknown): Promise<never> => {
          const response = isAxiosError(error) ? error.response : undefined;
          named = namedDelay(response);
          // The pause first: settling the ticket wakes the queue, which must find the gate already closed.
          const stored =
            named && response && named.delayMs > 0 && named.delayMs <= maxRetryAfter
              ? pauseLimiter(ctx, named.delayMs, response.status, named.source)
              : undefined;
          answered(response);
          return stored ? stored.then(() => Promise.reject(error)) : Promise.reject(error);
        },
      );
    };
    const expiration = jobExpiration(config, plan);
    const fleet =
      ctx.state.ledger &&
      fleetAdmission(
        ctx.state.ledger,
        ctx.state.gate,
        ctx.learnQuota,
        () => maxConcurrentOf(ctx.limiter) ?? 1e9,
        expiration,
        (ms) => fleetPause(ctx, ms),
      );
    const attemptOnce = () => (
      (named = undefined),
      dispatch(ctx.state, send, {
        priority,
        signal: link.signal,
        notBefore,
        expiration,
        admit: fleet?.admit,
      })
    );
    const succeed = (response: AxiosResponse, attempt: number) => {
      if (response.config !== config) response.config = config;
      ctx.budget?.succeeded();
      attempts.push({ attempt, status: response.status, elapsedMs: Date.now() - started });
      finish();
      return response;
    };
    /** Everything after a failed attempt: classify, wait, try again, until success or a final failure. */
    const recover = async (error: unknown): Promise<AxiosResponse> => {
      try {
        for (let attempt = 1; ; attempt++) {
          // A count the fleet's ledger took for an attempt that was never sent (cancelled in the queue).
          const unsent = fleet?.settle();
          if (unsent) ctx.state.ledger?.done(unsent);
          if (link.expired()) throw deadlineError(config, plan.deadline as number, error, finish);
          if (link.canceled() || !isAxiosError(error)) {
            // A cancel (axios turns it into a CanceledError) or a non-HTTP error from a custom adapter.
            finish(link.canceled() ? 'canceled' : 'not-retryable');
            throw error;
          }
          if (error.config && error.config !== config) error.config = config;
          if (error.response && error.response.config !== config) error.response.config = config;
          const status = error.response?.status;
          attempts.push({
            attempt,
            ...(status !== undefined && { status }),
            ...(error.code !== undefined && { code: error.code }),
            message: error.message,
            elapsedMs: Date.now() - started,
          });
          if (status === 429) ctx.counters.rateLimited++;
          let stop: Awaited<ReturnType<typeof nextDelay>>;
          try {
            stop = await nextDelay(ctx, plan.retry, error, config, attempt, named, link.signal);
          } catch (thrown) {
            // A user callback threw or rejected: the request rejects with that, the attempt's error its cause.
            if (link.canceled() || !(thrown instanceof CallbackError)) throw thrown;
            ctx.counters.failures++;
            finish('callback');
            infos.set(thrown.error, infos.get(config) as SteadyInfo);
            throw thrown.error;
          }
          if (typeof stop === 'string') {
            ctx.counters.failures++;
            finish(stop);
            if (stop === 'budget' && ctx.budget) {
              const { failed, attempts: seen, windowMs } = ctx.budget.recent();
              error.message += ` (axios-steady: retry budget exhausted: the API failed ${failed} of the last ${seen} attempts in ${windowMs / 1000} s)`;
            }
            throw error;
          }
          if (plan.deadline !== undefined && Date.now() + stop.delayMs - started >= plan.deadline) {
            // Sleeping past the deadline only to fail then helps nobody: fail now with what we know.
            throw deadlineError(config, plan.deadline, error, finish);
          }
          const last = attempts.length - 1;
          attempts[last] = { ...attempts[last], delayMs: stop.delayMs };
          ctx.counters.retries++;
          notBefore = Date.now() + stop.delayMs;
          priority = Math.max(0, plan.priority - 1);
          try {
            return succeed(await attemptOnce(), attempt + 1);
          } catch (thrown) {
            error = thrown;
          }
        }
      } finally {
        link.dispose();
      }
    };
    // The first attempt is a plain promise chain, not an async function: a request that succeeds at once
    // pays no extra promise hop (measurable at thousands of requests per second, bench P1).
    return attemptOnce().then((response) => {
      link.dispose();
      return succeed(response, 1);
    }, recover);
  };
}

/** Decides what follows a failed attempt: a delay before the next one, or why there is none. */
async function nextDelay(
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
  if (attempt > policy.retries) return 'retries';
  if (named && named.delayMs > policy.maxRetryAfter) return 'retry-after-too-long';
  if (ctx.budget && !ctx.budget.withdraw()) return 'budget';
  // A server-named delay is used as given: jitter never shortens what the server asked for.
  const delayMs = named ? named.delayMs : backoffDelay(attempt, policy);
  const onRetry = policy.onRetry;
  if (onRetry) {
    const event = Object.freeze({ error, attempt, delayMs, reason: named ? ('retry-after' as const) : (reason ?? 'status'), config });
    await callback('onRetry', () => onRetry(event), error, signal);
  }
  return { delayMs };
}

/**
 * How long a limiter job may hold its slot: past this a Redis-backed limiter frees the slot even if the
 * process that ran it died (bottleneck #194). Longer than the attempt can take: its timeout, or the deadline.
 */
function jobExpiration(config: InternalAxiosRequestConfig, plan: RequestPlan): number {
  if (config.timeout && config.timeout > 0) return config.timeout + 1000;
  return plan.deadline ?? 5 * 60_000;
}

function deadlineError(
  config: InternalAxiosRequestConfig,
  deadline: number,
  cause: unknown,
  finish: (stoppedBy: 'deadline') => void,
): AxiosError {
  const last = isAxiosError(cause) ? cause : undefined;
  const error = new AxiosError(
    `axios-steady: deadline of ${deadline} ms exceeded`,
    AxiosError.ETIMEDOUT,
    config,
    last?.request,
    last?.response,
  );
  (error as { cause?: unknown }).cause = cause;
  finish('deadline');
  return error;
}

/** What a user callback threw or rejected with, as the Error the request rejects with. */
class CallbackError {
  constructor(readonly error: Error) {}
}

/**
 * Runs a user callback and awaits what it returns, abortably. A throw or rejection becomes a CallbackError:
 * an Error (a non-Error reason is wrapped in one naming the callback) whose `cause` is the attempt's error
 * when it had none. Nothing a callback does can become an unhandled rejection.
 */
async function callback<T>(name: string, run: () => T | Promise<T>, attemptError: AxiosError, signal: AbortSignal | undefined): Promise<T> {
  try {
    const result = run();
    return signal && isPromiseLike(result) ? await untilAborted(result, signal) : await result;
  } catch (thrown) {
    if (signal?.aborted && thrown === abortReason(signal)) throw thrown;
    const error = thrown instanceof Error ? thrown : new Error(`axios-steady: retry.${name} failed with ${String(thrown)}`);
    if (!('cause' in error) || error.cause === undefined)
      Object.defineProperty(error, 'cause', { value: attemptError, configurable: true, writable: true });
    throw new CallbackError(error);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Resolves as `promise` does, or rejects with the signal's reason when it aborts first. */
function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error)),
    );
  });
}
