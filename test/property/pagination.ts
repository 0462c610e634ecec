// The pagination property, shared by the jest test (200 schedules) and `npm run property` (1,000): over every
// strategy (given, or detected by auto()), concurrency 1–8 and 0–40 % faults (503s, resets, hangs, JSON cut
// short, HTML pages, 429s with Retry-After: 0) and outages (which the health gate waits out, with a short
// patience here), a walk ends complete, or with a PaginationError whose items and a walk resumed from its
// checkpoint are exactly the items, once each, in order. No walk may hang: each is bounded by a deadline far
// beyond what it needs.
import axios, { type AxiosResponse } from 'axios';
import fc from 'fast-check';
import { attach, collect, cursor, linkHeader, nextUrl, offset, pageNumber, PaginationError, type Strategy } from '../../src/index.js';
import { startSimApi, type Paging, type SimOptions } from '../servers/sim-api.js';

const KINDS = {
  link: ['link', () => linkHeader()],
  cursor: ['cursor', () => cursor({ param: 'cursor', next: (r: AxiosResponse) => r.data.next_cursor })],
  next: ['next', () => nextUrl({ next: (r: AxiosResponse) => r.data.next })],
  page: ['page', () => pageNumber()],
  'page+total': ['page', () => pageNumber({ totalPages: (r) => r.data.total_pages, totalItems: (r) => r.data.total })],
  offset: ['offset', () => offset({ limit: 10 })],
  'offset+total': ['offset', () => offset({ limit: 10, total: (r) => r.data.total })],
  'auto:link': ['link', undefined],
  'auto:next': ['next', undefined],
  'auto:cursor': ['cursor', undefined],
  'auto:page': ['page', undefined],
  // Offsets are told by the first request naming them, as a caller of such an API does.
  'auto:offset': ['offset?offset=0&limit=10', undefined],
} satisfies Record<string, [`${Paging}${string}`, (() => Strategy) | undefined]>;
type Kind = keyof typeof KINDS;

const FAULTS = ['error503', 'reset', 'hang', 'truncated', 'html', 'error429'] as const;

export interface Schedule {
  kind: Kind;
  items: number;
  pageSize: number;
  concurrency: number;
  /** Share of page requests that fail, 0–0.4, split among the fault kinds by `mix`. */
  faultRate: number;
  mix: number[];
  seed: number;
  /** `retries` for page requests (`config.steady.retry`); undefined: the default (retry while the budget allows). */
  retries: number | undefined;
  /** The API goes down (every request a 503) from this logical page request on, until the resume. */
  outageAt: number | undefined;
}

export const schedules: fc.Arbitrary<Schedule> = fc.record({
  kind: fc.constantFrom(...(Object.keys(KINDS) as Kind[])),
  items: fc.integer({ min: 0, max: 50 }),
  pageSize: fc.integer({ min: 1, max: 10 }),
  concurrency: fc.integer({ min: 1, max: 8 }),
  faultRate: fc.integer({ min: 0, max: 40 }).map((percent) => percent / 100),
  mix: fc.array(fc.nat(10), { minLength: FAULTS.length, maxLength: FAULTS.length }),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  retries: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  outageAt: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
});

/** What the deadline allows one walk (and its resume); a walk needs well under a second. */
export const RUN_DEADLINE_MS = 30_000;
/** What a hung attempt costs before axios gives up on it. */
const ATTEMPT_TIMEOUT_MS = 150;
/** How long a page waits for a down API in these runs. */
const PATIENCE_MS = 700;

export interface Outcome {
  /** 'complete' on the first walk, or the code of the PaginationError that a resume then completed. */
  ended: string;
  requests: number;
  faults: number;
}

function faultsOf(s: Schedule): NonNullable<SimOptions['faults']> {
  const weight = s.mix.reduce((a, b) => a + b, 0);
  const faults: NonNullable<SimOptions['faults']> = { seed: s.seed };
  if (weight > 0) for (const [i, fault] of FAULTS.entries()) faults[fault] = (s.faultRate * (s.mix[i] ?? 0)) / weight;
  return faults;
}

const ids = (items: unknown[]) => items.map((item) => (item as { id: number }).id);
const sameIds = (got: unknown[], n: number, what: string) => {
  const list = ids(got);
  if (list.length !== n || list.some((id, i) => id !== i))
    throw new Error(`${what}: expected ids 0…${n - 1} once each, in order; got [${list.join(',')}]`);
};

async function deadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung: not settled after ${RUN_DEADLINE_MS} ms`)), RUN_DEADLINE_MS);
  });
  try {
    return await Promise.race([work, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one schedule; throws (with the reason) when the property does not hold. */
export async function runSchedule(s: Schedule): Promise<Outcome> {
  const [path, make] = KINDS[s.kind];
  const options: SimOptions = { items: s.items, pageSize: s.pageSize, faults: faultsOf(s) };
  const sim = await startSimApi(options);
  const api = axios.create({ baseURL: sim.url, timeout: ATTEMPT_TIMEOUT_MS });
  // The health gate on, with a short schedule: an outage (or faults that look like one) is waited for, one
  // probe at a time, for PATIENCE_MS; then the walk fails typed and the resume (the API back) completes it.
  const steady = attach(api, { retry: { baseDelay: 1, maxDelay: 20 }, health: { minProbeMs: 30, maxProbeMs: 200 } });
  let sent = 0;
  api.interceptors.request.use((config) => {
    if (sent++ === s.outageAt && options.faults) options.faults = { error503: 1 };
    return config;
  });
  const walk = (resume?: PaginationError['checkpoint']) =>
    collect(api, `/${path}`, {
      concurrency: s.concurrency,
      ...(make && { strategy: make() }),
      ...(resume && { resume }),
      config: {
        steady: { patience: PATIENCE_MS, ...(s.retries !== undefined && { retry: { retries: s.retries, baseDelay: 1, maxDelay: 20 } }) },
      },
    });
  try {
    try {
      sameIds(await deadline(walk(), 'the walk'), s.items, 'a complete walk');
      return { ended: 'complete', requests: sim.stats.requests, faults: sim.stats.faults };
    } catch (error) {
      if (!(error instanceof PaginationError)) throw error;
      if (error.checkpoint === null) throw new Error(`${error.code} without a checkpoint: ${error.message}`, { cause: error });
      // What was fetched is a prefix, and the rest comes from the checkpoint: the API recovers, the walk resumes.
      options.faults = undefined;
      const rest = await deadline(walk(error.checkpoint), 'the resumed walk');
      sameIds([...error.items, ...rest], s.items, `${error.code} (${error.message}) + resume`);
      return { ended: error.code, requests: sim.stats.requests, faults: sim.stats.faults };
    }
  } finally {
    steady.detach();
    await sim.close();
  }
}
