import type Bottleneck from 'bottleneck';
import type { QuotaReport } from '../quota/headers.js';
import { PROBE_MS } from '../quota/tracker.js';
import { LEARNED_DONE, LEARNED_TAKE } from './learned.js';

/**
 * The part of a Redis client used here: `eval(script, numKeys, ...keysAndArgs, callback)`, which ioredis and
 * node-redis 3 (the two clients bottleneck drives) both take.
 */
export interface ScriptClient {
  eval(...args: unknown[]): unknown;
}

/** A dispatch the ledger counted, by its entry among the fleet's unanswered requests. */
export interface Grant {
  readonly entry: string;
}

/**
 * What the ledger says to a process about to send: go (with a grant when the quota is counted), or wait
 * `waitMs` because the fleet is `paused` (a 429/503 named a delay), the window's quota is `spent` until
 * its reset, what remains is all taken by requests still unanswered (`in-flight`: ask again shortly), or the
 * quota `learned` from 429s is spent until its window ends.
 */
export type Admission =
  | { readonly go: true; readonly grant?: Grant }
  | { readonly go: false; readonly waitMs: number; readonly reason: (typeof REASONS)[number] };

const REASONS = ['paused', 'spent', 'in-flight', 'learned'] as const;

/** How a counted dispatch was answered, for the quota learned from 429s (an API without rate-limit headers). */
export interface Answer {
  readonly status: number;
  /** A 429's Retry-After, in ms. */
  readonly retryAfterMs?: number | undefined;
}

// Two keys per limiter id, in one Redis Cluster slot (the {id} hashtag):
// - a hash: pause = the fleet's pause end; n = dispatches counted (for unique entries); rem, reset = the
//   window's freshest report. Times are Redis time (ms): it is the one clock every process shares, so ends
//   are stored in it and waits returned as delays.
// - a sorted set of the dispatches not yet answered (member "n:expiresAt", scored by when it expires).
const NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n";

// While the fleet is paused, nobody goes. With ARGV[4] = 0 (a check) that is all. With ARGV[4] = 1 (a
// dispatch counted): grants while the reported remaining exceeds the fleet's unanswered requests — any of
// those may not have reached the API when it reported (requests leave different processes in another order
// than they were counted), so all of them are charged. Once the reported window's reset passed, one probe
// goes first (field rp: its grant number, rpAt: when), and its report says what came back, as QuotaTracker
// does for one process; a probe unanswered after PROBE_MS lets the next grant probe. Knowing nothing, grants
// while fewer than ARGV[5] are unanswered (the limiter's maxConcurrent: what counting at send time would
// allow), and within what the fleet learned from 429s (fleet/learned.ts). An entry expires ARGV[2] ms after
// it was counted (the job's expiration: its process died, or its answer got lost).
const TAKE = `${NOW}
local q = redis.call('HMGET', KEYS[1], 'pause', 'n', 'rem', 'reset', 'rp', 'rpAt')
local pause = tonumber(q[1])
if pause and now < pause then return {0, pause - now, 1} end
if ARGV[4] ~= '1' then return {1} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local n, rem, reset = tonumber(q[2]) or 0, tonumber(q[3]), tonumber(q[4])
if reset and now < reset then
  if rem - redis.call('ZCARD', KEYS[2]) <= 0 then
    if rem <= 0 then return {0, reset - now, 2} end
    return {0, math.min(reset - now, tonumber(ARGV[3])), 3}
  end
elseif reset then
  if q[5] and now - tonumber(q[6]) < ${PROBE_MS} then return {0, tonumber(ARGV[3]), 3} end
  redis.call('HSET', KEYS[1], 'rp', n, 'rpAt', now)
else
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then return {0, tonumber(ARGV[3]), 3} end
  ${LEARNED_TAKE}
end
local expires = now + tonumber(ARGV[2])
local entry = n .. ':' .. expires
redis.call('HSET', KEYS[1], 'n', n + 1)
redis.call('ZADD', KEYS[2], expires, entry)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return {1, entry}`;

// Marks a dispatch answered; an answer without rate-limit headers teaches the learned quota (ARGV[2] 'x': a
// 429 naming ARGV[3] ms, 's': a success, 'u': given back unsent, none: no answer; see fleet/learned.ts). The
// probe after a reset, answered, lets the rest go; answered with success but no report, the API stopped
// reporting, and the window is dropped. With a report (ARGV[2] = 'r', ARGV[3] remaining, ARGV[4] ms to
// reset), keeps it when fresher. Within one window the API's remaining only falls, so the lowest remaining is
// the freshest news (answers arrive in any order); a reset more than a second later is a new window, one more
// than a second earlier is old news. Resets come rounded up to whole seconds, each from its own moment, so two
// reports of one window differ by under a second and the earlier reset is the tighter bound (never before the
// real one; and if it were, the probe after it finds out).
const DONE = `${NOW}
redis.call('ZREM', KEYS[2], ARGV[1])
local g = tonumber(string.match(ARGV[1], '^(%d+):'))
if g and g == tonumber(redis.call('HGET', KEYS[1], 'rp')) then
  redis.call('HDEL', KEYS[1], 'rp', 'rpAt')
  if ARGV[2] == 's' then redis.call('HDEL', KEYS[1], 'rem', 'reset') end
end
if g and ARGV[2] ~= 'r' then
  ${LEARNED_DONE}
end
if ARGV[2] ~= 'r' then return 0 end
local rem, resetAt = tonumber(ARGV[3]), now + tonumber(ARGV[4])
if resetAt <= now then return 0 end
local q = redis.call('HMGET', KEYS[1], 'rem', 'reset')
local known, reset = tonumber(q[1]), tonumber(q[2])
if reset and now < reset then
  if resetAt <= reset - 1000 then return 0 end
  if resetAt < reset + 1000 then
    if known <= rem then
      if resetAt >= reset then return 0 end
      rem = known
    end
    resetAt = math.min(resetAt, reset)
  end
end
redis.call('HSET', KEYS[1], 'rem', rem, 'reset', resetAt)
return 1`;

