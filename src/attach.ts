import { instruments, observeLimiter } from './telemetry/otel.js';
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import type Bottleneck from 'bottleneck';
import { normalizeHealth } from './control/health.js';
import { DEFAULT_PROBES } from './control/pauses.js';
import { controlOf } from './control/state.js';
import { alreadyAttached, optionError } from './errors.js';
import { withRedisDefaults } from './fleet/cluster.js';
import { createLimiter, quietHeartbeat } from './limit/bottleneck.js';
import type { QuotaState } from './quota/tracker.js';
import { INNER, steadyAdapter, type SteadyAdapter } from './request/adapter.js';
import { isAttached, markAttached } from './request/attached.js';
import type { Counters, SteadyContext } from './request/instance.js';
import { checkSteadyOptions, isSimple, planRequest, type RequestPlan } from './request/plan.js';
import { RetryBudget } from './retry/budget.js';
import { normalizeBudget, normalizeHedge, normalizeRetry, RETRY_DEFAULTS } from './retry/normalize.js';
import type { HealthState, SteadyOptions } from './types.js';

/** Counters since attach(), plus the limiter's live load. */
export interface SteadyStats extends Readonly<Counters> {
  /** Attempts running in this process's local lane (bottleneck-scheduled jobs: see `limiter.counts()`). */
  readonly running: number;
  /** Attempts waiting in the local lane. */
  readonly queued: number;
  /** Epoch ms the pause gate is closed until (0 when open). */
  readonly pausedUntil: number;
  /** Times the API went down (the health gate tripped) since the limiter was made. */
  readonly outages: number;
}

/** The handle attach() returns. */
export interface Steady {
  /** The Bottleneck instance every attempt is scheduled through; yours to observe, update or share. */
  readonly limiter: Bottleneck;
  /** Ejects the interceptor (the instance is plain axios again) and disconnects a limiter attach() created. */
  detach(): void;
  /** Counters and load, for progress bars and logs. */
  stats(): SteadyStats;
  /** Holds every attempt of this limiter for `ms` (as a 429 with Retry-After would). */
  pause(ms: number): void;
  /** What the limiter has learned about the API's quota, or undefined when nothing was stated. */
  quota(): QuotaState | undefined;
  /** What is known of the API's health: up, or down since when, with the probes sent and when the next goes. */
  health(): HealthState;
}

/**
 * Makes an existing axios instance steady: retries with backoff and Retry-After, a limiter (bottleneck)
 * in front of every attempt, a pause gate that one 429 closes for all. Interceptors you add run once per
 * logical request; attempts happen below them, in an adapter wrapping the one the request would use.
 *
 * @example
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * const steady = attach(api, { retry: { retries: 5 }, limiter: { maxConcurrent: 4 } });
 * await api.get('/items', { steady: { retry: false } });
 * steady.detach();
 */
export function attach(instance: AxiosInstance, options?: SteadyOptions): Steady {
  if (!instance || typeof instance.interceptors?.request?.use !== 'function')
    throw optionError('attach() needs an axios instance (axios.create()) or axios itself');
  if (isAttached(instance)) throw alreadyAttached();
  const o = checkSteadyOptions(options);
  const retry = normalizeRetry(o.retry, 'retry', RETRY_DEFAULTS, true);
  const budgetPolicy = retry === false ? false : normalizeBudget(o.retry && o.retry.budget, 'retry.budget');
  const { limiter, owned } = createLimiter(withRedisDefaults(o.limiter));
  const control = controlOf(limiter);
  if (owned && control.ledger) quietHeartbeat(limiter);
  const ctx: SteadyContext = {
    limiter,
    control,
    budget: budgetPolicy ? new RetryBudget(budgetPolicy) : undefined,
    counters: { requests: 0, attempts: 0, retries: 0, failures: 0, rateLimited: 0, pauses: 0, hedges: 0 },
    onQuota: o.onQuota,
    learnQuota: o.quota !== false,
    telemetry: o.telemetry !== false,
    warned: false,
  };
  const { onPause, onHealth } = o;
  const health = normalizeHealth(o.health, DEFAULT_PROBES);
  // The first attach() of a limiter sets its health gate (and the fleet's probe schedule); later ones share it.
  if (control.pauses.health.configure(health.probes) && control.ledger && health.probes) control.ledger.probes = health.probes;
  const unsubscribe = control.pauses.subscribe((event) => {
    ctx.counters.pauses++;
    if (ctx.telemetry) instruments()?.pauses.add?.(1, { 'steady.pause.source': event.source.replace(/ \(.*$/, '') });
    onPause?.(event);
  });
  const unsubscribeHealth = onHealth ? control.pauses.health.onChange(onHealth) : undefined;
  // A pause longer than the retry policy accepts is left to the 429 (fail fast), for quota pauses too.
  if (retry) control.quota.maxPauseMs = Math.max(control.quota.maxPauseMs, retry.maxRetryAfter);
  const base = {
    retry,
    deadline: o.deadline,
    priority: 5,
    validate: retry ? retry.validateResponse : undefined,
    hedge: normalizeHedge(o.hedge, 'hedge'),
    patience: health.patience,
  };
  const plan: RequestPlan = { ...base, simple: isSimple(base) };

  const requestId = instance.interceptors.request.use(
    (config: InternalAxiosRequestConfig) => {
      const current = config.adapter as SteadyAdapter | undefined;
      // A config re-sent from error.config already carries our adapter: wrap what it wrapped.
      const inner = current?.[INNER] ?? axios.getAdapter(current ?? instance.defaults.adapter ?? axios.defaults.adapter, config);
      config.adapter = steadyAdapter(ctx, planRequest(plan, config.steady), inner);
      return config;
      // synchronous: axios keeps its synchronous request path; an async interceptor costs a promise hop.
    },
    undefined,
    { synchronous: true },
  );
  markAttached(instance, true);
  // The gauges' source lives as long as the instance (its interceptor holds ctx): the gauges hold it weakly.
  ctx.gauges = () => ({
    limiter: String((limiter as unknown as { id?: string }).id ?? 'default'),
    remaining: control.quota.state()?.remaining,
    up: control.pauses.health.up,
  });
  const unobserve = ctx.telemetry ? observeLimiter(ctx.gauges) : undefined;

  let detached = false;
  return {
    limiter,
    detach() {
      if (detached) return;
      detached = true;
      instance.interceptors.request.eject(requestId);
      markAttached(instance, false);
      unsubscribe();
      unsubscribeHealth?.();
      unobserve?.();
      // The answers the fleet's ledger still owes go first (one round trip, or they would hold their counts until expiration).
      const reported = control.ledger?.reported() ?? Promise.resolve();
      if (owned) void reported.then(() => limiter.disconnect(false)).catch(() => undefined);
    },
    stats() {
      const { lane, gate } = control;
      return Object.freeze({
        ...ctx.counters,
        running: lane.running,
        queued: lane.queued,
        pausedUntil: gate.isOpen() ? 0 : gate.until,
        outages: control.pauses.health.outageCount,
      });
    },
    quota() {
      return control.quota.state();
    },
    health() {
      return control.pauses.health.snapshot();
    },
    pause(ms) {
      if (!(Number.isFinite(ms) && ms >= 0)) throw optionError(`pause(ms) needs a finite number ≥ 0, got ${String(ms)}`);
      control.pauses.manual(ms);
    },
  };
}
