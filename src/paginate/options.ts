import { invalid, numberOption } from '../options.js';
import { linkHeader } from './strategies/link-header.js';
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
    Number.isInteger(c.items)
  );
}

/** Validates pagination options; a TypeError names the option and the value. */
export function walkOptions<T>(options: PaginateOptions<T> | undefined): WalkOptions<T> {
  const o = options ?? {};
  if (typeof o !== 'object' || Array.isArray(o)) invalid('paginate options', o, 'an object');
  for (const key of Object.keys(o))
    if (!KEYS.includes(key)) invalid(key, (o as Record<string, unknown>)[key], `one of the known options (${KEYS.join(', ')})`);
  const strategy = o.strategy ?? linkHeader();
  if (!isStrategy(strategy))
    invalid('strategy', strategy, 'a strategy (linkHeader(), cursor(), nextUrl(), pageNumber(), offset() or your own)');
  if (o.items !== undefined && typeof o.items !== 'function') invalid('items', o.items, 'a function');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') invalid('onProgress', o.onProgress, 'a function');
  if (o.resume !== undefined && !isCheckpoint(o.resume))
    invalid('resume', o.resume, 'a checkpoint from PaginationError.checkpoint or a page');
  if (o.resume !== undefined && o.resume.strategy !== strategy.name)
    invalid('resume.strategy', o.resume.strategy, `the strategy of this walk ("${strategy.name}")`);
  const origins = o.allowOrigins ?? [];
  if (!Array.isArray(origins) || !origins.every((x) => typeof x === 'string')) invalid('allowOrigins', origins, 'an array of origins');
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
    maxItems: o.maxItems === undefined ? Infinity : numberOption('maxItems', o.maxItems, 1, true),
    maxPages: o.maxPages === undefined ? Infinity : numberOption('maxPages', o.maxPages, 1, true),
    maxRequests: o.maxRequests === undefined ? 10_000 : numberOption('maxRequests', o.maxRequests, 1, true),
    allowOrigins: new Set(origins.map((origin) => new URL(origin).origin)),
    checkTotal: o.checkTotal ?? true,
  };
}

/** The first request from what the caller passed: a URL, or a URL with params. */
export function startRequest(target: string | PageRequest): PageRequest {
  if (typeof target === 'string') return { url: target };
  if (typeof target !== 'object' || target === null || typeof target.url !== 'string')
    invalid('request', target, 'a URL or { url, params }');
  return { url: target.url, ...(target.params && { params: target.params }) };
}
