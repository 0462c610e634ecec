/// <reference types="node" />
// What `collect` tells a person in words: why nothing comes in (an outage, a pause, a retry), the summary line at
// the end, and what to try next for a failure the library names in its own terms.
import type { SteadyStats, Steady } from '../attach.js';
import { PaginationError } from '../errors.js';
import type { Checkpoint, Progress } from '../paginate/types.js';
import type { RetryEvent } from '../types.js';
import { plural } from './progress.js';
import { redactText } from './redact.js';

/** What to try next for a failure the library names in its own terms: the command's flags, not its functions. */
export function hint(failure: unknown): string | undefined {
  if (!(failure instanceof PaginationError)) return undefined;
  switch (failure.code) {
    case 'STRATEGY_UNKNOWN':
      return 'tell it how this API pages: --strategy link | next --next <path> | cursor --next <path> --param <name> | page --total-pages <path> | offset --total <path> (see --help)';
    case 'STUCK':
      return 'if the API names its page parameter otherwise, pass it: --param <name> (with --strategy page, offset or cursor)';
    case 'ITEMS_NOT_FOUND':
      return 'say where the items are: --items <path>, e.g. --items data.records';
    case 'TOTAL_MISMATCH':
      return 'the same command fetches the last page again and checks once more';
    default:
      return undefined;
  }
}

/** How often, at least, the command says what it waits for while nothing comes in. */
export const STATUS_EVERY_MS = 2000;
const clock = (at: number) => new Date(at).toTimeString().slice(0, 8);
const inSeconds = (ms: number) => `${Math.max(0, Math.ceil(ms / 1000))} s`;

/** Why nothing has come in, in words: "API down since 12:03:10 — next probe in 8 s (3 probes sent; last: status 503)". */
export function waiting(steady: Steady, retry: RetryEvent | undefined, now: number): string {
  const health = steady.health();
  if (health.state !== 'up') {
    const probe = health.nextProbeAt !== undefined ? ` — next probe in ${inSeconds(health.nextProbeAt - now)}` : '';
    const sent = `${plural(health.probes ?? 0, 'probe')} sent${health.lastError ? `; last: ${health.lastError}` : ''}`;
    const state = health.state === 'recovering' ? 'API recovering (a probe succeeded)' : `API down since ${clock(health.since ?? now)}`;
    return `${state}${probe} (${sent})`;
  }
  const { pausedUntil } = steady.stats();
  if (pausedUntil > now) return `paused until ${clock(pausedUntil)} (${inSeconds(pausedUntil - now)}): the API's rate limit`;
  if (retry) {
    const what = retry.error.response ? `status ${retry.error.response.status}` : (retry.error.code ?? retry.error.message);
    return `retrying ${redactText(retry.config.url ?? '')}: ${what} (attempt ${retry.attempt + 1}, after ${inSeconds(retry.delayMs)})`;
  }
  return 'waiting for the API to answer';
}

/** The summary's counts: "1,200 items, 12 pages, 14 requests, 2 retries, 0 429s, 0 pauses, strategy: link, 3.1 s". */
export function summary(
  stats: SteadyStats,
  last: Progress | undefined,
  resumed: Checkpoint | undefined,
  merged: { changed: number; added: number } | undefined,
  since: unknown,
  elapsedMs: number,
): string {
  return [
    plural(last?.items ?? resumed?.items ?? 0, 'item'),
    plural(last?.pages ?? resumed?.pages ?? 0, 'page'),
    plural(stats.attempts, 'request'),
    plural(stats.retries, 'retry', 'retries'),
    `${stats.rateLimited} 429s`,
    plural(stats.pauses, 'pause'),
    ...(stats.outages > 0 ? [plural(stats.outages, 'outage')] : []),
    ...(last?.revalidated
      ? [`${last.revalidated} unchanged (304), ${plural(last.pages - last.revalidated - (resumed?.pages ?? 0), 'page')} fetched`]
      : []),
    ...(merged ? [`${merged.changed} changed, ${merged.added} new since ${String(since)}`] : []),
    ...(last ? [`strategy: ${last.strategy}`] : []),
    `${(elapsedMs / 1000).toFixed(1)} s`,
  ].join(', ');
}
