import { PauseGate } from '../limit/gate.js';
import type { HealthState, PauseEvent } from '../types.js';
import { Health, type ProbePolicy } from './health.js';

/** Told of each pause once: an attach() handle counts it (`stats().pauses`) and calls its `onPause`. */
export type PauseListener = (event: PauseEvent) => void;

/**
 * Every pause of one limiter, owned here: this is the only code that closes the limiter's pause gate, tells
 * `onPause` (once per pause, every attach() sharing the limiter), and tells the fleet.
 *
 * The contract with its callers: **a pause an answer names is declared before that answer's quota ticket
 * settles and before its slot is given back** — settling wakes the queue, and the queue must find the gate
 * already closed (a traced run sent 7 requests into a confirmed 429's pause before this order held).
 *
 * The kinds of pause, by who learned of it:
 * - `named`: a 429/503 of ours named a delay (Retry-After) — told, and broadcast to the fleet;
 * - `quotaSpent`: this process' quota tracker is spent until a reset — told once per reset (the tracker holds
 *   the gate itself, through the gate's `hold`), and broadcast unless the fleet's ledger counts the quota (it
 *   holds every process to the fleet's own reset);
 * - `fleetSpent`: the fleet's ledger says the fleet's quota is spent — told once per window;
 * - `heard`: another process paused the fleet (pub/sub, or the ledger's stored pause) — closed silently: it
 *   was told where it happened;
 * - `manual`: `steady.pause(ms)` — closed silently.
 *
 * And one state: the API's `health` (control/health.ts). While it is down the gate opens for one probe per
 * interval; going down is told as a pause (source `api down`), every change through `onHealth`.
 */
export class Pauses {
  readonly gate: PauseGate;
  readonly health: Health;
  private readonly listeners = new Set<PauseListener>();
  /** End of the last quota pause told, so each is told once (answers of one window each say "spent"). */
  private quotaToldUntil = 0;

  constructor(
    /** A second reason for the gate to stay closed (the quota tracker), asked on every check. */
    quotaHold: (now?: number) => number | undefined,
    /** For a Redis-backed limiter: tells the fleet (pub/sub and the ledger); resolves once stored. */
    private readonly broadcast?: (delayMs: number) => Promise<void>,
    probes: ProbePolicy = DEFAULT_PROBES,
    shared = false,
  ) {
    const health = new Health(probes);
    health.shared = shared;
    this.health = health;
    this.gate = new PauseGate((now) => {
      const quota = quotaHold(now);
      if (health.up) return quota;
      const held = health.holdUntil(now ?? Date.now());
      return held === undefined ? quota : quota === undefined ? held : Math.max(quota, held);
    });
    health.onChange((state) => this.healthChanged(state));
  }

  /** The API's health moved: waiters check again; going down is a pause worth telling. */
  private healthChanged(state: HealthState): void {
    this.gate.changed();
    if (state.state === 'down' && state.probes === 0 && state.nextProbeAt !== undefined) {
      const now = Date.now();
      this.tell({ until: state.nextProbeAt, delayMs: state.nextProbeAt - now, source: 'api down' });
    }
  }

  /** Adds a listener (one attach() handle); returns the function that removes it. */
  subscribe(listener: PauseListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A 429/503 named a delay: closes the gate until then (a shorter pause never shortens a longer one), tells once
   * — siblings answered 429 by the same event only extend it — and tells the fleet. Resolves once the fleet has
   * stored it; undefined when the gate was already closed as long.
   */
  named(delayMs: number, status: number, source: string): Promise<void> | undefined {
    const now = Date.now();
    const until = now + delayMs;
    const fresh = !this.gate.paused(now);
    if (!this.gate.close(until)) return undefined;
    if (fresh) this.tell({ until, delayMs, status, source });
    return this.broadcast?.(delayMs);
  }

  /**
   * The quota is spent until `until` (the tracker holds the gate): told once per reset, and told to the fleet —
   * unless `fleetCounts`: the fleet's ledger counts every process' dispatches and keeps the tightest reset of all
   * their reports, and holds each process to it; a pause from this process' few reports (a reset in whole
   * seconds, rounded up) would hold the whole fleet past it (measured: P9 at 200 processes against
   * express-rate-limit, every window began 230–470 ms late).
   */
  quotaSpent(until: number, source: () => string, status: number | undefined, fleetCounts: boolean): void {
    const now = Date.now();
    if (until <= this.quotaToldUntil) return;
    this.quotaToldUntil = until;
    this.tell({ until, delayMs: until - now, ...(status !== undefined && { status }), source: source() });
    if (!fleetCounts) void this.broadcast?.(until - now);
  }

  /**
   * The fleet's ledger says its quota is spent for `delayMs`: told once per pause. With `closeGate` false (a
   * window learned from 429s) the gate stays open: each request the ledger turns away waits itself, while those
   * already counted go (see fleet/admission.ts).
   */
  fleetSpent(delayMs: number, closeGate: boolean): void {
    const now = Date.now();
    const until = now + delayMs;
    if (closeGate) this.gate.close(until);
    // Every job the ledger turns away says so, each with its own few ms of latency: one pause until it is over.
    const fresh = this.quotaToldUntil < now;
    this.quotaToldUntil = Math.max(this.quotaToldUntil, until);
    if (fresh) this.tell({ until, delayMs, source: 'quota (fleet)' });
  }

  /** Another process paused the fleet: this one waits too, without telling again. */
  heard(delayMs: number): void {
    this.gate.close(Date.now() + delayMs);
  }

  /** `steady.pause(ms)`: holds every attempt of this limiter. */
  manual(ms: number): void {
    this.gate.close(Date.now() + ms);
  }

  private tell(event: PauseEvent): void {
    const frozen = Object.freeze(event);
    for (const listener of this.listeners) listener(frozen);
  }
}

/** The probe schedule when no attach() set one: 1 s, doubling to 30 s; a probe holds the others for 30 s at most. */
export const DEFAULT_PROBES: ProbePolicy = Object.freeze({ minProbeMs: 1000, maxProbeMs: 30_000, probeLeaseMs: 30_000 });
