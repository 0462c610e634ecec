// What one request runs with: the instance's options (checked once, at attach()) with the request's own
// `config.steady` applied (checked per request).
import type { SteadyOptions, SteadyRequestOptions, RetryOptions } from '../types.js';
import { normalizeHedge, normalizeRetry, RETRY_DEFAULTS, type RetryPolicy } from '../retry/normalize.js';
import type { HedgePolicy } from '../retry/hedge.js';
import { checkKeys, durationOption, functionOption, invalid, isPlainObject, numberOption } from '../util/validate.js';

/** Validates the top level of `attach()` options; the limiter part is checked in limit/create. */
export function checkSteadyOptions(options: unknown): SteadyOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) invalid('options', options, 'an object');
  checkKeys('options', options, [
    'retry',
    'limiter',
    'deadline',
    'onPause',
    'quota',
    'onQuota',
    'hedge',
    'health',
    'onHealth',
    'telemetry',
  ]);
  const o = options as SteadyOptions;
  if (o.quota !== undefined && typeof o.quota !== 'boolean') invalid('quota', o.quota, 'a boolean');
  if (o.telemetry !== undefined && typeof o.telemetry !== 'boolean') invalid('telemetry', o.telemetry, 'a boolean');
  functionOption('onQuota', o.onQuota);
  if (o.deadline !== undefined) durationOption('deadline', o.deadline, 1);
  functionOption('onPause', o.onPause);
  functionOption('onHealth', o.onHealth);
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
  /** How long the request may wait for a down API (ms; 0: it fails fast). */
  readonly patience: number;
  /**
   * Nothing but the transport is needed for an attempt — no beforeAttempt, validateResponse, hedge or deadline
   * — so a first attempt may go as a flight (request/adapter.ts).
   */
  readonly simple: boolean;
}

/** Whether a plan lets a first attempt go as a flight (see RequestPlan.simple). */
export const isSimple = (plan: Omit<RequestPlan, 'simple'>): boolean =>
  !(plan.retry && plan.retry.beforeAttempt) && !plan.validate && !plan.hedge && plan.deadline === undefined;

/** Applies `config.steady` over the instance plan; throws a TypeError for bad per-request options. */
export function planRequest(base: RequestPlan, input: unknown): RequestPlan {
  if (input === undefined) return base;
  if (!isPlainObject(input)) invalid('steady', input, 'an object');
  checkKeys('steady', input, ['retry', 'deadline', 'priority', 'minRetries', 'validateResponse', 'hedge', 'patience']);
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
  const patience = o.patience === undefined ? base.patience : durationOption('steady.patience', o.patience, 0);
  const plan = { retry, deadline, priority, validate, hedge, patience };
  return { ...plan, simple: isSimple(plan) };
}