// Pauses the fleet for ARGV[1] ms (a shorter pause never shortens a longer one).
const PAUSE = `${NOW}
local stop = now + tonumber(ARGV[1])
if stop > (tonumber(redis.call('HGET', KEYS[1], 'pause')) or 0) then redis.call('HSET', KEYS[1], 'pause', stop) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** How long the ledger outlives the last dispatch: far longer than any window worth pacing. */
const KEEP_MS = 24 * 3600 * 1000;
/** How soon to ask again when what remains is all taken by unanswered requests. */
const RECHECK_MS = 50;
/** A ledger that does not answer within this is skipped for that dispatch (the limiter itself still holds). */
const ANSWER_MS = 1000;

/**
 * What a fleet shares beyond bottleneck's limits, kept in the Redis of its limiter: the pause (so a process
 * that was not listening when a 429 was broadcast still waits) and the learned quota — every process counts
 * its dispatches there and stores what the API reports, so what remains is charged with the whole fleet's
 * unanswered requests, not one process'. Checking and counting are one Lua script per dispatch, so two
 * processes cannot both take the last token.
 *
 * Fails open: when Redis does not answer (restarting, keys lost), the dispatch goes uncounted and each
 * process' own pause gate and QuotaTracker still hold it to what that process saw; the next report
 * rebuilds the ledger.
 */
export class FleetLedger {
  private readonly client: ScriptClient;
  private readonly keys: readonly [string, string];
  private checking: Promise<Admission | undefined> | undefined;

  constructor(client: ScriptClient, id: string) {
    this.client = client;
    this.keys = [`axios-steady:{${id}}:fleet`, `axios-steady:{${id}}:unanswered`];
  }

  /** The ledger of a Redis-backed limiter, or undefined when its client cannot run scripts. */
  static of(limiter: Bottleneck): FleetLedger | undefined {
    const client = (limiter as unknown as { _store?: { connection?: { client?: Partial<ScriptClient> } } })._store?.connection?.client;
    return typeof client?.eval === 'function' ? new FleetLedger(client as ScriptClient, limiter.id) : undefined;
  }

  /**
   * May a request go, or is the fleet paused? Counts nothing. Requests asking together share one round trip
   * (25 at once cost one script run, not 25); `fresh` asks anew, for a job granted its slot, whose answer
   * must not predate the grant.
   */
  check(fresh = false): Promise<Admission | undefined> {
    if (fresh) return this.ask(0);
    this.checking ??= this.ask(0).finally(() => (this.checking = undefined));
    return this.checking;
  }

  /**
   * Before a request queues for the limiter: counts it against the fleet's quota (it stays counted until
   * answered, or for `expiration` ms), or says how long to wait. `blindCap`: how many may be unanswered
   * while nothing is known.
   */
  take(blindCap: number, expiration: number): Promise<Admission | undefined> {
    return this.ask(1, blindCap, expiration);
  }

  /** undefined when Redis did not answer. */
  private ask(mode: 0 | 1, blindCap = 0, expiration = 0): Promise<Admission | undefined> {
    return this.run(TAKE, [KEEP_MS, Math.ceil(expiration), RECHECK_MS, mode, blindCap]).then((reply) => {
      if (!Array.isArray(reply)) return undefined;
      if (reply[0] === 1) return mode === 0 ? { go: true } : { go: true, grant: { entry: String(reply[1]) } };
      const waitMs = Number(reply[1]);
      const reason = REASONS[Number(reply[2]) - 1];
      return Number.isFinite(waitMs) && reason ? { go: false, waitMs: Math.max(1, waitMs), reason } : undefined;
    });
  }

  /**
   * Marks a counted dispatch answered (or never sent) and keeps what its response reported, if anything; an
   * `answer` without rate-limit headers (its status, and a 429's Retry-After) teaches the fleet's learned quota;
   * `'unsent'`: the grant was given back before it was sent.
   * Without a grant (Redis did not answer when it was counted) only a report is worth sending. Fire and
   * forget: a lost call only makes the ledger more careful until the entry ages out.
   */
  done(grant: Grant | undefined, report?: QuotaReport, now: number = Date.now(), answer?: Answer | 'unsent'): void {
    if (!grant && !report) return;
    const args: (string | number)[] = [grant?.entry ?? ''];
    if (report) args.push('r', report.remaining, Math.max(0, Math.ceil(report.resetAt - now)));
    else if (answer === 'unsent') args.push('u');
    else if (grant && answer !== undefined) {
      if (answer.status === 429 && answer.retryAfterMs !== undefined) args.push('x', Math.ceil(answer.retryAfterMs));
      else if (answer.status < 400) args.push('s');
    }
    void this.run(DONE, args);
  }

  /**
   * Pauses every process of the fleet for `delayMs` (the pub/sub broadcast says it too). Resolves once Redis
   * stored it, or after a second without an answer; never rejects.
   */
  async pause(delayMs: number): Promise<void> {
    await this.run(PAUSE, [Math.ceil(delayMs), KEEP_MS]);
  }

  private run(script: string, args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ANSWER_MS);
      try {
        this.client.eval(script, 2, ...this.keys, ...args, (err: Error | null, reply: unknown) => {
          clearTimeout(timer);
          resolve(err ? undefined : reply);
        });
      } catch {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  }
}
