import type Bottleneck from 'bottleneck';
import type { QuotaReport } from './ratelimit-headers.js';

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
 * its reset, or what remains is all taken by requests still unanswered (`in-flight`: ask again shortly).
 */
export type Admission =
  | { readonly go: true; readonly grant?: Grant; readonly counting?: boolean }
  | { readonly go: false; readonly waitMs: number; readonly reason: 'paused' | 'spent' | 'in-flight' };

const REASONS = ['paused', 'spent', 'in-flight'] as const;

/** What a response told: its rate-limit report, or its status and (for a 429) the Retry-After in ms. */
export interface LedgerAnswer {
  readonly report: QuotaReport | undefined;
  readonly status: number;
  readonly retryAfterMs: number | undefined;
}

// Two keys per limiter id, in one Redis Cluster slot (the {id} hashtag):
// - a hash: pause = the fleet's pause end; n = dispatches counted (for unique entries); rem, reset = the
//   window's freshest report; ws, win, lim, used, ok = a window learned from 429s when the API sends no
//   rate-limit headers. Times are Redis time (ms): it is the one clock every process shares, so ends are
//   stored in it and waits returned as delays.
// - a sorted set of the dispatches not yet answered (member "n:takenAt").
const NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n";

// The learned window (as the per-process QuotaTracker learns it): a 429 + Retry-After ends a window, the
// successes in it are its size and the time since the previous window's end its length. Rolled forward here.
const LEARNED = `
local function learned()
  local h = redis.call('HMGET', KEYS[1], 'ws', 'win', 'lim', 'used', 'ok')
  local w = { ws = tonumber(h[1]), win = tonumber(h[2]), lim = tonumber(h[3]), used = tonumber(h[4]) or 0, ok = tonumber(h[5]) or 0 }
  if w.ws and w.win and now >= w.ws + w.win then
    w.ws = w.ws + math.floor((now - w.ws) / w.win) * w.win
    w.used, w.ok = 0, 0
    redis.call('HSET', KEYS[1], 'ws', w.ws, 'used', 0, 'ok', 0)
  end
  return w
end
`;

// While the fleet is paused, nobody goes. With ARGV[4] = 0 (a check), that is all, plus whether the fleet
// has learned a quota (then dispatches are counted). With ARGV[4] = 1 (a dispatch counted): grants while the reported
// remaining exceeds the fleet's unanswered requests — any of those may not have reached the API when it
// reported (requests leave different processes in another order than they were counted), so all of them
// are charged. Without a report, grants up to a learned window's size. Unanswered entries older than
// ARGV[2] ms are dropped first (their process died, or their answer got lost).
const TAKE = `${NOW}${LEARNED}
local q = redis.call('HMGET', KEYS[1], 'pause', 'n', 'rem', 'reset', 'ws')
local pause = tonumber(q[1])
if pause and now < pause then return {0, pause - now, 1} end
if ARGV[4] ~= '1' then return {1, (q[4] or q[5]) and 1 or 0} end
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, 9)) do
  if now - tonumber(string.match(m, ':(%d+)$')) > tonumber(ARGV[2]) then redis.call('ZREM', KEYS[2], m) end
end
local n, rem, reset = tonumber(q[2]) or 0, tonumber(q[3]), tonumber(q[4])
if reset and now < reset then
  if rem - redis.call('ZCARD', KEYS[2]) <= 0 then
    if rem <= 0 then return {0, reset - now, 2} end
    return {0, math.min(reset - now, tonumber(ARGV[3])), 3}
  end
else
  local w = learned()
  if w.lim and w.win and now >= w.ws then
    if w.used >= w.lim then return {0, w.ws + w.win - now, 2} end
    redis.call('HINCRBY', KEYS[1], 'used', 1)
  end
end
local entry = n .. ':' .. now
redis.call('HSET', KEYS[1], 'n', n + 1)
redis.call('ZADD', KEYS[2], n, entry)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return {1, entry}`;

