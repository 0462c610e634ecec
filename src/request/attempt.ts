// One attempt of a logical request: its config for this try (beforeAttempt), through the limiter, to the
// transport and back — and what its answer teaches the limiter, learned before the attempt gives its slot
// back, so no sibling granted that slot can slip out during a pause the answer named.
import axios, {
  AxiosError,
  AxiosHeaders,
  isAxiosError,
  isCancel,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import type { SteadyContext } from '../context.js';
import { fleetAdmission } from '../fleet/admission.js';
import { fleetPause, namedDelay, pauseLimiter, settleAttempt, takeTicket } from '../learn.js';
import { dispatch } from '../limit/dispatch.js';
import { maxConcurrentOf } from '../limit/limiter.js';
import { RETRY_DEFAULTS, type RequestPlan } from '../options.js';
import { hedged, hedgeDelay } from '../retry/hedge.js';
import { isIdempotent, rejectedResponse } from '../retry/policy.js';
import type { ServerDelay } from '../retry/retry-after.js';
import type { AttemptOverrides } from '../types.js';
import { callback } from './decision.js';
import type { History } from './history.js';
import type { LinkedSignal } from './signals.js';

/** Sends the attempts of one logical request. */
export interface Attempts {
  /** Attempt `n`: after `notBefore`, at `priority`, through the limiter. */
  send(n: number, notBefore: number | undefined, priority: number): Promise<AxiosResponse>;
  /** The delay the last failed attempt's 429/503 named (Retry-After), read once per attempt. */
  readonly named: ServerDelay | undefined;
  /** Gives back a fleet count taken for an attempt that was never sent (cancelled in the queue). */
  settleUnsent(): void;
}

/**
 * How long a limiter job may hold its slot: past this a Redis-backed limiter frees the slot even if the
 * process that ran it died (bottleneck #194). Longer than the attempt can take: its timeout, or the deadline.
 */
function jobExpiration(config: InternalAxiosRequestConfig, plan: RequestPlan): number {
  if (config.timeout && config.timeout > 0) return config.timeout + 1000;
  return plan.deadline ?? 5 * 60_000;
}

/** The config of one attempt: the request's, with what beforeAttempt changed for this try only. */
function withOverrides(base: InternalAxiosRequestConfig, o: AttemptOverrides | void): InternalAxiosRequestConfig {
  if (!o) return base;
  return {
    ...base,
    ...(o.url !== undefined && { url: o.url }),
    ...(o.baseURL !== undefined && { baseURL: o.baseURL }),
    ...(o.params !== undefined && { params: o.params }),
    ...(o.timeout !== undefined && { timeout: o.timeout }),
    ...(o.headers !== undefined && { headers: AxiosHeaders.concat(base.headers, o.headers) }),
  };
}

/**
 * The response as the caller will see it — the request's `transformResponse` applied (axios parses JSON there,
 * after the adapter) — for validateResponse to judge. Undefined when the transform throws (a body that does
 * not parse). The real response is left as it is: axios transforms it once, later (see `keepParsed`).
 */
function transformed(response: AxiosResponse): AxiosResponse | undefined {
  const { config } = response;
  const steps = config.transformResponse;
  const list = (Array.isArray(steps) ? steps : steps ? [steps] : []) as ((
    this: unknown,
    data: unknown,
    headers: unknown,
    status: number,
  ) => unknown)[];
  try {
    const data = list.reduce((d, step) => step.call(config, d, response.headers, response.status), response.data as unknown);
    return { ...response, data };
  } catch {
    return undefined;
  }
}

// axios' own response transforms: they parse a JSON string and pass anything already parsed through.
const DEFAULT_TRANSFORMS = new Set<unknown>([axios.defaults.transformResponse].flat());

/**
 * Hands the validated, already parsed body on when every transform of the request is one of axios' defaults:
 * axios then passes it through instead of parsing the same body a second time (every page of a walk is
 * validated). Custom transforms may not be idempotent, so their responses keep the raw body.
 */
function keepParsed(response: AxiosResponse, view: AxiosResponse): AxiosResponse {
  const steps = [response.config.transformResponse].flat();
  if (steps.every((step) => step === undefined || DEFAULT_TRANSFORMS.has(step))) response.data = view.data;
  return response;
}

/** Whether a hedge may go now: never while the quota is nearly spent, and only with a retry from the budget. */
function mayHedge(ctx: SteadyContext): boolean {
  if (ctx.learnQuota && ctx.state.quota.engaged && ctx.state.quota.tokens() < 2) return false;
  return ctx.budget ? ctx.budget.withdraw() : true;
}

export function attempts(
  ctx: SteadyContext,
  plan: RequestPlan,
  inner: AxiosAdapter,
  config: InternalAxiosRequestConfig,
  link: LinkedSignal,
  history: History,
): Attempts {
  // Built per attempt, so the request's config as it is then counts, whether or not a deadline linked a signal.
  const base = () => (link.signal === config.signal ? config : { ...config, signal: link.signal });
  const maxRetryAfter = plan.retry ? plan.retry.maxRetryAfter : RETRY_DEFAULTS.maxRetryAfter;
  const validate = plan.validate;
  const before = plan.retry ? plan.retry.beforeAttempt : undefined;
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
  let named: ServerDelay | undefined;

  const hedge = plan.hedge;
  const transport = (current: InternalAxiosRequestConfig, started?: () => void) => () => {
    ctx.counters.attempts++;
    history.sent++;
    started?.();
    const ticket = takeTicket(ctx);
    const sentAt = hedge ? performance.now() : 0;
    const answered = (response: AxiosResponse | undefined) => {
      if (hedge && response) ctx.state.latency.add(performance.now() - sentAt);
      settleAttempt(ctx, ticket, response, named, fleet?.settle());
    };
    let sent: Promise<AxiosResponse>;
    try {
      sent = inner(current);
    } catch (error) {
      sent = Promise.reject(error);
    }
    return sent.then(
      (response): AxiosResponse | Promise<AxiosResponse> => {
        answered(response);
        if (!validate) return response;
        const view = transformed(response);
        if (view === undefined) return Promise.reject(rejectedResponse(response)); // the body does not even parse
        return callback('validateResponse', () => validate(view), undefined, link.signal).then((ok) =>
          ok === false ? Promise.reject(rejectedResponse(response)) : keepParsed(response, view),
        );
      },
      (thrown: unknown): Promise<never> => {
        // A custom adapter's plain error is a failed attempt like any other (its cause kept).
        const error = isAxiosError(thrown) || isCancel(thrown) ? thrown : AxiosError.from(thrown, undefined, current);
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

  const dispatchOne = (current: InternalAxiosRequestConfig, notBefore: number | undefined, priority: number, started?: () => void) =>
    dispatch(ctx.state, transport(current, started), {
      priority,
      signal: current.signal as AbortSignal | undefined,
      notBefore,
      expiration,
      admit: fleet?.admit,
    });

  /**
   * An attempt: one copy, or with hedging on an idempotent request two (see retry/hedge.ts). Not for a fleet:
   * its ledger counts one grant per logical request.
   */
  const through = (current: InternalAxiosRequestConfig, notBefore: number | undefined, priority: number) => {
    const delayMs =
      hedge && !fleet && isIdempotent(current, plan.retry ? plan.retry.methods : RETRY_DEFAULTS.methods)
        ? hedgeDelay(hedge, ctx.state.latency)
        : undefined;
    if (delayMs === undefined) return dispatchOne(current, notBefore, priority);
    return hedged(
      (signal, started) => dispatchOne({ ...current, signal }, notBefore, priority, started),
      delayMs,
      () => mayHedge(ctx),
      () => {
        ctx.counters.hedges++;
        history.hedges++;
      },
      link.signal,
    );
  };

  return {
    get named() {
      return named;
    },
    send(n, notBefore, priority) {
      named = undefined;
      // Not async without beforeAttempt: a request that succeeds at once pays no extra promise hop (bench P1).
      if (!before) return through(base(), notBefore, priority);
      const context = Object.freeze({ attempt: n, config, signal: link.signal });
      return callback('beforeAttempt', () => before(context), undefined, link.signal).then((o) =>
        through(withOverrides(base(), o), notBefore, priority),
      );
    },
    settleUnsent() {
      const unsent = fleet?.settle();
      if (unsent) ctx.state.ledger?.done(unsent);
    },
  };
}
