// What the ledger says to a process (its grants and refusals), what it is told (limits, answers), and how a
// script's reply becomes one.

/** A dispatch the ledger counted, by its entry among the fleet's unanswered requests ('' when not counted). */
export interface Grant {
  readonly entry: string;
  /** Set when this dispatch is the probe of a down fleet: the token its answer is reported with. */
  readonly probe?: string;
  /** How long until the start the fleet reserved for it (its minTime spacing); 0 or absent: at once. */
  readonly delayMs?: number;
}

/**
 * What the ledger says to a process about to send: go (with a grant when the quota is counted), or wait
 * `waitMs` because the fleet is `paused` (a 429/503 named a delay), the window's quota is `spent` until
 * its reset, what remains is all taken by requests still unanswered (`in-flight`: until woken), the quota
 * `learned` from 429s is spent until its window ends, the API is `down`, or the fleet's minTime `spaced` it.
 * `listed`: this process is on the fleet's wait list and is woken (over pub/sub) when room frees; `designated`:
 * it is the one process that asks again when a spent window ends (the rest are woken after it).
 */
export type Admission =
  | { readonly go: true; readonly grant?: Grant }
  | {
      readonly go: false;
      readonly waitMs: number;
      readonly reason: (typeof REASONS)[number];
      readonly ageMs?: number;
      readonly listed?: boolean;
      readonly designated?: boolean;
    };

const REASONS = ['paused', 'spent', 'in-flight', 'learned', 'down', 'spaced'] as const;

/** What the fleet enforces for a request (read from its limiter for every ask, so `updateSettings()` applies). */
export interface FleetLimits {
  /** Counted against the fleet's quota (true), or for concurrency and spacing only (`quota: false`). */
  readonly quota: boolean;
  /** How many may be unanswered while nothing is known. */
  readonly blindCap: number;
  /** A count lapses after this (the job's expiration). */
  readonly expiration: number;
  /** The fleet's maxConcurrent (0: none) and minTime (ms). */
  readonly maxConcurrent: number;
  readonly minTime: number;
}

/** The probe schedule the fleet's health runs on (see control/health.ts). */
export interface ProbeSchedule {
  readonly minProbeMs: number;
  readonly maxProbeMs: number;
  readonly probeLeaseMs: number;
}

/** How a counted dispatch was answered, for the quota learned from 429s (an API without rate-limit headers). */
export interface Answer {
  readonly status: number;
  /** A 429's Retry-After, in ms. */
  readonly retryAfterMs?: number | undefined;
}

/** TAKE's and DONE's reply (see lua/wake.lua's take()): grants, then the refusal of the rest, if any. */
export type Reply = [got: number, grants: unknown[], token: string, waitMs: number, reason: number, ageMs: number, designated: number];

/** TAKE's and DONE's reply, or undefined when it is not one (Redis away, an error). */
export function parseReply(reply: unknown): Reply | undefined {
  if (!Array.isArray(reply) || reply.length < 7 || !Array.isArray(reply[1])) return undefined;
  const [got, grants, token, waitMs, reason, ageMs, designated] = reply as unknown[];
  return [Number(got), grants as unknown[], token ? String(token) : '', Number(waitMs), Number(reason), Number(ageMs), Number(designated)];
}

/** A refusal; `listening`: the process asked with its name, so a refusal for want of room listed it. */
export function refusal(r: Reply, listening: boolean): Extract<Admission, { go: false }> | undefined {
  const reason = REASONS[r[4] - 1];
  if (!Number.isFinite(r[3]) || !reason) return undefined;
  const listed = listening && (reason === 'in-flight' || ((reason === 'spent' || reason === 'learned') && r[6] !== 1));
  return {
    go: false,
    waitMs: Math.max(1, r[3]),
    reason,
    ...(reason === 'down' && { ageMs: r[5] }),
    ...(listed && { listed: true }),
    ...(r[6] === 1 && { designated: true }),
  };
}
