import type { HealthOptions, HealthState } from '../types.js';
import { checkKeys, durationOption, invalid, isPlainObject } from '../util/validate.js';

/** What an attempt's end says of the API's health. */
export type Evidence = 'up' | 'down' | 'none';

/** The smallest and largest run of failures that can say "down" (see `Health.needed`). */
const MIN_RUN = 4;
const MAX_RUN = 16;
/** How unlikely a run that trips must be for the API as it behaved before the run: 1 in 100,000. */
const LOG_EPSILON = Math.log(1e-5);
/** The failure share assumed before anything is known, and the EWMA's weight of one outcome. */
const PRIOR = 0.05;
const ALPHA = 1 / 50;
/** Probes that must succeed in a row before requests flow again. */
const RECOVERY = 2;

/** The probe schedule: the first after `minProbeMs`, then twice as long each time (±20 %), up to `maxProbeMs`. */
export interface ProbePolicy {
  readonly minProbeMs: number;
  readonly maxProbeMs: number;
  /** How long a probe may go unanswered before the next may go (it may hang without a timeout of its own). */
  readonly probeLeaseMs: number;
}

/**
 * The API's health as one limiter sees it: a state of its pause owner (control/pauses.ts). It goes **down** on
 * evidence that the API is down — a run of failures (connection refused or reset, timeouts, 5xx and 408
 * without Retry-After) with no success between them, long enough to be unlikely for this API as it behaved
 * before (a healthy API trips on 4 failures from 2 requests; one failing 26 % of the time needs 9), never on
 * 429s or 4xx, which show it alive. While down, one attempt at a time goes through as a **probe**, once per
 * interval (1 s growing to 30 s); the others wait, or fail at once (patience 0). After RECOVERY probes succeed
 * in a row, it is **up** again. No state can hold the gate with nothing to learn: a probe that is never
 * answered lets the next one go after its lease.
 */
export class Health {
  private state: HealthState['state'] = 'up';
  /** `health: false`: it never goes down. */
  private off = false;
  private configured = false;
  /** The failure share before the current run of failures (EWMA). */
  private share = PRIOR;
  private shareBefore = PRIOR;
  private run = 0;
  private readonly runRequests = new Set<object>();
  private since = 0;
  private probes = 0;
  private intervalMs: number;
  private nextProbeAt = 0;
  /** The probe in flight, and until when it holds the others back. */
  private probe: object | undefined;
  private probeUntil = 0;
  private streak = 0;
  private outages = 0;
  /** When this limiter last saw the API come back (0: never down). */
  private upAt = 0;
  private lastError: unknown;
  private readonly listeners = new Set<(state: HealthState) => void>();
  private readonly trips = new Set<(firstProbeMs: number, intervalMs: number) => void>();
  /**
   * For a Redis-backed limiter the fleet's ledger grants the probes (one for the whole fleet): the gate then
   * holds requests only until the next probe time as last heard, and admission asks the ledger who probes.
   */
  shared = false;

  constructor(
    private policy: ProbePolicy,
    private readonly random: () => number = Math.random,
  ) {
    this.intervalMs = policy.minProbeMs;
  }

  /**
   * The first attach() of a limiter sets its probe schedule, or turns the gate off (`false`); later ones do
   * not. Returns whether this call did.
   */
  configure(policy: ProbePolicy | false): boolean {
    if (this.configured) return false;
    this.configured = true;
    if (policy === false) this.off = true;
    else {
      this.policy = policy;
      this.intervalMs = policy.minProbeMs;
    }
    return true;
  }

  /** Told when this process finds the API down itself (not when it hears it): the first probe's delay, the interval. */
  onTrip(listener: (firstProbeMs: number, intervalMs: number) => void): void {
    this.trips.add(listener);
  }

