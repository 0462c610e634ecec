import { isAxiosError, isCancel, type AxiosInstance, type AxiosResponse } from 'axios';
import { isAttached } from '../attach.js';
import { steadyInfo } from '../request/history.js';
import { onRest } from '../request/rest.js';
import { PaginationError } from '../errors.js';
import { invalid } from '../options.js';
import { defaultItems, ITEM_KEYS } from './items.js';
import { startRequest, walkOptions } from './options.js';
import { Tally, type Fetched } from './tally.js';
import type { Page, PagePlan, PageRequest, PaginateOptions } from './types.js';
import { FetchWindow } from './window.js';
import { bodyHint, parsedBody, requestPage } from './request.js';
import { absoluteUrl, followable, requestKey } from './url.js';

/** Retries a page request asks for at least (the retry budget is what stops a dead API). */
export const PAGE_RETRIES = 100;

/**
 * Walks the pages of a paginated API, lazily: a page is fetched when the loop asks for it, except that
 * with a known total up to `concurrency` pages are fetched ahead (and never more). Every page request goes
 * through `api`, so an attached instance retries and throttles it. Stops with a {@link PaginationError}
 * whose checkpoint resumes exactly at the first page not yielded.
 *
 * @example
 * for await (const page of paginate.pages(api, { url: '/items', params: { per_page: 100 } }, { strategy: linkHeader() })) {
 *   await save(page.items, page.checkpoint);
 * }
 */
