import { invalid, numberOption } from '../util/validate.js';
import { auto } from './strategies/auto.js';
import { checkStore, type PageStore } from './revalidate.js';
import type { Checkpoint, PageRequest, PaginateOptions, Strategy } from './types.js';

const KEYS = [
  'strategy',
  'items',
  'maxItems',
  'maxPages',
  'maxRequests',
  'concurrency',
  'lookAhead',
  'allowOrigins',
  'onProgress',
  'signal',
  'resume',
  'checkTotal',
  'config',
  'revalidate',
];

/** Pagination options after validation, with defaults applied. */
export interface WalkOptions<T> extends Omit<PaginateOptions<T>, 'strategy' | 'allowOrigins'> {
  readonly strategy: Strategy;
  readonly maxItems: number;
  readonly maxPages: number;
  readonly maxRequests: number;
  readonly concurrency: number;
  readonly lookAhead: number;
  readonly allowOrigins: ReadonlySet<string>;
  readonly checkTotal: boolean;
  readonly revalidate: PageStore | undefined;
}

function isStrategy(value: unknown): value is Strategy {
  const s = value as Strategy;
  return typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.first === 'function' && typeof s.next === 'function';
}

function isCheckpoint(value: unknown): value is Checkpoint {
  const c = value as Checkpoint;
  return (
    typeof c === 'object' &&
    c !== null &&
    c.version === 1 &&
    typeof c.strategy === 'string' &&
    typeof c.next?.url === 'string' &&
    Number.isInteger(c.pages) &&
    c.pages >= 0 &&
    Number.isInteger(c.items) &&
    c.items >= 0
  );
}

/** A cap: a whole number ≥ 1, or Infinity for none. */
const cap = (name: string, value: unknown, fallback: number): number =>
  value === undefined ? fallback : value === Infinity ? Infinity : numberOption(name, value, 1, true);

/** Validates pagination options; a TypeError names the option and the value. */
export function walkOptions<T>(options: PaginateOptions<T> | undefined): WalkOptions<T> {
  const o = options ?? {};
  if (typeof o !== 'object' || Array.isArray(o)) invalid('paginate options', o, 'an object');
  for (const key of Object.keys(o))
    if (!KEYS.includes(key)) invalid(key, (o as Record<string, unknown>)[key], `one of the known options (${KEYS.join(', ')})`);
  const strategy = o.strategy === undefined ? auto() : o.strategy;
  if (!isStrategy(strategy))
    invalid('strategy', strategy, 'a strategy (auto(), linkHeader(), cursor(), nextUrl(), pageNumber(), offset() or your own)');
  if (o.checkTotal !== undefined && typeof o.checkTotal !== 'boolean') invalid('checkTotal', o.checkTotal, 'a boolean');
  const revalidate = checkStore(o.revalidate);
  if (o.config !== undefined && (typeof o.config !== 'object' || o.config === null || Array.isArray(o.config)))
    invalid('config', o.config, 'an object of axios request config');
  for (const key of ['url', 'params', 'signal'] as const)
    if (o.config?.[key as keyof typeof o.config] !== undefined)
      invalid(
        `config.${key}`,
        o.config[key as keyof typeof o.config],
        `left out: the walk sets it (pass ${key === 'signal' ? 'the signal option' : 'the first request as the target'})`,
      );
  if (o.items !== undefined && typeof o.items !== 'function') invalid('items', o.items, 'a function');
  if (
    o.signal !== undefined &&
    !(
      typeof o.signal === 'object' &&
      o.signal !== null &&
      typeof o.signal.addEventListener === 'function' &&
      typeof o.signal.aborted === 'boolean'
    )
  )
    invalid('signal', o.signal, 'an AbortSignal');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') invalid('onProgress', o.onProgress, 'a function');
  if (o.resume !== undefined && !isCheckpoint(o.resume))
    invalid('resume', o.resume, 'a checkpoint from PaginationError.checkpoint or a page');
  if (o.resume !== undefined && o.resume.strategy !== strategy.name)
    invalid('resume.strategy', o.resume.strategy, `the strategy of this walk ("${strategy.name}")`);
  const origins = o.allowOrigins ?? [];
  const isOrigin = (x: unknown) => typeof x === 'string' && /^https?:\/\/[^/*\s]+$/i.test(x.replace(/\/$/, ''));
  if (!Array.isArray(origins) || !origins.every(isOrigin))
    invalid('allowOrigins', origins, 'an array of origins such as "https://api2.example.com" (no wildcards, no paths)');
  const concurrency = o.concurrency === undefined ? 4 : numberOption('concurrency', o.concurrency, 1, true);
  return {
    ...o,
    strategy,
    concurrency,
    lookAhead:
      o.lookAhead === undefined
        ? 2 * concurrency
        : o.lookAhead === Infinity
          ? Infinity
          : numberOption('lookAhead', o.lookAhead, concurrency, true),
    maxItems: cap('maxItems', o.maxItems, Infinity),
    maxPages: cap('maxPages', o.maxPages, Infinity),
    maxRequests: cap('maxRequests', o.maxRequests, 10_000),
    allowOrigins: new Set(origins.map((origin) => new URL(origin).origin)),
    checkTotal: o.checkTotal ?? true,
    revalidate,
  };
}

/** The first request from what the caller passed: a URL, or a URL with params. */
export function startRequest(target: string | PageRequest): PageRequest {
  if (typeof target === 'string') return withQueryAsParams({ url: target });
  if (typeof target !== 'object' || target === null || typeof target.url !== 'string')
    invalid('request', target, 'a URL or { url, params }');
  if (target.params !== undefined && (typeof target.params !== 'object' || target.params === null || Array.isArray(target.params)))
    invalid('request.params', target.params, 'an object of query parameters');
  return withQueryAsParams({ url: target.url, ...(target.params && { params: target.params }) });
}

/**
 * Moves the first URL's query into `params` (`/posts?_page=1` → `/posts` + `{ _page: '1' }`), so a strategy
 * that sets the page parameter replaces it instead of appending a second one the API may read first.
 */
function withQueryAsParams(request: PageRequest): PageRequest {
  const at = request.url.indexOf('?');
  if (at < 0) return request;
  const query = Object.fromEntries(new URLSearchParams(request.url.slice(at + 1)));
  return { url: request.url.slice(0, at), params: { ...query, ...request.params } };
}
