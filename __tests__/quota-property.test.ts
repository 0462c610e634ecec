// Property: no state of the quota model can wedge the limiter. A driver sends N requests through the tracker
// on a simulated clock, answering them with random outcomes (200s with and without rate-limit headers, 429s
// with and without Retry-After — 0 included — resets without a response, hangs until a timeout); requests
// go only while the tracker allows. Every request must be sent and settled, every hold must be bounded, and
// with nothing outstanding a hold must end by time alone.
import fc from 'fast-check';
import type { QuotaReport } from '../src/quota/report.js';
import { EpochWindows } from '../src/quota/epoch-windows.js';
import { QuotaTracker, type Outcome } from '../src/quota/tracker.js';
import { driveFixedWindow } from '../test/property/fixed-window.js';

type Answer =
  | { kind: 'ok'; remaining?: number; resetInMs?: number; windowMs?: number }
  | { kind: '429'; retryAfterMs?: number; remaining?: number; resetInMs?: number }
  | { kind: 'reset' }
  | { kind: 'hang' };

const answer: fc.Arbitrary<Answer> = fc.oneof(
  fc.record({
    kind: fc.constant('ok' as const),
    remaining: fc.option(fc.nat(20), { nil: undefined }),
    resetInMs: fc.integer({ min: 0, max: 5000 }),
    // A policy's window: with it, a reset that returns part of the quota switches to the sliding own log.
    windowMs: fc.option(fc.constantFrom(1000, 4000), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('429' as const),
    retryAfterMs: fc.option(fc.constantFrom(0, 500, 1000, 3000), { nil: undefined }),
    remaining: fc.option(fc.constant(0), { nil: undefined }),
    resetInMs: fc.integer({ min: 0, max: 5000 }),
  }),
  fc.constant({ kind: 'reset' as const }),
  fc.constant({ kind: 'hang' as const }),
);

const TIMEOUT_MS = 10_000; // what a hung attempt costs before axios gives up on it

function outcome(a: Answer, now: number): Outcome | undefined {
  if (a.kind === 'reset' || a.kind === 'hang') return undefined;
  const report: QuotaReport | undefined =
    a.remaining === undefined
      ? undefined
      : {
          remaining: a.remaining,
          resetAt: now + (a.resetInMs ?? 0),
          limit: 20,
          source: 'ratelimit',
          ...(a.kind === 'ok' && a.windowMs !== undefined && { windowMs: a.windowMs }),
        };
  return { status: a.kind === 'ok' ? 200 : 429, report, retryAfterMs: a.kind === '429' ? a.retryAfterMs : undefined };
}

it('every request is sent and settles; holds are bounded; nothing outstanding never means shut for good', () => {
  fc.assert(
    fc.property(
      fc.array(answer, { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 8 }),
      fc.array(fc.nat(300), { minLength: 1 }),
      (answers, concurrency, gaps) => {
        const q = new QuotaTracker();
        let now = 1_000_000;
        let sent = 0;
        let settled = 0;
        const inFlight: { ticket: number; answer: Answer; at: number }[] = [];
        for (let step = 0; settled < answers.length; step++) {
          if (step > 100_000) throw new Error('no progress');
          const hold = q.holdUntil(now);
          if (hold !== undefined) {
            expect(hold).toBeGreaterThan(now);
            expect(hold - now).toBeLessThanOrEqual(q.longestWaitMs);
          }
          if (hold === undefined && sent < answers.length && inFlight.length < concurrency) {
            const a = answers[sent++] as Answer;
            inFlight.push({
              ticket: q.take(now),
              answer: a,
              at: now + (a.kind === 'hang' ? TIMEOUT_MS : (gaps[step % gaps.length] as number)),
            });
            continue;
          }
          if (inFlight.length === 0) {
            // Nothing outstanding: only time can open the gate, and it must.
            expect(hold).toBeDefined();
            now = hold as number;
            continue;
          }
          // The next answer in time order, or the hold's end if that comes first.
          inFlight.sort((a, b) => a.at - b.at);
          const next = inFlight[0] as (typeof inFlight)[number];
          if (hold !== undefined && hold < next.at && sent < answers.length && inFlight.length < concurrency) {
            now = hold;
            continue;
          }
          now = Math.max(now, next.at);
          inFlight.shift();
          q.settle(next.ticket, outcome(next.answer, now), now);
          settled++;
        }
        expect(sent).toBe(answers.length);
        expect(q.holdUntil(now + q.longestWaitMs + 1)).toBeUndefined();
      },
    ),
    { numRuns: Number(process.env.QUOTA_RUNS ?? 300) },
  );
});

describe('EpochWindows: epoch resets tightened by the learned window length', () => {
  // A server whose windows open at a request's arrival and last W; it states the reset as epoch seconds,
  // rounded up. Requests are sent at random phases and take a random time to arrive and to come back.
  // W is any length in ms; `early` counts the windows whose estimate came before the server's reset (the
  // probe there gets a 429, which the tracker reports with refused()).
  const run = (W: number, windows: { gap: number; there: number; back: number }[]) => {
    const epochs = new EpochWindows();
    let t = 1_700_000_000_000;
    let early = 0;
    for (const { gap, there, back } of windows) {
      const sentAt = t + gap;
      const arrival = sentAt + there;
      const trueReset = arrival + W;
      const stated = Math.ceil(trueReset / 1000) * 1000;
      const report: QuotaReport = { remaining: 9, limit: 10, resetAt: stated, source: 'x-ratelimit', epochReset: true };
      const estimate = epochs.opened(report, sentAt, arrival + back);
      expect(estimate).toBeLessThanOrEqual(stated);
      if (estimate < trueReset) {
        early++;
        epochs.refused();
      }
      t = Math.max(estimate, trueReset);
    }
    return early;
  };
  const windows = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3000 }), there: fc.nat(50), back: fc.nat(50) }), {
    minLength: 1,
    maxLength: 30,
  });

  it('one early probe at most, whatever the window; never later than the stated reset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 10_000 }), windows, (W, ws) => {
        expect(run(W, ws)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });

  it('windows of whole seconds: never an early probe', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3600 }), windows, (seconds, ws) => {
        expect(run(seconds * 1000, ws)).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  /** Lateness of each estimate over `windows` 4 s windows, sent at phases spread over the second, 2 ms to arrive. */
  const lateness = (epochs: EpochWindows, windows: number): number[] => {
    const W = 4000;
    let t = 1_700_000_000_000;
    const late: number[] = [];
    for (let k = 0; k < windows; k++) {
      const sentAt = t + 1 + ((k * 379) % 1000);
      const trueReset = sentAt + 2 + W;
      const report: QuotaReport = {
        remaining: 9,
        limit: 10,
        resetAt: Math.ceil(trueReset / 1000) * 1000,
        source: 'x-ratelimit',
        epochReset: true,
      };
      const estimate = epochs.opened(report, sentAt, sentAt + 4);
      late.push(estimate - trueReset);
      t = estimate;
    }
    return late;
  };

  it('a window of whole seconds is exact from the first window on: late by no more than the round trip', () => {
    for (const late of lateness(new EpochWindows(), 6)) {
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThanOrEqual(2);
    }
  });

  it('without the guess (refuted once), the bounds learn: after a few windows the wait is within 150 ms', () => {
    const epochs = new EpochWindows();
    epochs.refused();
    expect(Math.max(...lateness(epochs, 12).slice(6))).toBeLessThanOrEqual(150);
  });

  it('windows aligned to the server clock contradict the bounds: the stated reset is used as is', () => {
    const epochs = new EpochWindows();
    const report = (resetAt: number): QuotaReport => ({ remaining: 9, limit: 10, resetAt, source: 'x-ratelimit', epochReset: true });
    const t = 1_700_000_000_000;
    epochs.opened(report(t + 4000), t + 1, t + 5); // W in (2995, 3999]
    expect(epochs.opened(report(t + 8000), t + 6500, t + 6505)).toBe(t + 8000); // W in (495, 1500]: off
    expect(epochs.opened(report(t + 12_000), t + 8001, t + 8005)).toBe(t + 12_000);
  });
});