export async function* pages<T = unknown>(
  api: AxiosInstance,
  target: string | PageRequest,
  options?: PaginateOptions<T>,
): AsyncGenerator<Page<T>, void, undefined> {
  if (typeof (api as Partial<AxiosInstance> | undefined)?.request !== 'function') invalid('api', api, 'an axios instance');
  const o = walkOptions(options);
  const { strategy } = o;
  const first = strategy.first(startRequest(target));
  const origin = absoluteUrl(api, first, o.config).origin;
  const controller = new AbortController();
  // Each page request listens to its own signal, and one listener here aborts them all: page requests share
  // no signal, so a walk with many pages in flight never piles listeners onto one (MaxListenersExceeded).
  const pageControllers = new Set<AbortController>();
  controller.signal.addEventListener('abort', () => {
    for (const page of pageControllers) page.abort(controller.signal.reason);
  });
  const onAbort = () => controller.abort(o.signal?.reason);
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });

  // A page of a flaky API is retried while the retry budget allows, not abandoned after `retries` (an
  // explicit `config.steady.retry` keeps its own count).
  // A page whose body does not parse (an HTML error page, JSON cut short) is a failed attempt, retried like one.
  const pageSteady = {
    validateResponse: parsedBody,
    ...(o.config?.steady?.retry === undefined && { minRetries: PAGE_RETRIES }),
    ...o.config?.steady,
  };
  const seen = new Set<string>();
  const tally = new Tally<T>(o, strategy);
  const checkpointAt = (next: PageRequest | null) => tally.checkpointAt(next);

  /** Resolves and vets a request before it is sent: origin, scheme, loop. */
  const vet = (request: PageRequest, from: URL | undefined, previous?: PageRequest): { request: PageRequest; url: URL } => {
    // A link (absolute, or a new relative URL a Link header or body named) resolves against the page that
    // named it; a page-number, cursor or offset request keeps its URL and resolves against the baseURL.
    const linked =
      from !== undefined && (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(request.url) || (previous !== undefined && request.url !== previous.url));
    const url = linked
      ? followable(request.url, from, origin, o.allowOrigins, checkpointAt(request), [])
      : followable(absoluteUrl(api, request, o.config).href, new URL(origin), origin, o.allowOrigins, checkpointAt(request), []);
    const key = requestKey(url);
    if (seen.has(key))
      throw new PaginationError(
        'LOOP',
        `the next page repeats a request already made (${url.href}); the API is looping`,
        [],
        checkpointAt(request),
      );
    seen.add(key);
    return { request: linked ? { url: url.href } : request, url };
  };

  const fetchPage = async (request: PageRequest, url: URL, index: number, rest?: (ms: number) => void): Promise<Fetched<T>> => {
    if (++tally.requests > o.maxRequests)
      throw new PaginationError(
        'MAX_REQUESTS',
        `more than ${o.maxRequests} page requests; raise maxRequests if the API is really this long`,
        [],
        checkpointAt(request),
      );
    let response: AxiosResponse;
    let servedFrom: URL;
    const pageController = new AbortController();
    if (controller.signal.aborted) pageController.abort(controller.signal.reason);
    pageControllers.add(pageController);
    if (rest) onRest(pageController.signal, rest);
    try {
      const redirect = (location: string, from: URL) => followable(location, from, origin, o.allowOrigins, checkpointAt(request), []);
      ({ response, url: servedFrom } = await requestPage(
        api,
        { ...o.config, steady: pageSteady, signal: pageController.signal },
        request,
        redirect,
        url,
      ));
    } catch (error) {
      if (error instanceof PaginationError) throw error; // a redirect refused before anything was sent there
      const aborted = controller.signal.aborted || isCancel(error);
      throw new PaginationError(
        aborted ? 'ABORTED' : 'PAGE_FAILED',
        aborted ? 'aborted' : `page ${url.href} failed: ${isAxiosError(error) ? error.message : String(error)}${bodyHint(error)}`,
        [],
        checkpointAt(request),
        { cause: error },
      );
    } finally {
      pageControllers.delete(pageController);
    }
    tally.retries += steadyInfo(response)?.retries ?? 0;
    const items = o.items ? o.items(response) : defaultItems<T>(response);
    if (!Array.isArray(items))
      throw new PaginationError(
        'ITEMS_NOT_FOUND',
        o.items
          ? `items() found no array in the response of ${url.href}`
          : `no item array in the response of ${url.href}: not the body itself, nor under ${ITEM_KEYS.join(', ')}, hits.*, _embedded.*; pass an items() option`,
        [],
        checkpointAt(request),
      );
    return { request, response, items: [...items], index, url: servedFrom };
  };

  // A page fetched ahead fails when it is its turn: its checkpoint must count what was yielded by then.
  const restamp = (error: unknown): never => {
    if (!(error instanceof PaginationError) || error.checkpoint === null) throw error;
    throw error.with({ checkpoint: checkpointAt(error.checkpoint.next) });
  };
  let window: FetchWindow<Fetched<T>> | undefined;
  try {
    let { request, url } = vet(o.resume?.next ?? first, undefined);
    let page: Fetched<T> = { ...(await fetchPage(request, url, 0)), itemsBefore: tally.items };
    let plan: PagePlan | undefined;
    try {
      tally.totalItems = strategy.totalItems?.(page);
      plan = strategy.plan?.(page);
      if (!plan) tally.totalPages = strategy.totalPages?.(page);
    } catch (error) {
      // What the strategy found wrong with this page (no way to the rest, an unreadable Link header) comes
      // after the page itself: its items are not lost.
      if (!(error instanceof PaginationError)) throw error;
      yield tally.account(page, null).page;
      throw error;
    }
    if (plan) {
      tally.totalPages = tally.pages + 1 + plan.remaining;
      const last = Math.min(plan.remaining, o.maxPages - 1);
      const nextOf = (i: number) => (i < plan.remaining ? plan.request(i + 1) : null);
      const fetchPlanned = async (i: number, rest: (ms: number) => void): Promise<Fetched<T>> => {
        const target = vet(plan.request(i), undefined);
        const got = await fetchPage(target.request, target.url, i, rest);
        // A short planned page (the API served fewer than it said, the last one included) is completed, so no
        // item is skipped. If completing it fails, the page was not yielded: the checkpoint is the page itself.
        try {
          for (let r = plan.rest ? plan.rest(got.request, got.items.length) : null; r;) {
            const more = await fetchPage(vet(r, undefined).request, target.url, i, rest);
            if (more.items.length === 0) break;
            got.items.push(...more.items);
            r = plan.rest?.(got.request, got.items.length) ?? null;
          }
        } catch (error) {
          throw error instanceof PaginationError && error.checkpoint ? error.with({ checkpoint: checkpointAt(target.request) }) : error;
        }
        return got;
      };
      window = new FetchWindow(fetchPlanned, last, o.concurrency, o.lookAhead, isAttached(api));
      window.fill();
      let step = tally.account(page, nextOf(0));
      for (let i = 1; ; i++) {
        yield step.page;
        if (step.error) throw step.error;
        if (step.done || i > last) return;
        page = await window.take(i).catch(restamp);
        step = tally.account(page, nextOf(i));
      }
    }
    for (;;) {
      let next: PageRequest | null = null;
      let refused: PaginationError | undefined;
      try {
        next = strategy.next(page);
      } catch (error) {
        if (!(error instanceof PaginationError)) throw error;
        refused = error;
      }
      const step = tally.account(page, next);
      yield step.page;
      if (refused) throw refused;
      if (step.error) throw step.error;
      if (step.done || next === null) return;
      // Vetted before it is sent: a loop or a foreign link never reaches the network.
      ({ request, url } = vet(next, page.url, page.request));
      page = await fetchPage(request, url, page.index + 1);
    }
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    // break, return or a failure: cancel what is still in flight; nothing is fetched after the loop ends.
    if (window?.busy) controller.abort();
  }
}
