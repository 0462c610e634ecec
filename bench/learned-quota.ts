// P11: the quota learned from 429s alone (quota/from-429s.ts through QuotaTracker), one process, on a simulated
// clock: no sockets, no timers, so the same seeds give the same numbers on any machine, busy or not.
//
// The driver and API are test/property/fixed-window.ts: a fixed-window API that sends only Retry-After, in whole
// seconds; the tracker's process sends while it allows, up to its concurrency, each request answered after its own
// latency (uniform in 1..maxLatency ms, so out of order), and pauses on each 429 for its Retry-After, as attach()
// does. A run goes on until 12 windows' worth of requests were accepted.
//
// Per cell (window × latency), 60 seeds, each with its own limit (2–61) and concurrency (1–16):
// - 429s after the first window that refused one (the blind phase's burst is the same for any model), in all;
// - runs in which some later window refused more than one;
// - time ÷ quota time (12 windows), median and p90 (concurrency alone caps some runs: C ÷ latency below the quota);
// and over 2,000 mixed seeds, how often the confirmed limit ever fell below half the real one.
//
// `npx tsx bench/learned-quota.ts` prints the tables (results: bench/results/learned-quota.md).
import { driveFixedWindow } from '../test/property/fixed-window.js';

interface Run {
  /** 429s in windows after the first that refused one; the most in one such window. */
  later: number;
  worst: number;
  timeRatio: number;
  /** The lowest confirmed limit, ÷ the real one (Infinity when none was confirmed). */
  lowest: number;
}

/** A small seeded generator (LCG): the runs are the same on every machine. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function run(seed: number, limit: number, windowMs: number, concurrency: number, maxLatency: number): Run {
  const random = generator(seed);
  const phase = Math.floor(random() * windowMs);
  const start = 1_000_000 + Math.floor(random() * windowMs);
  const refused = new Map<number, number>();
  let first = -1;
  let lowest = Infinity;
  const end = driveFixedWindow({
    limit,
    windowMs,
    phase,
    start,
    concurrency,
    items: limit * 12,
    latency: () => 1 + Math.floor(random() * maxLatency),
    onAnswer: (window, wasRefused, _now, q) => {
      if (wasRefused) {
        refused.set(window, (refused.get(window) ?? 0) + 1);
        if (first < 0) first = window;
      }
      // The model's own state (a confirmed limit is not in the public QuotaState).
      const learned = (q as unknown as { learned: { confirmed: boolean; limit: number | undefined } }).learned;
      if (learned.confirmed && learned.limit !== undefined) lowest = Math.min(lowest, learned.limit / limit);
    },
  });
  let later = 0;
  let worst = 0;
  for (const [w, n] of refused)
    if (w > first) {
      later += n;
      worst = Math.max(worst, n);
    }
  return { later, worst, timeRatio: (end - start) / (12 * windowMs), lowest };
}

const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;

console.log('| window | latency (max) | later 429s | runs with > 1 in a window | time ÷ quota: median | p90 |');
console.log('|---|---|---|---|---|---|');
for (const windowMs of [1000, 2000, 5000, 10_000, 60_000]) {
  for (const maxLatency of [5, 100, 400]) {
    const runs: Run[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      const pick = generator(seed * 31 + windowMs + maxLatency);
      runs.push(run(seed, 2 + Math.floor(pick() * 60), windowMs, 1 + Math.floor(pick() * 16), maxLatency));
    }
    const times = runs.map((r) => r.timeRatio);
    const over = runs.filter((r) => r.worst > 1).length;
    const later = runs.reduce((sum, r) => sum + r.later, 0);
    console.log(
      `| ${windowMs / 1000} s | ${maxLatency} ms | ${later} | ${over} of 60 | ${quantile(times, 0.5).toFixed(2)} | ${quantile(times, 0.9).toFixed(2)} |`,
    );
  }
}

const lowest: number[] = [];
for (let seed = 1; seed <= 2000; seed++) {
  const pick = generator(seed * 7919);
  const windowMs = [1000, 2000, 5000, 10_000, 60_000][Math.floor(pick() * 5)] as number;
  const r = run(
    seed,
    2 + Math.floor(pick() * 60),
    windowMs,
    1 + Math.floor(pick() * 16),
    [5, 20, 100, 400][Math.floor(pick() * 4)] as number,
  );
  if (r.lowest !== Infinity) lowest.push(r.lowest);
}
const collapsed = lowest.filter((x) => x < 0.5).length;
console.log(
  `\nConfirmed limits over ${lowest.length} runs (2,000 mixed seeds): below half the real one at some point in ${collapsed}; ` +
    `lowest ÷ real, 5th percentile ${quantile(lowest, 0.05).toFixed(2)}, median ${quantile(lowest, 0.5).toFixed(2)}.`,
);
