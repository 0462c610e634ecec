import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import type { Checkpoint, PageParams, PageRequest } from '../types.js';
import type { PageStore } from './revalidate.js';

export type { Checkpoint, PageParams, PageRequest };

/** A fetched page, as strategies see it. */
export interface PageContext<T = unknown> {
  readonly request: PageRequest;
  readonly response: AxiosResponse;
  readonly items: readonly T[];
  /** 0-based number of this page in the walk (after a resume, counting from the resumed page). */
  readonly index: number;
  /**
   * Items the walk had before this page (0, or a resumed checkpoint's count, on the first page). A strategy
   * that weighs a stated total against the pages (auto(), pageNumber({ totalItems })) counts them.
   */
  readonly itemsBefore?: number;
}

/** The rest of the walk when the first page tells how many pages there are; enables parallel fetching. */
export interface PagePlan {
  /** Pages after the first one. */
  readonly remaining: number;
  /** The request for page `index` (1 = the page after the first). */
  request(index: number): PageRequest;
  /** Items a planned page holds (all but the last); a shorter page is completed with `rest()`. */
  readonly pageSize?: number;
  /** The request for the items a short planned page did not return (offset paging only). */
  rest?(request: PageRequest, received: number): PageRequest | null;
}

/** What a finished collection did: for a summary line, a log, or a check. */
export interface CollectInfo extends Omit<Progress, 'etaMs'> {
  /** Whether the API stated a total and the items collected were checked against it. */
  readonly totalChecked: boolean;
}

/**
 * How to walk one API's pages. The built-in factories return these; write your own against the same
 * interface. Strategies are pure: they only compute requests from responses.
 */
export interface Strategy {
  /** Recorded in checkpoints; a checkpoint is only resumed by a strategy of the same name. */
  readonly name: string;
  /** The first request; a strategy may add its parameters (page=1, offset=0, limit). */
  first(request: PageRequest): PageRequest;
  /** The request after this page, or null when this was the last page. */
  next(page: PageContext): PageRequest | null;
  /** When the first page states the total: the rest of the walk, fetched in parallel. */
  plan?(first: PageContext): PagePlan | undefined;
  /** Total items of the whole collection, when the API states it. */
  totalItems?(page: PageContext): number | undefined;
  /** Pages of the whole walk, when the first page states it without a plan (a Link `rel="last"`): for progress. */
  totalPages?(first: PageContext): number | undefined;
}

/** Told after every page. Read-only. */
export interface Progress {
  readonly pages: number;
  readonly items: number;
  /** The strategy walking the pages; with the default `auto()`, what it chose from the first page. */
  readonly strategy: string;
  /** Page requests sent so far (a page's retries are inside its request: see `retries`). */
  readonly requests: number;
  readonly totalPages?: number;
  readonly totalItems?: number;
  /** Retries spent on pages so far (needs attach()). */
  readonly retries: number;
  /** Pages answered 304 and taken from the page store (`revalidate`) so far. */
  readonly revalidated?: number;
  readonly elapsedMs: number;
  /** Estimated ms to go, when the total is known. */
  readonly etaMs?: number;
}

/** Options of paginate(), paginate.pages() and collect(). */
export interface PaginateOptions<T> {
  /** How to find the next page. Default: `auto()`, which picks one from the first page. */
  strategy?: Strategy;
  /**
   * Where the items are in a response (may be async). Default: see `defaultItems`. It is given the response
   * as axios resolved it; without it, a body that came back as text (JSON, NDJSON) is parsed for the walk.
   */
  items?: (response: AxiosResponse) => readonly T[] | Promise<readonly T[]>;
  /** Stop (without error) after this many items. */
  maxItems?: number;
  /** Stop (without error) after this many pages. */
  maxPages?: number;
  /** Safety cap: more requests than this is an error (`MAX_REQUESTS`). Default 10 000. */
  maxRequests?: number;
  /** Pages fetched at once when the total is known. Default 4. */
  concurrency?: number;
  /**
   * Pages fetched ahead of your loop, at most (memory is O(lookAhead × page)). Default 2 × concurrency for
   * paginate(); collect() keeps everything anyway and does not bound it, so one page in a long backoff
   * never stalls the others.
   */
  lookAhead?: number;
  /** Origins (e.g. `https://api2.example.com`) a next link may point at besides the first request's. */
  allowOrigins?: readonly string[];
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** A checkpoint from an earlier run (PaginationError.checkpoint or a page's checkpoint). */
  resume?: Checkpoint;
  /** Report a stated total that differs from what was collected as `TOTAL_MISMATCH`. Default true. */
  checkTotal?: boolean;
  /**
   * Where pages are kept between walks (`memoryStore()`, or your own get/set store): each page is asked for with
   * its validators (If-None-Match / If-Modified-Since), and a 304 yields the kept page (`page.revalidated`). Pages
   * are kept only when a walk completes.
   */
  revalidate?: PageStore;
  /** Extra axios config for every page request (headers, timeout, steady options…). */
  config?: Omit<AxiosRequestConfig, 'url' | 'params' | 'signal'>;
}

/** One page as paginate.pages() yields it. */
export interface Page<T> {
  readonly items: T[];
  readonly response: AxiosResponse;
  readonly index: number;
  /**
   * Resumes after this page (also when maxPages or maxItems stopped the walk at its end); null when it was the
   * last page, or when maxItems cut it short.
   */
  readonly checkpoint: Checkpoint | null;
  /** Answered 304: the page is the one a page store kept (see `revalidate`). */
  readonly revalidated?: boolean;
}