describe('against a fixed-window API that sends only Retry-After, in whole seconds', () => {
  // test/property/fixed-window.ts, at random limits, windows, phases, concurrency and latencies (so the learned
  // window may be short by up to a second, and answers come out of order). The probes and one-at-a-time sends the
  // learned quota adds are holds that only an answer ends: none may wedge the collection.
  it('every request is answered, every hold is bounded, and the collection ends', () => {
    fc.assert(
      fc.property(
        fc.record({
          limit: fc.integer({ min: 1, max: 40 }),
          windowMs: fc.constantFrom(1000, 2000, 5000, 60_000),
          phase: fc.nat(59_999),
          start: fc.nat(59_999),
          concurrency: fc.integer({ min: 1, max: 16 }),
          latencies: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 40 }),
          items: fc.integer({ min: 1, max: 150 }),
        }),
        ({ limit, windowMs, phase, start, concurrency, latencies, items }) => {
          let accepted = 0;
          driveFixedWindow({
            limit,
            windowMs,
            phase,
            start: 1_000_000 + start,
            concurrency,
            items,
            latency: (step) => latencies[step % latencies.length] as number,
            onHold: (hold, now, q) => {
              expect(hold).toBeGreaterThan(now);
              expect(hold - now).toBeLessThanOrEqual(q.longestWaitMs);
            },
            onAnswer: (_window, refused) => void (refused || accepted++),
          });
          expect(accepted).toBe(items);
        },
      ),
      { numRuns: Number(process.env.QUOTA_RUNS ?? 300) },
    );
  });
});
