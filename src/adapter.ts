import { isAxiosError, type AxiosAdapter, type AxiosResponse } from 'axios';
import type { SteadyContext } from './context.js';
import type { RequestPlan } from './options.js';
import { attempts } from './request/attempt.js';
import { CallbackError, deadlineError, decide } from './request/decision.js';
import { History } from './request/history.js';
import { resting } from './request/rest.js';
import { linkSignals } from './request/signals.js';

/**
 * The steady adapter: every attempt of one logical request, below the interceptors. The story: send an
 * attempt through the limiter; when it fails, decide (retry? how long?), wait, send the next — until a
 * response, a final failure, a cancel or the deadline. Each step lives in `request/`: the attempt
 * (`attempt.ts`), the decision (`decision.ts`), the record (`history.ts`), the signals (`signals.ts`).
 */
export function steadyAdapter(ctx: SteadyContext, plan: RequestPlan, inner: AxiosAdapter): AxiosAdapter {
  return (config) => {
    const link = linkSignals(config, plan.deadline);
    const history = new History(config);
    const tries = attempts(ctx, plan, inner, config, link, history);
    ctx.counters.requests++;
    ctx.budget?.deposit();

    const succeed = (response: AxiosResponse, attempt: number) => {
      if (response.config !== config) response.config = config;
      ctx.budget?.succeeded();
      history.succeeded(attempt, response.status);
      history.finish();
      return response;
    };

    /** Ends the request with `error` (counted, recorded); returns what to throw. */
    const stop = (error: unknown, stoppedBy: Parameters<History['finish']>[0], counted = true): unknown => {
      if (counted) ctx.counters.failures++;
      const thrown = error instanceof CallbackError ? error.error : error;
      history.finish(stoppedBy, thrown instanceof Error && thrown !== error ? thrown : undefined);
      return thrown;
    };

    /** Everything after a failed attempt: decide, wait, try again, until success or a final failure. */
    const recover = async (error: unknown): Promise<AxiosResponse> => {
      try {
        for (let attempt = 1; ; attempt++) {
          tries.settleUnsent();
          history.failed(attempt, error); // recorded even when a deadline or cancel cut it
          if (error instanceof CallbackError) throw stop(error, 'callback');
          if (link.expired()) throw stop(deadlineError(config, plan.deadline as number, error), 'deadline', false);
          if (link.canceled() || !isAxiosError(error)) throw stop(error, link.canceled() ? 'canceled' : 'not-retryable', false);
          if (error.config && error.config !== config) error.config = config;
          if (error.response && error.response.config !== config) error.response.config = config;
          if (error.response?.status === 429) ctx.counters.rateLimited++;
          let next: Awaited<ReturnType<typeof decide>>;
          try {
            next = await decide(ctx, plan.retry, error, config, attempt, tries.named, link.signal);
          } catch (thrown) {
            if (link.canceled() || !(thrown instanceof CallbackError)) throw stop(thrown, 'canceled', false);
            throw stop(thrown, 'callback');
          }
          if (typeof next === 'string') {
            if (next === 'budget' && ctx.budget) {
              const { failed, attempts: seen, windowMs } = ctx.budget.recent();
              error.message += ` (axios-steady: retry budget exhausted: the API failed ${failed} of the last ${seen} attempts in ${windowMs / 1000} s)`;
            }
            throw stop(error, next);
          }
          if (plan.deadline !== undefined && history.elapsed() + next.delayMs >= plan.deadline) {
            // Sleeping past the deadline only to fail then helps nobody: fail now with what we know.
            throw stop(deadlineError(config, plan.deadline, error), 'deadline', false);
          }
          history.waited(next.delayMs);
          ctx.counters.retries++;
          // A backoff (not a server-named pause, during which the limiter's gate is shut anyway) frees the slot
          // a walk gave this request, until the next attempt.
          if (!tries.named) resting(config.signal, next.delayMs);
          try {
            // Retries go one priority step ahead, so a logical request is not starved by newcomers.
            return succeed(await tries.send(attempt + 1, Date.now() + next.delayMs, Math.max(0, plan.priority - 1)), attempt + 1);
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
    return tries.send(1, undefined, plan.priority).then((response) => {
      link.dispose();
      return succeed(response, 1);
    }, recover);
  };
}
