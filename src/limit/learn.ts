// What responses teach the limiter: the pause a 429/503 names, the quota its headers state, and the fleet's
// ledger's verdicts. Each pause is counted and told (onPause) once.
import type { AxiosResponse } from 'axios';
import type { SteadyContext } from '../context.js';
import type { Grant } from './ledger.js';
import { parseRateLimit } from './ratelimit-headers.js';
import { serverDelay } from '../retry/server-delay.js';
import type { ServerDelay } from '../retry/retry-after.js';

const PAUSING = new Set([429, 503]);

/** The delay a 429/503 names (Retry-After); undefined for other responses. */
export function namedDelay(response: AxiosResponse | undefined): ServerDelay | undefined {
  return response && PAUSING.has(response.status) ? serverDelay(response.headers) : undefined;
}

/** Feeds a response's rate-limit headers (or its 429) to the limiter's quota tracker, and the fleet's ledger. */
export function learnQuota(
  ctx: SteadyContext,
  seq: number,
  response: AxiosResponse | undefined,
  named: ServerDelay | undefined,
  grant: Grant | undefined,
): void {
  const now = Date.now();
  const report = response && parseRateLimit(response.headers, now);
  const retryAfter = response?.status === 429 && !report ? named?.delayMs : undefined;
  ctx.state.ledger?.done(grant, report, now);
  if (!response) return;
  const changed = ctx.state.quota.observe(report, seq, response.status, retryAfter, now);
  if (!changed) return;
  ctx.state.gate.changed();
  ctx.onQuota?.(changed);
  const hold = ctx.state.quota.holdUntil(now);
  if (hold === undefined || hold <= ctx.quotaPausedUntil) return;
  ctx.quotaPausedUntil = hold;
  // A 429/503 with Retry-After pauses through pauseLimiter: counted and broadcast there, once.
  if (named !== undefined) return;
  // A new pause: the quota is spent until `hold`. Told like a Retry-After pause, and to the fleet.
  ctx.counters.pauses++;
  ctx.onPause?.(Object.freeze({ until: hold, delayMs: hold - now, status: response.status, source: `quota (${changed.source})` }));
  void ctx.state.broadcast?.(hold - now);
}

/** The fleet's ledger says its quota is spent for `delayMs`: this process pauses (each process hears it itself). */
export function fleetPause(ctx: SteadyContext, delayMs: number): void {
  const now = Date.now();
  const until = now + delayMs;
  ctx.state.gate.close(until);
  // Every job the ledger turns away says so, each with its own few ms of latency: one pause until it is over.
  const fresh = ctx.quotaPausedUntil < now;
  ctx.quotaPausedUntil = Math.max(ctx.quotaPausedUntil, until);
  if (!fresh) return;
  ctx.counters.pauses++;
  ctx.onPause?.(Object.freeze({ until, delayMs, source: 'quota (fleet)' }));
}

/**
 * A 429/503 named a delay: closes the limiter's gate until then, tells onPause once, and tells the fleet.
 * Resolves once the fleet has stored the pause (at once for a local limiter).
 */
export function pauseLimiter(ctx: SteadyContext, delayMs: number, status: number, source: string): Promise<void> | undefined {
  const until = Date.now() + delayMs;
  if (!ctx.state.gate.close(until)) return undefined;
  ctx.counters.pauses++;
  ctx.onPause?.(Object.freeze({ until, delayMs, status, source }));
  return ctx.state.broadcast?.(delayMs);
}
