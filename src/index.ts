export { steadyInfo } from './request/history.js';
export { attach, type Steady, type SteadyStats } from './attach.js';
export { backoffDelay, type BackoffOptions } from './retry/backoff.js';
export { parseRetryAfter } from './retry/retry-after.js';
export type { HeaderValue } from './http/headers.js';
export { failureReason, isIdempotent } from './retry/policy.js';
export { RetryBudget, type BudgetPolicy } from './retry/budget.js';
export { RETRY_DEFAULTS, BUDGET_DEFAULTS, type RetryPolicy } from './retry/normalize.js';
export type {
  Attempt,
  AttemptContext,
  AttemptOverrides,
  DelayContext,
  DelayOption,
  HealthOptions,
  HealthState,
  HedgeOptions,
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
export { paginate, collect } from './paginate/paginate.js';
export { memoryStore, type PageStore, type StoredPage } from './paginate/revalidate.js';
export { mergeByKey, type SinceInfo, type SinceOptions } from './paginate/incremental.js';
export { pages } from './paginate/pages.js';
export { linkHeader } from './paginate/strategies/link-header.js';
export { auto, type AutoStrategy } from './paginate/strategies/auto.js';
export { cursor, type CursorOptions } from './paginate/strategies/cursor.js';
export { nextUrl, type NextUrlOptions } from './paginate/strategies/next-url.js';
export { pageNumber, type PageNumberOptions } from './paginate/strategies/page-number.js';
export { offset, type OffsetOptions } from './paginate/strategies/offset.js';
export { parseLinkHeader, type Link } from './paginate/link-parser.js';
export { defaultItems, ITEM_KEYS } from './paginate/body.js';
export { ApiDownError, PaginationError, RedisUnavailableError, type PaginationErrorCode, type SteadyErrorCode } from './errors.js';
export type {
  Checkpoint,
  CollectInfo,
  Page,
  PageContext,
  PagePlan,
  PageParams,
  PageRequest,
  PaginateOptions,
  Progress,
  Strategy,
} from './paginate/types.js';
export { parseRateLimit, type QuotaReport } from './quota/report.js';
export type { QuotaState, QuotaEvent, QuotaSource } from './types.js';
