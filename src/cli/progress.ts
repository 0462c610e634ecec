/// <reference types="node" />
// What the command tells a person on stderr while it runs: a redrawn bar on a terminal (cli-progress), plain
// lines every few seconds otherwise, nothing with --quiet; and one summary line at the end.
import { SingleBar } from 'cli-progress';
import type { Progress } from '../paginate/types.js';
import type { QuotaState } from '../types.js';

/** What the display shows besides the walk's own progress: the limiter's counts, its pause and quota. */
export interface Counts {
  readonly rateLimited: number;
  readonly pauses: number;
  /** Epoch ms the limiter is paused until (0: not paused). */
  readonly pausedUntil?: number;
  readonly quota?: QuotaState | undefined;
}

export interface Display {
  update(progress: Progress, counts: Counts): void;
  /** Stops redrawing and gives the terminal back (the cursor shown again); safe to call twice. */
  stop(): void;
  /** A line for the person (the summary, a hint), after the bar. */
  say(line: string): void;
  /** Why nothing comes in (an outage, a pause, a retry): on the bar's line on a terminal, else a line of its own. */
  status(line: string): void;
}

const PLAIN_EVERY_MS = 2000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** "1 pause", "3 pauses". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The time to go: the walk's own estimate (its pace so far), but never less than a known wait — the limiter's
 * pause, or, when more pages are left than the quota allows in this window, the window's reset.
 */
export function eta(p: Progress, counts: Counts, now: number = Date.now()): number | undefined {
  if (p.etaMs === undefined) return undefined;
  const left = p.totalPages === undefined ? 0 : Math.max(0, p.totalPages - p.pages);
  const paused = counts.pausedUntil ? counts.pausedUntil - now : 0;
  const quota = counts.quota && left > counts.quota.remaining ? counts.quota.resetAt - now : 0;
  return Math.max(p.etaMs, paused, quota);
}

/** "340 items, 14 of 120 pages (12 %), 85 items/s, 2 retries, 0 429s, ETA 18 s" */
export function describe(p: Progress, counts: Counts, resumedItems = 0): string {
  const of = p.totalPages === undefined ? '' : ` of ${p.totalPages}`;
  const percent = p.totalPages ? ` (${Math.floor((100 * p.pages) / p.totalPages)} %)` : '';
  // The rate of this run (a resumed run's items came from an earlier one), once there is one: a single page
  // in its first second says nothing of the pace.
  const rate = p.elapsedMs >= 1000 && p.requests >= 2 ? `, ${Math.round((1000 * (p.items - resumedItems)) / p.elapsedMs)} items/s` : '';
  const left = eta(p, counts);
  const paused = counts.pausedUntil && counts.pausedUntil > Date.now() ? `, paused ${seconds(counts.pausedUntil - Date.now())}` : '';
  const pages = p.totalPages === undefined ? plural(p.pages, 'page') : `${p.pages}${of} pages`;
  return `${plural(p.items, 'item')}, ${pages}${percent}${rate}, ${plural(p.retries, 'retry', 'retries')}, ${counts.rateLimited} 429s${paused}${left === undefined ? '' : `, ETA ${seconds(left)}`}`;
}

export function createDisplay(stderr: NodeJS.WriteStream, quiet: boolean, resumedItems = 0): Display {
  if (quiet) return { update: () => undefined, stop: () => undefined, say: () => undefined, status: () => undefined };
  if (!stderr.isTTY) {
    let last = 0;
    return {
      update(p, counts) {
        const now = Date.now();
        if (now - last < PLAIN_EVERY_MS) return;
        last = now;
        stderr.write(`axios-steady: ${describe(p, counts, resumedItems)}\n`);
      },
      stop: () => undefined,
      say: (line) => void stderr.write(`${line}\n`),
      status: (line) => void stderr.write(`axios-steady: ${line}\n`),
    };
  }
  let started = false;
  let stopped = false;
  let last = '';
  const bar = new SingleBar({
    stream: stderr,
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
    format: (options, params, payload: { line?: string }) => {
      const width = options.barsize ?? 30;
      const filled = Math.round(Math.min(1, params.progress) * width);
      const known = params.total > 0 && payload.line?.includes(' of ');
      const bar = known ? `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ` : '';
      return `${bar}${payload.line ?? 'starting…'}`;
    },
  });
  return {
    update(p, counts) {
      if (stopped) return;
      const total = p.totalPages ?? 0;
      last = describe(p, counts, resumedItems);
      if (!started) {
        started = true;
        bar.start(total, p.pages, { line: last });
        return;
      }
      bar.setTotal(total);
      bar.update(p.pages, { line: last });
    },
    status(line) {
      if (stopped) return;
      if (!started) {
        started = true;
        bar.start(0, 0, { line });
        return;
      }
      bar.update({ line: `${last} — ${line}` });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
      // cli-progress shows the cursor again only if it hid it; make sure, whatever happened.
      stderr.write('\u001b[?25h');
    },
    say: (line) => void stderr.write(`${line}\n`),
  };
}
