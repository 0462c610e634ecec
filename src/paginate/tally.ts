import { PaginationError } from '../errors.js';
import type { WalkOptions } from './walk-options.js';
import type { Checkpoint, Page, PageContext, PageRequest, Strategy } from './types.js';

/** A page as the walk holds it: what strategies see, plus the URL it was served from. */
export interface Fetched<T> extends PageContext<T> {
  readonly items: T[];
  readonly url: URL;
  /** Answered 304: taken from the page store. */
  readonly revalidated?: boolean;
  /** What the page's answer looked like (see read-page.ts' `signature`): equal for a page served twice. */
  readonly signature?: string | undefined;
}

/** What accounting a page gives the loop: the page to yield, whether the walk is done, an error to raise after it. */
export interface Step<T> {
  readonly page: Page<T>;
  readonly done: boolean;
  /** The walk reached its end (not a cap, not an error): what it kept may be committed. */
  readonly complete: boolean;
  readonly error?: PaginationError;
}

/**
 * The walk's books: pages, items, requests and retries so far (a resumed run counting on from its checkpoint),
 * the caps, the stated totals, progress reports and checkpoints. Pages pass through `account()` in order.
 */
export class Tally<T> {
  requests = 0;
  retries = 0;
  revalidated = 0;
  pages: number;
  items: number;
  totalPages: number | undefined;
  totalItems: number | undefined;
  private readonly startPages: number;
  private readonly startItems: number;
  private readonly started = Date.now();
  private previous: { signature: string | undefined; request: PageRequest } | undefined;

  constructor(
    private readonly o: WalkOptions<T>,
    private readonly strategy: Strategy,
  ) {
    this.pages = this.startPages = o.resume?.pages ?? 0;
    this.items = this.startItems = o.resume?.items ?? 0;
  }

  /** Where a run resumes to fetch `next`, given what was yielded so far; null at the end. */
  checkpointAt(next: PageRequest | null): Checkpoint | null {
    return next ? { version: 1, strategy: this.strategy.name, next, pages: this.pages, items: this.items } : null;
  }

  /** Applies the caps, counts the page, reports progress; `next` is the request after it (null: none). */
  account(page: Fetched<T>, next: PageRequest | null): Step<T> {
    this.checkNotStuck(page);
    const before = this.checkpointAt(page.request);
    const room = this.o.maxItems - (this.items - this.startItems);
    const items = page.items.length > room ? page.items.slice(0, room) : page.items;
    this.pages++;
    this.items += items.length;
    const capped = items.length >= room || this.pages - this.startPages >= this.o.maxPages;
    this.report();
    const mismatch = next === null && !capped && this.o.checkTotal && this.totalItems !== undefined && this.items !== this.totalItems;
    return {
      // A walk stopped by maxPages or maxItems at a page's end can be continued from where it stopped; one cut
      // inside a page cannot (a checkpoint names whole pages).
      page: {
        items,
        response: page.response,
        index: page.index,
        checkpoint: items.length < page.items.length ? null : this.checkpointAt(next),
        ...(page.revalidated && { revalidated: true }),
      },
      done: capped || next === null,
      complete: next === null && !capped && !mismatch,
      // Raised after this last page is yielded, so its items are not lost; its checkpoint fetches that last page
      // again (to check once more, when the API has settled).
      ...(mismatch && {
        error: new PaginationError(
          'TOTAL_MISMATCH',
          `the API stated ${this.totalItems} items, ${this.items} were collected (checkTotal: false accepts it)`,
          [],
          before,
        ),
      }),
    };
  }

  /**
   * An API that ignores the page parameter (or clamps it to the last page) serves the same page again: stop at
   * the first repeat, not after maxRequests pages of duplicates.
   */
  private checkNotStuck(page: Fetched<T>): void {
    const { signature, request } = page;
    const previous = this.previous;
    this.previous = { signature, request };
    if (signature === undefined || signature !== previous?.signature) return;
    const sent = Object.entries(request.params ?? {}).filter(([name, value]) => previous.request.params?.[name] !== value);
    const what = sent.length > 0 ? `sent ${sent.map(([name, value]) => `${name}=${value}`).join('&')}` : `sent ${page.url.href}`;
    throw new PaginationError(
      'STUCK',
      `page ${page.url.href} is the same as the page before it (${page.items.length} items): the API did not move on when ${what}. ` +
        'It ignores or clamps that parameter — or names its page parameter otherwise: then say which (cursor({ param }), pageNumber({ param }), offset({ param }))',
      [],
      this.checkpointAt(page.request),
    );
  }

  private report(): void {
    if (!this.o.onProgress) return;
    const elapsedMs = Date.now() - this.started;
    const left = this.totalPages === undefined ? undefined : Math.max(0, this.totalPages - this.pages);
    this.o.onProgress(
      Object.freeze({
        pages: this.pages,
        items: this.items,
        strategy: (this.strategy as { chosen?: string }).chosen ?? this.strategy.name,
        requests: this.requests,
        totalPages: this.totalPages,
        totalItems: this.totalItems,
        retries: this.retries,
        ...(this.revalidated > 0 && { revalidated: this.revalidated }),
        elapsedMs,
        ...(left !== undefined && { etaMs: Math.round((elapsedMs / (this.pages - this.startPages)) * left) }),
      }),
    );
  }
}
