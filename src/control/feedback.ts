// What each attempt's end feeds back to its limiter's control: the quota ticket settled (always, so no probe or
// count outlives its attempt), the rate-limit headers learned, the fleet's ledger told, and a quota pause
// declared. A pause a 429/503 names is declared by the attempt itself first (see Pauses' contract).
import type { AxiosResponse } from 'axios';
import type { Grant } from '../fleet/verdict.js';
import { parseRateLimit } from '../quota/report.js';
import type { QuotaEvent, Ticket } from '../quota/tracker.js';
import { healthEvidence } from '../retry/policy.js';
import { serverDelay, type ServerDelay } from '../retry/retry-after.js';
import type { LimiterControl } from './state.js';

const PAUSING = new Set([429, 503]);

/** The delay a 429/503 names (Retry-After); undefined for other responses. */
export function namedDelay(response: AxiosResponse | undefined): ServerDelay | undefined {
  return response && PAUSING.has(response.status) ? serverDelay(response.headers) : undefined;
}

/** Starts an attempt's ticket with the quota tracker (`learn` false, for `quota: false`: none). */
export function takeTicket(control: LimiterControl, learn: boolean, now: number = Date.now()): Ticket | undefined {
  if (!learn) return undefined;
  const { quota } = control;
  const ticket = quota.take(now);
  // This send may have spent what the quota allows (the learned one is spent by sends, not answers).
  if (quota.engaged) quotaPause(control, now, undefined);
  return ticket;
}

/**
 * An attempt of `request` ended (with a response, or without: reset, timeout, cancel; `error` when it failed):
 * the quota tracker settles its ticket and learns from the rate-limit headers or the 429; the API's health hears
 * what it says; the fleet's ledger hears both. Runs before the attempt gives its limiter slot back. `onQuota`:
 * told when what is known about the quota changed.
 */
export function settleAttempt(
  control: LimiterControl,
  request: object,
  ticket: Ticket | undefined,
  response: AxiosResponse | undefined,
  error: unknown,
  named: ServerDelay | undefined,
  grant: Grant | undefined,
  onQuota: ((event: QuotaEvent) => void) | undefined,
  now: number = Date.now(),
): void {
  health(control, request, error, grant);
  const report = response && parseRateLimit(response.headers, now);
  const retryAfterMs = response && response.status === 429 && !report ? named?.delayMs : undefined;
  const { ledger, quota } = control;
  ledger?.done(grant, report, now, response && { status: response.status, retryAfterMs });
  if (ticket === undefined) return;
  // In a fleet, 429s without headers teach the ledger, which counts every process' dispatches; a process
  // learning from its own share too would hold back twice.
  const outcome = response && { status: response.status, report, retryAfterMs: ledger ? undefined : retryAfterMs };
  const changed = quota.settle(ticket, outcome, now);
  if (!quota.engaged) return;
  // A settled probe (or a changed report) may let waiters go: wake them to check again.
  control.gate.changed();
  if (changed) onQuota?.(changed);
  // A 429/503 with Retry-After was declared by the attempt (Pauses.named); the quota's own pause is this one.
  if (named === undefined) quotaPause(control, now, response?.status);
}

/** Declares the quota's pause when it is spent until a window resets (told once per reset by Pauses). */
function quotaPause(control: LimiterControl, now: number, status: number | undefined): void {
  const until = control.quota.spentUntil(now);
  if (until === undefined) return;
  control.pauses.quotaSpent(until, () => `quota (${control.quota.state(now)?.source ?? 'learned'})`, status, control.ledger !== undefined);
}

/**
 * What the attempt says of the API's health, to this limiter's gate — and, while the fleet's API is down (or for
 * the fleet's probe), to the ledger, whose two successes in a row end the outage for every process.
 */
function health(control: LimiterControl, request: object, error: unknown, grant: Grant | undefined): void {
  const { health: gate } = control.pauses;
  const evidence = error === undefined ? 'up' : healthEvidence(error);
  const known = gate.up;
  gate.ended(request, evidence, error);
  const { ledger, voice } = control;
  if (!ledger || (known && grant?.probe === undefined) || evidence === 'none') return;
  void ledger.health(evidence === 'up' ? 'u' : 'd', grant?.probe, 0.8 + 0.4 * Math.random()).then((healed) => {
    if (!healed) return;
    gate.heardUp();
    voice?.up();
  });
}
