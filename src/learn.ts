// What responses teach the limiter: the pause a 429/503 names, the quota its headers state, and the fleet's
// ledger's verdicts. Each pause is counted and told (onPause) once.
import type { AxiosResponse } from 'axios';
import type { SteadyContext } from './context.js';
import type { Grant } from './fleet/ledger.js';
import type { Ticket } from './quota/tracker.js';
import { parseRateLimit } from './quota/headers.js';
import { serverDelay } from './retry/server-delay.js';
import type { ServerDelay } from './retry/retry-after.js';

const PAUSING = new Set([429, 503]);

/** The delay a 429/503 names (Retry-After); undefined for other responses. */
export function namedDelay(response: AxiosResponse | undefined): ServerDelay | undefined {
  return response && PAUSING.has(response.status) ? serverDelay(response.headers) : undefined;
}

/**
 * An attempt ended (with a response, or without: reset, timeout, cancel): the quota tracker settles its
 * ticket — always, so no probe or count outlives its attempt — and learns from the rate-limit headers or the
 * 429; the fleet's ledger hears it too. Runs before the attempt gives its limiter slot back.
 */
export function settleAttempt(
  ctx: SteadyContext,
  ticket: Ticket | undefined,
  response: AxiosResponse | undefined,
  named: ServerDelay | undefined,
  grant: Grant | undefined,
): void {
  const now = Date.now();
  const report = response && parseRateLimit(response.headers, now);
  const retryAfterMs = response && response.status === 429 && !report ? named?.delayMs : undefined;
  const ledger = ctx.state.ledger;
  ledger?.done(grant, report, now, response && { status: response.status, retryAfterMs });
  if (ticket === undefined) return;
  const quota = ctx.state.quota;
  // In a fleet, 429s without headers teach the ledger, which counts every process' dispatches; a process
  // learning from its own share too would hold back twice.
  const outcome = response && { status: response.status, report, retryAfterMs: ledger ? undefined : retryAfterMs };
  const changed = quota.settle(ticket, outcome, now);
  if (!quota.engaged) return;
  // A settled probe (or a changed report) may let waiters go: wake them to check again.
  ctx.state.gate.changed();
  if (changed) ctx.onQuota?.(changed);
  // A 429/503 with Retry-After pauses through pauseLimiter: counted and broadcast there, once.
  if (named === undefined) notePause(ctx, now, response?.status);
}

/** Starts an attempt's ticket with the quota tracker (`quota: false`: none). */
export function takeTicket(ctx: SteadyContext): Ticket | undefined {
  if (!ctx.learnQuota) return undefined;
  const quota = ctx.state.quota;
  const ticket = quota.take();
  // This send may have spent what the quota allows (the learned one is spent by sends, not answers).
  if (quota.engaged) notePause(ctx, Date.now(), undefined);
  return ticket;
}

/** Tells onPause (once per pause) when the quota is spent until a window resets. */
function notePause(ctx: SteadyContext, now: number, status: number | undefined): void {
  const until = ctx.state.quota.spentUntil(now);
  if (until === undefined || until <= ctx.quotaPausedUntil) return;
  ctx.quotaPausedUntil = until;
  const source = `quota (${ctx.state.quota.state(now)?.source ?? 'learned'})`;
  ctx.counters.pauses++;
  ctx.onPause?.(Object.freeze({ until, delayMs: until - now, ...(status !== undefined && { status }), source }));
  void ctx.state.broadcast?.(until - now);
}

/**
 * The fleet's ledger says its quota is spent for `delayMs`: this process pauses (each process hears it itself),
 * told once per pause. With `closeGate` false (a window learned from 429s) the gate stays open: each request
 * the ledger turns away waits itself (see fleet/admission.ts), while those already counted go.
 */
export function fleetPause(ctx: SteadyContext, delayMs: number, closeGate = true): void {
  const now = Date.now();
  const until = now + delayMs;
  if (closeGate) ctx.state.gate.close(until);
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
  const now = Date.now();
  const until = now + delayMs;
  // Siblings answered 429 by the same event extend the pause; only the first is a new one worth telling.
  const fresh = !ctx.state.gate.paused(now);
  if (!ctx.state.gate.close(until)) return undefined;
  if (fresh) {
    ctx.counters.pauses++;
    ctx.onPause?.(Object.freeze({ until, delayMs, status, source }));
  }
  return ctx.state.broadcast?.(delayMs);
}
