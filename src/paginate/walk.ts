import { isAxiosError, isCancel, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { PaginationError } from '../errors.js';
import { invalid } from '../util/validate.js';
import type { SteadyRequestOptions } from '../types.js';
import { contentType, excerpt } from './body.js';
import { startRequest, walkOptions, type WalkOptions } from './walk-options.js';
import { conditional, keep, refreshed, revived, type StoredPage } from './revalidate.js';
import { Tally, type Fetched, type Step } from './tally.js';
import { isAttached, onRest, pageInfo, pageSteady, requestPage } from './transport.js';
import type { Page, PagePlan, PageRequest, PaginateOptions, Strategy } from './types.js';
import { absoluteUrl, followable, requestKey } from './url.js';
import { FetchWindow } from './window.js';
import { within } from '../telemetry/otel.js';
import { readPage } from './read-page.js';
import { endWalkSpan, pageEvent, startWalkSpan, type WalkSpan } from './walk-span.js';

/**
 * One walk over the pages of an API. The story: vet the first request and fetch it; ask the strategy whether
 * the first page plans the rest (then fetch it in parallel, in order) or names each next page (then follow
 * them one by one); every request is vetted before it is sent (origin, scheme, loop), every page is read and
 * accounted (caps, totals, checkpoints), and a failure becomes a PaginationError whose checkpoint resumes at
 * the first page not yielded. `pages()` drives it; the request layer is reached through `transport.ts` only.
 */
export class Walk<T> {
  private readonly o: WalkOptions<T>;
  private readonly strategy: Strategy;
  private readonly first: PageRequest;
  private readonly origin: string;
  private readonly tally: Tally<T>;
  /** Every request of the walk, as an absolute URL with its query sorted: a repeat is a loop. */
  private readonly seen = new Set<string>();
  /** Aborts every page request still in flight (each listens to its own controller: see `send`). */
  private readonly stop = new AbortController();
  private readonly inFlight = new Set<AbortController>();
  private readonly unlink: () => void;
  private window: FetchWindow<Fetched<T>> | undefined;
  /** With a page store (`revalidate`): the walk's key in it, and what this walk keeps of each page, by request. */
  private readonly walkKey: string;
  private readonly kept = new Map<string, StoredPage>();
  /** With a registered OpenTelemetry tracer: the walk's span (its pages' requests are its children). */
  private trace: WalkSpan | undefined;

  constructor(
    private readonly api: AxiosInstance,
    target: string | PageRequest,
    options: PaginateOptions<T> | undefined,
  ) {
    if (typeof (api as Partial<AxiosInstance> | undefined)?.request !== 'function') invalid('api', api, 'an axios instance');
    this.o = walkOptions(options);
    this.strategy = this.o.strategy;
    this.first = this.strategy.first(startRequest(target));
    const firstUrl = absoluteUrl(api, this.first, this.o.config);
    this.origin = firstUrl.origin;
    this.walkKey = `${this.strategy.name} ${requestKey(firstUrl)}`;
    this.tally = new Tally<T>(this.o, this.strategy);
    this.stop.signal.addEventListener('abort', () => {
      for (const page of this.inFlight) page.abort(this.stop.signal.reason);
    });
    const given = this.o.signal;
    const onAbort = () => this.stop.abort(given?.reason);
    if (given?.aborted) onAbort();
    given?.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => given?.removeEventListener('abort', onAbort);
  }

  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let failure: unknown;
    this.trace = startWalkSpan(`${this.origin}${this.first.url.startsWith('/') ? this.first.url : ''}`);
    try {
      const { request, url } = this.vet(this.o.resume?.next ?? this.first);
      const page = { ...(await this.fetch(request, url, 0)), itemsBefore: this.tally.items };
      let plan: PagePlan | undefined;
      try {
        plan = this.survey(page);
      } catch (error) {
        // What the strategy found wrong with the first page (no way to the rest, an unreadable Link header)
        // comes after the page itself: its items are not lost.
        if (!(error instanceof PaginationError)) throw error;
        yield this.tally.account(page, null).page;
        throw error;
      }
      for await (const next of plan ? this.planned(page, plan) : this.followed(page)) {
        if (this.trace) pageEvent(this.trace, next);
        yield next;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (this.trace) endWalkSpan(this.trace, this.strategy, this.tally, failure);
      this.unlink();
      // break, return or a failure: cancel what is still in flight; nothing is fetched after the walk ends.
      if (this.window?.busy) this.stop.abort();
    }
  }

  /** What the first page says of the whole walk: its totals, and a plan of the rest when it states one. */
  private survey(page: Fetched<T>): PagePlan | undefined {
    const { strategy, tally } = this;
    tally.totalItems = strategy.totalItems?.(page);
    const plan = strategy.plan?.(page);
    if (plan) tally.totalPages = tally.pages + 1 + plan.remaining;
    else tally.totalPages = strategy.totalPages?.(page);
    return plan;
  }

  /** The rest of a planned walk, fetched ahead in a window (up to `concurrency` at once) and yielded in order. */
  private async *planned(page: Fetched<T>, plan: PagePlan): AsyncGenerator<Page<T>, void, undefined> {
    const last = Math.min(plan.remaining, this.o.maxPages - 1);
    const nextOf = (i: number) => (i < plan.remaining ? plan.request(i + 1) : null);
    this.window = new FetchWindow(
      (i, rest) => this.fetchPlanned(plan, i, rest),
      last,
      this.o.concurrency,
      this.o.lookAhead,
      isAttached(this.api),
    );
    this.window.fill();
    let step = this.tally.account(page, nextOf(0));
    for (let i = 1; ; i++) {
      yield step.page;
      if (step.error) throw step.error;
      if (step.done || i > last) return this.commit(step);
      page = await this.window.take(i).catch((error: unknown) => this.restamp(error));
      step = this.tally.account(page, nextOf(i));
    }
  }

  /** Planned page `i`. A short one (the API served fewer than it said) is completed, so no item is skipped. */
  private async fetchPlanned(plan: PagePlan, i: number, rest: (ms: number) => void): Promise<Fetched<T>> {
    const target = this.vet(plan.request(i));
    const got = await this.fetch(target.request, target.url, i, rest);
    try {
      for (let more = plan.rest ? plan.rest(got.request, got.items.length) : null; more;) {
        const extra = await this.fetch(this.vet(more).request, target.url, i, rest);
        if (extra.items.length === 0) break;
        got.items.push(...extra.items);
        more = plan.rest?.(got.request, got.items.length) ?? null;
      }
    } catch (error) {
      // Completing it failed: the page was not yielded, so the checkpoint is the page itself.
      throw error instanceof PaginationError && error.checkpoint
        ? error.with({ checkpoint: this.tally.checkpointAt(target.request) })
        : error;
    }
    return got;
  }

  /** A walk the strategy leads page by page: each page names the next, vetted before it is sent. */
  private async *followed(page: Fetched<T>): AsyncGenerator<Page<T>, void, undefined> {
    for (;;) {
      let next: PageRequest | null = null;
      let refused: PaginationError | undefined;
      try {
        next = this.strategy.next({ ...page, itemsBefore: this.tally.items });
      } catch (error) {
        if (!(error instanceof PaginationError)) throw error;
        refused = error;
      }
      const step = this.tally.account(page, next);
      yield step.page;
      if (refused) throw refused;
      if (step.error) throw step.error;
      if (step.done || next === null) return this.commit(step);
      const { request, url } = this.vet(next, page.url, page.request);
      page = await this.fetch(request, url, page.index + 1);
    }
  }

  /**
   * A walk that reached its end (every page yielded and taken) hands what it kept to the page store: the next walk
   * asks about these pages. Not after a failure or a cap — a failed walk must never make the next one skip stale
   * pages (a 304 for a page it did not see again) — and not for a resumed walk, which has not seen the pages
   * before its checkpoint: the store keeps the last complete walk's pages, whose validators are still right.
   */
  private async commit(step: Step<T>): Promise<void> {
    const store = this.o.revalidate;
    if (store && step.complete && !this.o.resume) await store.set(this.walkKey, this.kept);
  }

  /**
   * Resolves and vets a request before it is sent: scheme, origin, loop. A *link* — a new URL a page named
   * (a Link header, a next URL in the body) — resolves against the page that named it; a request that keeps
   * the previous one's URL and changes its params (page numbers, cursors, offsets) keeps those params, whether
   * that URL is relative to the baseURL or absolute.
   */
  private vet(request: PageRequest, from?: URL, previous?: PageRequest): { request: PageRequest; url: URL } {
    const { o, origin } = this;
    const checkpoint = this.tally.checkpointAt(request);
    const linked = from !== undefined && previous !== undefined && request.url !== previous.url;
    let url: URL;
    if (linked) {
      url = followable(request.url, from, origin, o.allowOrigins, checkpoint);
      for (const [name, value] of Object.entries(request.params ?? {})) url.searchParams.set(name, String(value));
    } else url = followable(absoluteUrl(this.api, request, o.config).href, new URL(origin), origin, o.allowOrigins, checkpoint);
    const key = requestKey(url);
    if (this.seen.has(key))
      throw new PaginationError('LOOP', `the next page repeats a request already made (${url.href}); the API is looping`, [], checkpoint);
    this.seen.add(key);
    return { request: linked ? { url: url.href } : request, url };
  }

  /** One page: sent (within maxRequests), then read. `rest`: told when the page rests in a retry's backoff. */
  private async fetch(request: PageRequest, url: URL, index: number, rest?: (ms: number) => void): Promise<Fetched<T>> {
    const { o, tally } = this;
    const checkpoint = tally.checkpointAt(request);
    if (++tally.requests > o.maxRequests)
      throw new PaginationError(
        'MAX_REQUESTS',
        `more than ${o.maxRequests} page requests; raise maxRequests if the API is really this long`,
        [],
        checkpoint,
      );
    const controller = new AbortController();
    if (this.stop.signal.aborted) controller.abort(this.stop.signal.reason);
    this.inFlight.add(controller);
    if (rest) onRest(controller.signal, rest);
    let sent: { response: AxiosResponse; url: URL };
    const pageKey = requestKey(url);
    let stored: StoredPage | undefined;
    try {
      stored = await o.revalidate?.get(this.walkKey, pageKey);
      const steady: SteadyRequestOptions = pageSteady(o.config?.steady);
      const redirect = (location: string, at: URL) => followable(location, at, this.origin, o.allowOrigins, checkpoint);
      const config = { ...o.config, steady, signal: controller.signal, ...(o.revalidate && asking(o.config, stored)) };
      const send = () => requestPage(this.api, config, request, redirect, url, this.origin);
      sent = await (this.trace ? within(this.trace.context, send) : send());
    } catch (error) {
      if (error instanceof PaginationError) throw error; // a redirect refused before anything was sent there
      const aborted = this.stop.signal.aborted || isCancel(error);
      throw new PaginationError(
        aborted ? 'ABORTED' : 'PAGE_FAILED',
        aborted ? 'aborted' : `page ${url.href} failed: ${describeFailure(error)}`,
        [],
        checkpoint,
        {
          cause: error,
        },
      );
    } finally {
      this.inFlight.delete(controller);
    }
    tally.retries += pageInfo(sent.response)?.retries ?? 0;
    let response = sent.response;
    if (response.status === 304) {
      if (!stored)
        throw new PaginationError(
          'PAGE_FAILED',
          `page ${url.href} answered 304 Not Modified, but the page store holds no page for it (a 304 is not an empty page)`,
          [],
          checkpoint,
        );
      response = await revived(response, stored);
      tally.revalidated++;
      this.kept.set(pageKey, refreshed(stored, sent.response));
    }
    const page = await readPage(response, request, sent.url, index, response !== sent.response, o.items, tally.checkpointAt(request));
    if (o.revalidate && response === sent.response) {
      const kept = keep(response, response.data);
      if (kept) this.kept.set(pageKey, kept);
    }
    return page;
  }

  /** A page fetched ahead fails when it is its turn: its checkpoint must count what was yielded by then. */
  private restamp(error: unknown): never {
    if (!(error instanceof PaginationError) || error.checkpoint === null) throw error;
    throw error.with({ checkpoint: this.tally.checkpointAt(error.checkpoint.next) });
  }
}

/** A page request of a walk with a page store: the kept page's validators sent, a 304 accepted as an answer. */
function asking(config: AxiosRequestConfig | undefined, stored: StoredPage | undefined): AxiosRequestConfig {
  const valid = config?.validateStatus;
  return {
    ...(stored && { headers: { ...(config?.headers as object), ...conditional(stored) } }),
    validateStatus: (status) => status === 304 || (valid === undefined ? status >= 200 && status < 300 : valid === null || valid(status)),
  };
}

/** Why a page request failed, in words: the error, why it was not retried further, and what the server said. */
function describeFailure(error: unknown): string {
  if (!isAxiosError(error)) return error instanceof Error ? error.message : String(error);
  const info = pageInfo(error);
  const response = error.response;
  const said =
    response && response.status >= 400 && response.data !== undefined && response.data !== ''
      ? ` — the server said ${excerpt(response)}`
      : '';
  const broken =
    response && response.status < 400 && typeof response.data === 'string'
      ? ` (the body, ${contentType(response) || 'no content-type'}, did not parse: ${excerpt(response, 80)})`
      : '';
  return `${error.message}${info?.reason ? ` (${info.reason})` : ''}${said}${broken}`;
}
