import { isAxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { settleAttempt, takeTicket } from '../control/feedback.js';
import { ApiDownError, deadlineError, isCallbackError, RedisUnavailableError } from '../errors.js';
import { isConcurrencyOnly } from '../limit/bottleneck.js';
import type { Ticket } from '../quota/tracker.js';
import { Attempts } from './attempt.js';
import type { SteadyContext } from './instance.js';
import { decide } from './decision.js';
import { History, landed, type InfoCarrier } from './history.js';
import type { RequestPlan } from './plan.js';
import { resting } from './resting.js';
import { RequestTrace } from './trace.js';
import { LinkedSignal } from './signals.js';

/**
 * The steady adapter: every attempt of one logical request, below the interceptors. The story: send an
 * attempt through the limiter; when it fails, decide (retry? how long?), wait, send the next — until a
 * response, a final failure, a cancel or the deadline. Each step has its file beside this one: the attempt
 * (`attempt.ts`), the decision (`decision.ts`), the record (`history.ts`), the signals (`signals.ts`).
 */
export function steadyAdapter(ctx: SteadyContext, plan: RequestPlan, inner: AxiosAdapter): SteadyAdapter {
  const adapter: SteadyAdapter = (config) => begin(ctx, plan, config, inner, adapter);
  adapter[INNER] = inner;
  return adapter;
}

/**
 * A logical request begins: counted, and sent as a flight when nothing stands between its first attempt and the
 * transport — no beforeAttempt, validateResponse, hedge, fleet, deadline or CancelToken, a limiter that caps only
 * concurrency with a free slot and an open gate. Otherwise (or when that attempt fails) the whole story runs.
 */
function begin(ctx: SteadyContext, plan: RequestPlan, config: InternalAxiosRequestConfig, inner: AxiosAdapter, carrier: InfoCarrier) {
  const started = Date.now();
  ctx.counters.requests++;
  ctx.budget?.deposit(started);
  if (!ctx.warned && 'axios-retry' in config) warnTwice(ctx);
  const { control } = ctx;
  const trace = ctx.telemetry ? RequestTrace.start(config) : undefined;
  if (trace) return new SteadyRequest(ctx, plan, config, inner, carrier, started, trace).start();
  if (
    plan.simple &&
    config.cancelToken === undefined &&
    control.ledger === undefined &&
    isConcurrencyOnly(ctx.limiter) &&
    control.lane.tryEnter()
  )
    return new Flight(ctx, plan, config, inner, carrier, started).go();
  return new SteadyRequest(ctx, plan, config, inner, carrier, started).start();
}

/**
 * The first attempt of a request that needs nothing but the transport, in one small object: it holds the slot
 * the lane gave it, its quota ticket and its start, and ends with one promise reaction. Every other object of the
 * story — the signals, the record, the attempts — is made only if this attempt fails (then `SteadyRequest` takes
 * over from there). Fewer objects alive per request in flight is fewer promoted to the old generation: bench
 * P1's CPU per request (see docs/decisions.md, "The hot path").
 */
class Flight {
  private ticket: Ticket | undefined;

  constructor(
    private readonly ctx: SteadyContext,
    private readonly plan: RequestPlan,
    private readonly config: InternalAxiosRequestConfig,
    private readonly inner: AxiosAdapter,
    private readonly carrier: InfoCarrier,
    private readonly started: number,
  ) {}

  go(): Promise<AxiosResponse> {
    const { ctx, config } = this;
    ctx.counters.attempts++;
    ctx.control.pauses.health.sent(this);
    this.ticket = takeTicket(ctx.control, ctx.learnQuota, this.started);
    let sent: Promise<AxiosResponse>;
    try {
      sent = this.inner(config);
    } catch (error) {
      sent = Promise.reject(error);
    }
    return sent.then(
      (response) => this.landed(response),
      (error: unknown) => this.failed(error),
    );
  }

  private landed(response: AxiosResponse): AxiosResponse {
    const { ctx, config } = this;
    const now = Date.now();
    settleAttempt(ctx.control, this, this.ticket, response, undefined, undefined, undefined, ctx.onQuota, now);
    ctx.control.lane.release();
    if (response.config !== config) response.config = config;
    ctx.budget?.succeeded(now);
    landed(this.carrier, config, response.status, now - this.started);
    return response;
  }

  /** The attempt failed: the whole story takes over, from the failure of attempt 1. */
  private failed(error: unknown): Promise<AxiosResponse> {
    const request = new SteadyRequest(this.ctx, this.plan, this.config, this.inner, this.carrier, this.started);
    return request.afterFlight(this, this.ticket, error);
  }
}

/** Where a steady adapter keeps the adapter it wraps: a config re-sent from `error.config` wraps that one again. */
export const INNER = Symbol('axios-steady.inner-adapter');

/**
 * The adapter attach() puts on one request's config: made per request, so it also carries that request's
 * steadyInfo record (see request/history.ts).
 */
export type SteadyAdapter = AxiosAdapter & { [INNER]?: AxiosAdapter } & InfoCarrier;

/** One logical request. A class: its steps live on the prototype, not in closures allocated per request (bench P1). */
class SteadyRequest {
  private readonly link: LinkedSignal;
  private readonly history: History;
  private readonly tries: Attempts;

  constructor(
    private readonly ctx: SteadyContext,
    private readonly plan: RequestPlan,
    private readonly config: InternalAxiosRequestConfig,
    inner: AxiosAdapter,
    carrier: InfoCarrier,
    started: number,
    private readonly trace?: RequestTrace,
  ) {
    this.link = new LinkedSignal(config, plan.deadline);
    this.history = new History(carrier, config, started);
    this.tries = new Attempts(ctx, plan, inner, config, this.link, this.history, trace);
  }

  /** Takes over from a flight whose attempt (the first: `ticket` its quota ticket, `flight` its identity) failed. */
  afterFlight(flight: object, ticket: Ticket | undefined, error: unknown): Promise<AxiosResponse> {
    this.history.sent = 1;
    return this.tries.failedInFlight(flight, ticket, error).catch((thrown: unknown) => this.recover(thrown));
  }

  /**
   * The first attempt is a plain promise chain, not an async function: a request that succeeds at once pays
   * no extra promise hop (measurable at thousands of requests per second, bench P1).
   */
  start(): Promise<AxiosResponse> {
    const { tries } = this;
    return tries.send(1, undefined, this.plan.priority).then(
      (response) => {
        this.link.dispose();
        return this.succeed(response, 1);
      },
      (error: unknown) => this.recover(error),
    );
  }

  private succeed(response: AxiosResponse, attempt: number): AxiosResponse {
    if (response.config !== this.config) response.config = this.config;
    this.ctx.budget?.succeeded();
    this.history.succeeded(attempt, response.status);
    this.history.finish();
    const { history } = this;
    this.trace?.end({ attempts: attempt, retries: attempt - 1, hedges: history.hedges, status: response.status });
    return response;
  }

  /** Ends the request with `error` (counted, recorded, with `reason` in words); returns what to throw. */
  private stop(error: unknown, stoppedBy: Parameters<History['finish']>[0], counted = true, reason?: string): unknown {
    if (counted) this.ctx.counters.failures++;
    this.tries.dispose();
    // An error that carries no config of this request (a callback's own, Redis unavailable) gets its record by
    // the side: nothing is written on it.
    const bare = typeof error === 'object' && error !== null && (error as { config?: unknown }).config !== this.config;
    this.history.finish(stoppedBy, bare ? (error as object) : undefined, reason);
    const { history } = this;
    const attempts = history.attempts.length;
    this.trace?.end({ attempts, retries: Math.max(0, attempts - 1), hedges: history.hedges, ...(stoppedBy && { stoppedBy }), error });
    return error;
  }

  /** Why the request stopped, in words, where the kind of stop alone does not say it. */
  private why(stoppedBy: NonNullable<Parameters<History['finish']>[0]>): string | undefined {
    const { budget } = this.ctx;
    if (stoppedBy === 'budget' && budget) {
      const { failed, attempts, windowMs } = budget.recent();
      return `retry budget exhausted: the API failed ${failed} of the last ${attempts} attempts in ${windowMs / 1000} s`;
    }
    const named = this.tries.named;
    if (stoppedBy === 'retry-after-too-long' && named && this.plan.retry)
      return `the server asked to wait ${seconds(named.delayMs)} (${named.source}), longer than maxRetryAfter (${seconds(this.plan.retry.maxRetryAfter)}); not waited`;
    return undefined;
  }

  /** Everything after a failed attempt: decide, wait, try again, until success or a final failure. */
  private async recover(error: unknown): Promise<AxiosResponse> {
    const { ctx, plan, config, link, history, tries } = this;
    try {
      for (let attempt = 1; ; attempt++) {
        tries.settleUnsent();
        history.failed(attempt, error); // recorded even when a deadline or cancel cut it
        if (isCallbackError(error)) throw this.stop(error, 'callback');
        if (error instanceof RedisUnavailableError) throw this.stop(error, 'redis-unavailable');
        if (error instanceof ApiDownError) throw this.stop(error, 'api-down');
        if (link.expired()) throw this.stop(deadlineError(config, plan.deadline as number, error), 'deadline', false);
        if (link.canceled() || !isAxiosError(error)) throw this.stop(error, link.canceled() ? 'canceled' : 'not-retryable', false);
        if (error.config && error.config !== config) error.config = config;
        if (error.response && error.response.config !== config) error.response.config = config;
        if (error.response?.status === 429) ctx.counters.rateLimited++;
        let next: Awaited<ReturnType<typeof decide>>;
        try {
          next = await decide(ctx, plan.retry, error, config, attempt, tries.named, link.signal);
        } catch (thrown) {
          if (link.canceled() || !isCallbackError(thrown)) throw this.stop(thrown, 'canceled', false);
          throw this.stop(thrown, 'callback');
        }
        if (typeof next === 'string') throw this.stop(error, next, true, this.why(next));
        if (plan.deadline !== undefined && history.elapsed() + next.delayMs >= plan.deadline) {
          // Sleeping past the deadline only to fail then helps nobody: fail now with what we know.
          throw this.stop(deadlineError(config, plan.deadline, error), 'deadline', false);
        }
        history.waited(next.delayMs);
        ctx.counters.retries++;
        if (this.trace) this.trace.waitReason = tries.named ? 'retry-after' : ctx.control.pauses.health.up ? 'backoff' : 'api-down';
        // A backoff (not a server-named pause, nor an outage: the limiter's gate is shut then anyway) frees the
        // slot a walk gave this request, until the next attempt.
        if (!tries.named && ctx.control.pauses.health.up) resting(config.signal, next.delayMs);
        try {
          // Retries go one priority step ahead, so a logical request is not starved by newcomers.
          const response = await tries.send(attempt + 1, Date.now() + next.delayMs, Math.max(0, plan.priority - 1));
          return this.succeed(response, attempt + 1);
        } catch (thrown) {
          error = thrown;
        }
      }
    } finally {
      link.dispose();
    }
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * axios-retry left on an attached instance retries every request attach() already retried: one GET became 16
 * hits on the server. Its request interceptor marks the config (`config['axios-retry']`), which the adapter sees
 * below every interceptor: told once per attach(), as a process warning where there is one (Node), else on the
 * console.
 */
function warnTwice(ctx: SteadyContext): void {
  ctx.warned = true;
  const message =
    'axios-steady: axios-retry is also installed on this instance, so every retry is multiplied (4 × 4 attempts at the defaults). ' +
    "Remove axios-retry (its options map onto attach()'s retry options: see the README) or pass `{ retry: false }` to attach().";
  const host = globalThis as { process?: { emitWarning?: (message: string, type: string) => void } };
  if (typeof host.process?.emitWarning === 'function') host.process.emitWarning(message, 'AxiosSteadyWarning');
  else console.warn(message);
}
