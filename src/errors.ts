import type { Checkpoint } from './paginate/types.js';

/** Why a walk over pages stopped early. */
export type PaginationErrorCode =
  /** A page still failed after retries; `cause` is its AxiosError. */
  | 'PAGE_FAILED'
  /** The caller's AbortSignal ended the walk. */
  | 'ABORTED'
  /** A next request repeats one already made (a repeated cursor, an A→B→A cycle). */
  | 'LOOP'
  /** A next link points at an origin not allowed by `allowOrigins`. */
  | 'CROSS_ORIGIN'
  /** A next link is not http(s), or not a URL at all. */
  | 'UNSAFE_URL'
  /** The request cap (`maxRequests`) was reached: the API never said "last page". */
  | 'MAX_REQUESTS'
  /** The API stated a total, and what was collected differs from it. */
  | 'TOTAL_MISMATCH'
  /** A page's body holds no item array and no `items` option says where it is. */
  | 'ITEMS_NOT_FOUND'
  /** No strategy was given and the first page names no next page, while its total says more items exist. */
  | 'STRATEGY_UNKNOWN'
  /** A page holds the same items as the one before it: the API ignores the page parameter (or clamps it). */
  | 'STUCK';

/**
 * The one error pagination throws. Nothing fetched is lost: `items` holds every item before the failure
 * (in order, each once) and `checkpoint` (JSON-serializable) resumes exactly where it stopped.
 *
 * @example
 * try { all = await collect(api, '/items', opts); }
 * catch (e) { if (e instanceof PaginationError) save(e.items, e.checkpoint); }
 */
export class PaginationError<T = unknown> extends Error {
  override readonly name = 'PaginationError';

  constructor(
    readonly code: PaginationErrorCode,
    message: string,
    /** Items collected before the failure (collect() fills it; the iterator leaves what it yielded to you). */
    readonly items: T[],
    /** Pass as `resume` to continue from the first page not yet yielded; null when nothing remains. */
    readonly checkpoint: Checkpoint | null,
    options?: { cause?: unknown },
  ) {
    super(`axios-steady: ${message}`);
    if (options && 'cause' in options) Object.defineProperty(this, 'cause', { value: options.cause, configurable: true, writable: true });
  }

  /** The same error with other items or another checkpoint (the iterator restamps, collect() fills items). */
  with<U>(changes: { items?: U[]; checkpoint?: Checkpoint | null }): PaginationError<U> {
    const message = this.message.replace(/^axios-steady: /, '');
    return new PaginationError<U>(
      this.code,
      message,
      changes.items ?? [],
      changes.checkpoint === undefined ? this.checkpoint : changes.checkpoint,
      { cause: this.cause },
    );
  }
}