// Marks a dispatch answered, and learns from its answer (ARGV[2]):
// - 'r' a report (ARGV[3] remaining, ARGV[4] ms to reset), kept when fresher. Within one window the API's
//   remaining only falls, so the lowest remaining is the freshest news (answers arrive in any order); a reset
//   more than a second later is a new window, one more than a second earlier is old news. Resets come in
//   whole seconds, so within a second two reports may be of two windows: the later reset is kept.
// - 'ok' an answer without rate-limit headers, counted in the learned window; '429' with ARGV[3] = its
//   Retry-After in ms, which ends the learned window.
const DONE = `${NOW}${LEARNED}
redis.call('ZREM', KEYS[2], ARGV[1])
local kind = ARGV[2]
if kind == 'ok' then
  local w = learned()
  if w.ws and now >= w.ws then redis.call('HINCRBY', KEYS[1], 'ok', 1) end
  return 0
end
if kind == '429' then
  local w = learned()
  if w.ws and now < w.ws then return 0 end
  local stop = now + tonumber(ARGV[3])
  if w.ws and w.ok > 0 then redis.call('HSET', KEYS[1], 'lim', w.ok, 'win', stop - w.ws) end
  redis.call('HSET', KEYS[1], 'ws', stop, 'used', 0, 'ok', 0)
  return 1
end
if kind ~= 'r' then return 0 end
local rem, resetAt = tonumber(ARGV[3]), now + tonumber(ARGV[4])
local q = redis.call('HMGET', KEYS[1], 'rem', 'reset')
local known, reset = tonumber(q[1]), tonumber(q[2])
if reset and now < reset then
  if resetAt < reset - 1000 then return 0 end
  if resetAt <= reset + 1000 then
    if known <= rem then return 0 end
    resetAt = math.max(resetAt, reset)
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
/** An unanswered dispatch older than this no longer makes reports more careful (its process probably died). */
const UNANSWERED_MS = 60_000;
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
  readonly #client: ScriptClient;
  readonly #keys: readonly [string, string];
  /**
   * Whether the fleet has learned a quota, as far as this process knows: a check() said so, or this process
   * reported one. From then on attempts take() a token right before they are sent. It never goes back.
   */
  counting = false;
  #checking: Promise<Admission | undefined> | undefined;

  constructor(client: ScriptClient, id: string) {
    this.#client = client;
    this.#keys = [`axios-steady:{${id}}:fleet`, `axios-steady:{${id}}:unanswered`];
  }

  /** The ledger of a Redis-backed limiter, or undefined when its client cannot run scripts. */
  static of(limiter: Bottleneck): FleetLedger | undefined {
    const client = (limiter as unknown as { _store?: { connection?: { client?: Partial<ScriptClient> } } })._store?.connection?.client;
    return typeof client?.eval === 'function' ? new FleetLedger(client as ScriptClient, limiter.id) : undefined;
  }

  /**
   * Before a request queues for the limiter: may it go (not paused)? `counting` tells whether the fleet has
   * learned a quota, so the request must `take()` a token right before it is sent.
   */
  check(): Promise<Admission | undefined> {
    // Requests asking together share one round trip: 25 requests at once cost one script run, not 25.
    this.#checking ??= this.#ask(0).finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  /** Right before a request is sent: counts it against the fleet's quota, or says how long to wait. */
  take(): Promise<Admission | undefined> {
    return this.#ask(1);
  }

  /** undefined when Redis did not answer. */
  #ask(mode: 0 | 1): Promise<Admission | undefined> {
    return this.#run(TAKE, [KEEP_MS, UNANSWERED_MS, RECHECK_MS, mode]).then((reply) => {
      if (!Array.isArray(reply)) return undefined;
      if (reply[0] === 1 && mode === 0) this.counting ||= reply[1] === 1;
      if (reply[0] === 1) return mode === 0 ? { go: true, counting: this.counting } : { go: true, grant: { entry: String(reply[1]) } };
      const waitMs = Number(reply[1]);
      const reason = REASONS[Number(reply[2]) - 1];
      return Number.isFinite(waitMs) && reason ? { go: false, waitMs: Math.max(1, waitMs), reason } : undefined;
    });
  }

  /**
   * Marks a dispatch answered (or never sent: no `answer`) and learns from its response: the rate-limit
   * report, or else the status and a 429's Retry-After. Without a grant (the dispatch was not counted: the
   * fleet had not learned a quota yet) only what teaches something is sent. Fire and forget: a lost call
   * only makes the ledger more careful until the entry ages out.
   */
  done(grant: Grant | undefined, answer?: LedgerAnswer, now: number = Date.now()): void {
    const teaches = answer?.report !== undefined || answer?.retryAfterMs !== undefined;
    if (!grant && !teaches && !(this.counting && answer)) return;
    if (teaches) this.counting = true;
    const args: (string | number)[] = [grant?.entry ?? ''];
    if (answer?.report) args.push('r', answer.report.remaining, Math.max(0, Math.ceil(answer.report.resetAt - now)));
    else if (answer?.status === 429) {
      if (answer.retryAfterMs !== undefined) args.push('429', Math.ceil(answer.retryAfterMs));
    } else if (answer) args.push('ok');
    void this.#run(DONE, args);
  }

  /** Pauses every process of the fleet for `delayMs` (fire and forget; the pub/sub broadcast says it too). */
  pause(delayMs: number): void {
    void this.#run(PAUSE, [Math.ceil(delayMs), KEEP_MS]);
  }

  #run(script: string, args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ANSWER_MS);
      try {
        this.#client.eval(script, 2, ...this.#keys, ...args, (err: Error | null, reply: unknown) => {
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
