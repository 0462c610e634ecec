import type Bottleneck from 'bottleneck';
import type { QuotaReport } from '../quota/report.js';
import { storeOf } from '../limit/bottleneck.js';
import { ledgerKeys } from './keys.js';
import { SCRIPTS } from './scripts.generated.js';

/**
 * The part of a Redis client used here: `evalsha(sha, numKeys, ...keysAndArgs, callback)` and `eval(script, …)`,
 * which ioredis and node-redis 3 (the two clients bottleneck drives) both take.
 */
export interface ScriptClient {
  eval(...args: unknown[]): unknown;
  evalsha?(...args: unknown[]): unknown;
}

type Script = (typeof SCRIPTS)[keyof typeof SCRIPTS];

/** A dispatch the ledger counted, by its entry among the fleet's unanswered requests ('' when not counted). */
export interface Grant {
  readonly entry: string;
  /** Set when this dispatch is the probe of a down fleet: the token its answer is reported with. */
  readonly probe?: string;
}

/**
 * What the ledger says to a process about to send: go (with a grant when the quota is counted), or wait
 * `waitMs` because the fleet is `paused` (a 429/503 named a delay), the window's quota is `spent` until
 * its reset, what remains is all taken by requests still unanswered (`in-flight`: ask again shortly), or the
 * quota `learned` from 429s is spent until its window ends.
 */
export type Admission =
  | { readonly go: true; readonly grant?: Grant }
  | { readonly go: false; readonly waitMs: number; readonly reason: (typeof REASONS)[number]; readonly ageMs?: number };

const REASONS = ['paused', 'spent', 'in-flight', 'learned', 'down'] as const;

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

  /** The probe schedule of the fleet's health (the first attach() of the limiter sets it). */
  probes: ProbeSchedule = { minProbeMs: 1000, maxProbeMs: 30_000, probeLeaseMs: 30_000 };

  constructor(client: ScriptClient, id: string) {
    this.client = client;
    this.keys = ledgerKeys(id);
  }

  /** The ledger of a Redis-backed limiter, or undefined when its client cannot run scripts. */
  static of(limiter: Bottleneck): FleetLedger | undefined {
    const client = storeOf(limiter)?.connection?.client as Partial<ScriptClient> | undefined;
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
    const args = [KEEP_MS, Math.ceil(expiration), RECHECK_MS, mode, blindCap, this.probes.probeLeaseMs];
    return this.run(SCRIPTS.take, args).then((reply) => {
      if (!Array.isArray(reply)) return undefined;
      if (reply[0] === 1) {
        const probe = reply[2] === undefined ? undefined : String(reply[2]);
        if (mode === 0 && probe === undefined) return { go: true };
        return { go: true, grant: { entry: mode === 0 ? '' : String(reply[1]), ...(probe !== undefined && { probe }) } };
      }
      const waitMs = Number(reply[1]);
      const reason = REASONS[Number(reply[2]) - 1];
      if (!Number.isFinite(waitMs) || !reason) return undefined;
      return { go: false, waitMs: Math.max(1, waitMs), reason, ...(reply[3] !== undefined && { ageMs: Number(reply[3]) }) };
    });
  }

  /**
   * This process found the API down: the fleet's outage starts, its first probe after `delayMs` — unless the
   * fleet knew already, when its schedule is returned (how long it has been down, and until its next probe).
   */
  down(delayMs: number, intervalMs: number): Promise<{ ageMs: number; untilNextMs: number } | undefined> {
    return this.run(SCRIPTS.down, [Math.ceil(delayMs), Math.ceil(intervalMs), this.probes.maxProbeMs, KEEP_MS]).then((reply) =>
      Array.isArray(reply) && reply[0] === 0 ? { ageMs: Number(reply[1]), untilNextMs: Number(reply[2]) } : undefined,
    );
  }

  /**
   * What an answer says of a down fleet's API (`u` up, `d` down, '' neither), and the probe token its grant
   * carried. Resolves true when it ended the fleet's outage (two successes in a row).
   */
  health(evidence: 'u' | 'd' | '', probe: string | undefined, jitter: number): Promise<boolean> {
    const args = [evidence, probe ?? '', jitter.toFixed(3), this.probes.minProbeMs, this.probes.maxProbeMs];
    return this.run(SCRIPTS.health, args).then((reply) => reply === 2);
  }

  /**
   * Marks a counted dispatch answered (or never sent) and keeps what its response reported, if anything; an
   * `answer` without rate-limit headers (its status, and a 429's Retry-After) teaches the fleet's learned quota;
   * `'unsent'`: the grant was given back before it was sent.
   * Without a grant (Redis did not answer when it was counted) only a report is worth sending. Fire and
   * forget: a lost call only makes the ledger more careful until the entry ages out.
   */
  done(grant: Grant | undefined, report?: QuotaReport, now: number = Date.now(), answer?: Answer | 'unsent'): void {
    if (!grant?.entry && !report) return;
    const args: (string | number)[] = [grant?.entry ?? ''];
    if (report) args.push('r', report.remaining, Math.max(0, Math.ceil(report.resetAt - now)));
    else if (answer === 'unsent') args.push('u');
    else if (grant && answer !== undefined) {
      if (answer.status === 429 && answer.retryAfterMs !== undefined) args.push('x', Math.ceil(answer.retryAfterMs));
      else if (answer.status < 400) args.push('s');
    }
    void this.run(SCRIPTS.done, args);
  }

  /**
   * Pauses every process of the fleet for `delayMs` (the pub/sub broadcast says it too). Resolves once Redis
   * stored it, or after a second without an answer; never rejects.
   */
  async pause(delayMs: number): Promise<void> {
    await this.run(SCRIPTS.pause, [Math.ceil(delayMs), KEEP_MS]);
  }

  /**
   * Runs a script by its SHA (the text crosses the network once per Redis, not per call); a Redis that does not
   * have it (a restart, SCRIPT FLUSH, another node) answers NOSCRIPT, and EVAL of the text runs and loads it.
   * undefined when Redis did not answer within ANSWER_MS.
   */
  private run(script: Script, args: (string | number)[]): Promise<unknown> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ANSWER_MS);
      const done = (err: Error | null, reply: unknown) => {
        clearTimeout(timer);
        resolve(err ? undefined : reply);
      };
      const byText = () => this.client.eval(script.lua, 2, ...this.keys, ...args, done);
      try {
        if (typeof this.client.evalsha !== 'function') return void byText();
        this.client.evalsha(script.sha, 2, ...this.keys, ...args, (err: Error | null, reply: unknown) =>
          err && /NOSCRIPT/.test(err.message) ? byText() : done(err, reply),
        );
      } catch {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  }
}