  /** Told whenever the state changes. Returns the unsubscribe function. */
  onChange(listener: (state: HealthState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get up(): boolean {
    return this.state === 'up';
  }

  /** Times the API went down since this limiter was made. */
  get outageCount(): number {
    return this.outages;
  }

  /** The run that trips, for this API: rarer than 1 in 100,000 at the failure share it showed before the run. */
  private needed(): number {
    const p = Math.min(0.95, Math.max(PRIOR, this.shareBefore));
    return Math.min(MAX_RUN, Math.max(MIN_RUN, Math.ceil(LOG_EPSILON / Math.log(p))));
  }

  /**
   * Until when dispatch must wait (undefined: it may go now). While down, the gate opens for one probe per
   * interval; the attempt that then starts takes it (`sent`), and the gate closes behind it.
   */
  holdUntil(now: number): number | undefined {
    if (this.state === 'up') return undefined;
    if (!this.shared && this.probe !== undefined && now < this.probeUntil) return this.probeUntil;
    if (now < this.nextProbeAt) return this.nextProbeAt;
    return undefined;
  }

  /** Whether an attempt may be sent now without waiting (up, or a probe slot is free). */
  mayGo(now: number): boolean {
    return this.holdUntil(now) === undefined;
  }

  /** An attempt (`request`: its logical request) is sent; while down, it is the probe. */
  sent(request: object): void {
    if (this.state === 'up') return;
    this.probe = request;
    this.probeUntil = Date.now() + this.policy.probeLeaseMs;
    this.probes++;
  }

  /** An attempt of `request` ended: what it says of the API, and the error it failed with (if any). */
  ended(request: object, evidence: Evidence, error?: unknown): void {
    if (this.off) return;
    if (evidence === 'up' && this.state === 'up' && this.run === 0) {
      // The common case, on every answer of a healthy API: one multiply.
      this.share -= ALPHA * this.share;
      return;
    }
    const now = Date.now();
    const wasProbe = this.probe === request;
    if (wasProbe) this.probe = undefined;
    if (evidence === 'none') {
      // Cancelled, or it says nothing: a probe that said nothing lets the next one go at once.
      if (wasProbe) this.nextProbeAt = now;
      return;
    }
    if (evidence === 'up') return this.success(now);
    this.lastError = error;
    if (this.state === 'up' && this.run === 0) this.shareBefore = this.share; // the API as it was before this run
    this.share += ALPHA * (1 - this.share);
    if (this.state !== 'up') {
      if (wasProbe) this.probeFailed(now);
      return;
    }
    this.run++;
    this.runRequests.add(request);
    const needed = this.needed();
    if (this.run >= needed && (this.runRequests.size >= 2 || this.run >= 2 * needed)) this.goDown(now);
  }

  private success(now: number): void {
    this.share += ALPHA * (0 - this.share);
    this.endRun();
    if (this.state === 'up') return;
    // Any answer while down (a probe's, or a straggler's) shows the API back; RECOVERY in a row reopen it.
    this.streak++;
    if (this.streak >= RECOVERY) return this.back(now);
    if (this.state === 'down') {
      this.state = 'recovering';
      this.tell(now);
    }
    this.nextProbeAt = now; // the next probe goes at once
  }

  private goDown(now: number): void {
    this.state = 'down';
    this.since = now;
    this.probes = 0;
    this.streak = 0;
    this.outages++;
    this.intervalMs = this.policy.minProbeMs;
    this.nextProbeAt = now + this.jittered(this.intervalMs);
    this.endRun();
    this.tell(now);
    for (const trip of this.trips) trip(this.nextProbeAt - now, this.intervalMs);
  }

  private probeFailed(now: number): void {
    this.streak = 0;
    if (this.state === 'recovering') {
      this.state = 'down';
      this.tell(now);
    }
    this.intervalMs = Math.min(this.policy.maxProbeMs, this.intervalMs * 2);
    this.nextProbeAt = now + this.jittered(this.intervalMs);
  }

  private jittered(ms: number): number {
    return Math.round(ms * (0.8 + 0.4 * this.random()));
  }

  /**
   * Heard from the fleet: another process found the API down since `since`, next probe at `nextProbeAt`. An
   * outage that began before this limiter last saw the API back is that one, over (a reply that crossed the
   * news of the recovery); one this limiter already knows only moves its next probe.
   */
  heardDown(since: number, nextProbeAt: number): void {
    if (this.off || since < this.upAt) return;
    const now = Date.now();
    if (this.state !== 'up') {
      this.nextProbeAt = Math.max(this.nextProbeAt, nextProbeAt);
      return;
    }
    this.state = 'down';
    this.since = since;
    this.probes = 0;
    this.streak = 0;
    this.outages++;
    this.nextProbeAt = nextProbeAt;
    this.endRun();
    this.tell(now);
  }

  /** Heard from the fleet: the API is up again. */
  heardUp(): void {
    if (this.state === 'up') return;
    this.probe = undefined;
    this.back(Date.now());
  }

  private back(now: number): void {
    this.state = 'up';
    this.upAt = now;
    this.intervalMs = this.policy.minProbeMs;
    this.endRun();
    this.tell(now);
  }

  /** The failures before an outage belong to it: after it, a run starts from nothing. */
  private endRun(): void {
    this.run = 0;
    this.runRequests.clear();
  }

  /** What is known now. */
  snapshot(now: number = Date.now()): HealthState {
    if (this.state === 'up') return Object.freeze({ state: 'up', outages: this.outages });
    return Object.freeze({
      state: this.state,
      since: this.since,
      probes: this.probes,
      nextProbeAt: Math.max(now, this.probe !== undefined ? this.probeUntil : this.nextProbeAt),
      outages: this.outages,
      ...(this.lastError !== undefined && { lastError: describe(this.lastError) }),
    });
  }

  private tell(now: number): void {
    const state = this.snapshot(now);
    for (const listener of this.listeners) listener(state);
  }
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; response?: { status?: unknown } };
  if (typeof e?.response?.status === 'number') return `status ${e.response.status}`;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.message === 'string' ? e.message : String(error);
}

/** The health options after validation: the probe schedule (or `false`) and the instance's patience. */
export interface HealthPlan {
  readonly probes: ProbePolicy | false;
  readonly patience: number;
}

/** Validates `attach()`'s `health` option; a TypeError names the option and the value. */
export function normalizeHealth(input: unknown, base: ProbePolicy): HealthPlan {
  if (input === false) return { probes: false, patience: 0 };
  if (input === undefined) return { probes: base, patience: 0 };
  if (!isPlainObject(input)) invalid('health', input, 'an object or false');
  checkKeys('health', input, ['patience', 'minProbeMs', 'maxProbeMs']);
  const o = input as HealthOptions;
  const minProbeMs = o.minProbeMs === undefined ? base.minProbeMs : durationOption('health.minProbeMs', o.minProbeMs, 1);
  const maxProbeMs =
    o.maxProbeMs === undefined ? Math.max(minProbeMs, base.maxProbeMs) : durationOption('health.maxProbeMs', o.maxProbeMs, 1);
  if (maxProbeMs < minProbeMs) invalid('health.maxProbeMs', maxProbeMs, `at least health.minProbeMs (${minProbeMs})`);
  return {
    probes: Object.freeze({ minProbeMs, maxProbeMs, probeLeaseMs: Math.max(base.probeLeaseMs, maxProbeMs) }),
    patience: o.patience === undefined ? 0 : durationOption('health.patience', o.patience, 0),
  };
}
