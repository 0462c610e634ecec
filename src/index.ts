export { steadyInfo } from './adapter.js';
export { attach, type Steady, type SteadyStats } from './attach.js';
export { backoffDelay, type BackoffOptions } from './retry/backoff.js';
export { parseRetryAfter } from './retry/retry-after.js';
export { failureReason, isIdempotent } from './retry/policy.js';
export { RetryBudget } from './retry/budget.js';
export { RETRY_DEFAULTS, BUDGET_DEFAULTS, type RetryPolicy, type BudgetPolicy } from './options.js';
export type {
  Attempt,
  Jitter,
  LimiterOptions,
  PauseEvent,
  RetryBudgetOptions,
  RetryDecisionContext,
  RetryEvent,
  RetryOptions,
  RetryReason,
  SteadyInfo,
  SteadyOptions,
  SteadyRequestOptions,
} from './types.js';
