import type { AxiosInstance } from 'axios';
import { PaginationError } from '../errors.js';
import { invalid } from '../util/validate.js';
import { mergeByKey, sinceRequest, type SinceInfo, type SinceOptions } from './incremental.js';
import { pages } from './pages.js';
import type { CollectInfo, PageRequest, PaginateOptions, Progress } from './types.js';

/**
 * Every item of a paginated API, lazily, in order, each once; `break` stops fetching.
 * `paginate.pages()` iterates pages instead (items, response, index, checkpoint).
 *
 * @param api The axios instance every page request goes through (attach() it to retry and throttle them).
 * @param target The first page: a URL (relative to the instance's baseURL, or absolute), or `{ url, params }`.
 * @param options How to walk: strategy (default: detected from the first page), caps, concurrency, resume…
 * @example
 * for await (const issue of paginate<Issue>(api, '/repos/o/r/issues', { strategy: linkHeader() })) console.log(issue.title);
 */
export async function* paginate<T = unknown>(
  api: AxiosInstance,
  target: string | PageRequest,
  options?: PaginateOptions<T>,
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages<T>(api, target, options)) yield* page.items;
}
/** The pages of the walk instead of its items: the same as `pages()`. */
paginate.pages = pages;

/**
 * Options with defaults filled in; anything that is not an options object is passed on untouched, so that the
 * walk's validation names it (spread, a string would become `{ 0: 'x' }` and an array `{}`).
 */
function withDefaults<T>(options: PaginateOptions<T> | undefined, defaults: PaginateOptions<T>, override = false): PaginateOptions<T> {
  if (options === undefined) return defaults;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return options;
  return override ? { ...options, ...defaults } : { ...defaults, ...options };
}

/**
 * Collects every item into an array. On failure rejects with a {@link PaginationError} that carries every
 * item fetched before the failing page (`.items`) and a `.checkpoint`; pass it as `resume` to continue:
 * the two parts concatenate to the full set. `collect.withInfo()` also returns a summary of the walk.
 *
 * @param api The axios instance every page request goes through (attach() it to retry and throttle them).
 * @param target The first page: a URL (relative to the instance's baseURL, or absolute), or `{ url, params }`.
 * @param options How to walk: strategy (default: detected from the first page), caps, concurrency, resume…
 * @example
 * const all = await collect<Item>(api, '/items', { concurrency: 8 });
 */
export async function collect<T = unknown>(api: AxiosInstance, target: string | PageRequest, options?: PaginateOptions<T>): Promise<T[]> {
  const items: T[] = [];
  try {
    // Everything ends up in memory anyway: no reason to bound the look-ahead unless asked to.
    for await (const page of pages<T>(api, target, withDefaults(options, { lookAhead: Infinity })))
      for (const item of page.items) items.push(item);
  } catch (error) {
    throw error instanceof PaginationError ? error.with({ items }) : error;
  }
  return items;
}

/**
 * `collect()`, with a summary of the walk: pages, items, requests, retries, the strategy used (what `auto()`
 * chose) and whether a stated total was checked. Rejects exactly as `collect()` does.
 *
 * @example
 * const { items, info } = await collect.withInfo(api, '/items');
 * console.log(`${info.items} items, ${info.pages} pages, ${info.retries} retries, via ${info.strategy}`);
 */
async function withInfo<T = unknown>(
  api: AxiosInstance,
  target: string | PageRequest,
  options?: PaginateOptions<T>,
): Promise<{ items: T[]; info: CollectInfo }> {
  let last: Progress | undefined;
  const onProgress = options?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') invalid('onProgress', onProgress, 'a function');
  const items = await collect<T>(
    api,
    target,
    withDefaults(
      options,
      {
        onProgress: (progress: Progress) => {
          last = progress;
          if (typeof onProgress === 'function') onProgress(progress);
        },
      },
      true,
    ),
  );
  const { etaMs: _eta, ...seen } = last ?? { pages: 0, items: 0, strategy: 'auto', requests: 0, retries: 0, elapsedMs: 0 };
  return { items, info: Object.freeze({ ...seen, totalChecked: options?.checkTotal !== false && seen.totalItems !== undefined }) };
}

/** `collect()`, with a summary of the walk (pages, items, requests, retries, the strategy, whether a total was checked). */
collect.withInfo = withInfo;

/**
 * Collects only what changed since the last complete run (`previous`), and merges it into that run's items by
 * key: changed items replaced where they were, new ones added at the end, each key once. The request asks for
 * items whose `field` is at least the largest value `previous` holds, minus `lookback` (`param`). The first run
 * (`previous: []`) is a full collection. Deleted items are not seen — a filter lists what exists — so they stay
 * until a full run (conditional requests, `revalidate`, make that one cheap). Rejects as `collect()` does.
 *
 * @example
 * const { items, info } = await collect.since(api, '/issues', { previous, field: 'updated_at', param: 'since', key: 'id', lookback: 60_000 });
 * console.log(`${info.changed} changed, ${info.added} new, asked since ${info.since}`);
 */
async function since<T = unknown>(
  api: AxiosInstance,
  target: string | PageRequest,
  incremental: SinceOptions<T>,
  options?: PaginateOptions<T>,
): Promise<{ items: T[]; info: SinceInfo }> {
  const { request, from, o } = sinceRequest(target, incremental);
  const { items: changes, info } = await withInfo<T>(api, request, options);
  const merged = mergeByKey(o.previous, changes, o.key);
  return {
    items: merged.items,
    info: Object.freeze({ ...info, since: from, changed: merged.changed, added: merged.added, unchanged: merged.unchanged }),
  };
}

/** Only what changed since the last complete run, merged into it by key (see `since`). */
collect.since = since;
