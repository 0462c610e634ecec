import type { Row } from '../report.js';

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `task` with at most `concurrency` in flight, `count` times in all. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** One collection run of one contender. */
export interface Sample {
  ms: number;
  requests: number;
  rateLimited: number;
  complete: boolean;
}

/** A table row per contender: median time (and its ratio to `limitMs`), range, median requests and 429s. */
export function rows(contenders: readonly string[], samples: ReadonlyMap<string, Sample[]>, limitMs: number): Row[] {
  return contenders.map((contender) => {
    const s = samples.get(contender) ?? [];
    const ms = s.map((x) => x.ms);
    return {
      contender,
      medianMs: median(ms),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
      ratio: median(ms) / limitMs,
      requests: median(s.map((x) => x.requests)),
      rateLimited: median(s.map((x) => x.rateLimited)),
      complete: s.every((x) => x.complete),
    };
  });
}

/**
 * `work`, or a rejection saying it did not finish within `ms`: every contender's run is bounded, so a stuck one
 * fails its row with a message instead of hanging the bench (`onTimeout` cleans up: kills its processes).
 */
export function bounded<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
