import type { Jitter } from '../types.js';

/** Inputs of {@link backoffDelay}. */
export interface BackoffOptions {
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly jitter: Jitter;
}

/**
 * How long retry number `retry` (1 for the first retry) waits when the server named no delay:
 * exponential growth from `baseDelay`, capped at `maxDelay`, then jittered. Full jitter (the default)
 * spreads simultaneous retries best (AWS Architecture Blog, "Exponential Backoff And Jitter").
 *
 * @example backoffDelay(3, { baseDelay: 300, maxDelay: 20_000, jitter: 'none' }) // 1200
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  // 2 ** 1100 is Infinity, which Math.min handles; clamp the exponent anyway to stay in safe integers.
  const cap = Math.min(options.maxDelay, options.baseDelay * 2 ** Math.min(retry - 1, 52));
  switch (options.jitter) {
    case 'none':
      return cap;
    case 'equal':
      return Math.floor(cap / 2 + random() * (cap / 2));
    case 'full':
      return Math.floor(random() * cap);
  }
}
