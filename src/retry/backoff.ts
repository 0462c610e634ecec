import type { Jitter } from '../types.js';

/** Inputs of {@link backoffDelay}. */
export interface BackoffOptions {
  readonly baseDelay: number;
  readonly maxDelay: number;
  readonly jitter: Jitter;
  /** How the cap grows with each retry. Default `'exponential'`. */
  readonly family?: 'exponential' | 'linear' | 'fibonacci';
}

/** fib(1) = fib(2) = 1, fib(3) = 2… (kept in safe integers: past 78 the cap is maxDelay anyway). */
function fibonacci(n: number): number {
  let [a, b] = [0, 1];
  for (let i = 0; i < Math.min(n, 78); i++) [a, b] = [b, a + b];
  return a;
}

function growth(retry: number, family: BackoffOptions['family']): number {
  if (family === 'linear') return retry;
  if (family === 'fibonacci') return fibonacci(retry);
  // 2 ** 1100 is Infinity, which Math.min handles; clamp the exponent anyway to stay in safe integers.
  return 2 ** Math.min(retry - 1, 52);
}

/**
 * How long retry number `retry` (1 for the first retry) waits when the server named no delay:
 * exponential (or linear, or Fibonacci) growth from `baseDelay`, capped at `maxDelay`, then jittered. Full jitter (the default)
 * spreads simultaneous retries best (AWS Architecture Blog, "Exponential Backoff And Jitter").
 *
 * @example backoffDelay(3, { baseDelay: 300, maxDelay: 20_000, jitter: 'none' }) // 1200
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number = Math.random): number {
  const cap = Math.min(options.maxDelay, options.baseDelay * growth(retry, options.family));
  switch (options.jitter) {
    case 'none':
      return cap;
    case 'equal':
      return Math.floor(cap / 2 + random() * (cap / 2));
    case 'full':
      return Math.floor(random() * cap);
  }
}
