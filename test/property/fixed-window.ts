// One process' quota tracker against a fixed-window API that sends only Retry-After, on a simulated clock (no
// sockets, no timers). The API takes `limit` requests per `windowMs`, its windows at `phase`; past that it answers
// 429 with Retry-After rounded up to whole seconds, as HTTP has it. The driver sends while the tracker allows, up
// to `concurrency` in flight, each answered after its own latency (the API counts it when it arrives, halfway; so
// answers come out of order), and pauses on each 429 for its Retry-After, as attach() does. Used by the quota's
// property test and by bench P11 (bench/learned-quota.ts).
import { QuotaTracker } from '../../src/quota/tracker.js';

export interface FixedWindowRun {
  readonly limit: number;
  readonly windowMs: number;
  readonly phase: number;
  /** When the driver starts (ms on the simulated clock). */
  readonly start: number;
  readonly concurrency: number;
  /** How many requests the API must accept before the run ends. */
  readonly items: number;
  /** The latency of the `step`-th send. */
  readonly latency: (step: number) => number;
  /** Told of every hold the tracker asks for (for assertions), and of each answer. */
  readonly onHold?: (hold: number, now: number, tracker: QuotaTracker) => void;
  readonly onAnswer?: (window: number, refused: boolean, now: number, tracker: QuotaTracker) => void;
}

/** Runs until `items` were accepted and nothing is in flight; returns when that was. Throws if it stops moving. */
export function driveFixedWindow(run: FixedWindowRun, tracker = new QuotaTracker()): number {
  const { limit, windowMs, phase, concurrency, items } = run;
  let now = run.start;
  const used = new Map<number, number>();
  const inFlight: { ticket: number; arrives: number; back: number }[] = [];
  let pauseUntil = 0;
  let accepted = 0;
  for (let step = 0; accepted < items || inFlight.length > 0; step++) {
    if (step > 5_000_000) throw new Error('no progress');
    const hold = tracker.holdUntil(now);
    if (hold !== undefined) run.onHold?.(hold, now, tracker);
    const want = accepted + inFlight.length < items;
    if (want && now >= pauseUntil && hold === undefined && inFlight.length < concurrency) {
      const latency = run.latency(step);
      inFlight.push({ ticket: tracker.take(now), arrives: now + latency / 2, back: now + latency });
      continue;
    }
    inFlight.sort((a, b) => a.back - b.back);
    const next = inFlight[0];
    const wake = Math.max(pauseUntil, hold ?? 0);
    if (next === undefined || (want && wake > now && wake < next.back && inFlight.length < concurrency)) {
      // Nothing answers before the gate opens: only time can open it, and it must.
      if (wake <= now) throw new Error(`held at ${now} with nothing to wait for`);
      now = wake;
      continue;
    }
    now = Math.max(now, next.back);
    inFlight.shift();
    const w = Math.floor((next.arrives - phase) / windowMs);
    const count = used.get(w) ?? 0;
    if (count < limit) {
      used.set(w, count + 1);
      accepted++;
      tracker.settle(next.ticket, { status: 200 }, now);
      run.onAnswer?.(w, false, now, tracker);
      continue;
    }
    const retryAfterMs = Math.max(1, Math.ceil((phase + (w + 1) * windowMs - next.arrives) / 1000)) * 1000;
    pauseUntil = Math.max(pauseUntil, now + retryAfterMs);
    tracker.settle(next.ticket, { status: 429, retryAfterMs }, now);
    run.onAnswer?.(w, true, now, tracker);
  }
  return now;
}
