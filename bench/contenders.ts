// The ways a user collects a paginated page-number API (`/page?page=n`, `total_pages` in the body), each as
// its README suggests. Every collector returns the item ids in the order it yields them.
import axios, { type AxiosInstance } from 'axios';
import axiosRateLimit from 'axios-rate-limit';
import axiosRetry, { exponentialDelay, isNetworkOrIdempotentRequestError } from 'axios-retry';
import Bottleneck from 'bottleneck';
import got from 'got';
import http from 'node:http';
import pLimit from 'p-limit';
import { attach, collect, pageNumber, type SteadyOptions } from 'axios-steady';

export interface CollectOptions {
  readonly concurrency: number;
  /** Per-attempt timeout (hung requests). */
  readonly timeoutMs: number;
  /** A rate the user guessed for rate-limiting contenders (requests/s). */
  readonly guessedRps: number;
}

interface PageBody {
  items: { id: number }[];
  total_pages: number;
}

export type Collector = (baseURL: string, options: CollectOptions) => Promise<number[]>;

const agent = () => new http.Agent({ keepAlive: true, maxSockets: 64 });
const idsOf = (pages: PageBody[]) => pages.flatMap((p) => p.items.map((i) => i.id));

/** axios-retry as its README sets it up, plus 429 (not in its default condition). */
export function withAxiosRetry(api: AxiosInstance): AxiosInstance {
  axiosRetry(api, {
    retries: 10,
    shouldResetTimeout: true,
    retryDelay: exponentialDelay,
    retryCondition: (e) => isNetworkOrIdempotentRequestError(e) || e.response?.status === 429 || e.code === 'ECONNABORTED',
  });
  return api;
}

/** What a fleet member is told: its contender, the Redis and the limiter id the fleet shares, the limit. */
export interface FleetMemberJob {
  readonly contender: string;
  readonly redisPort: number;
  readonly id: string;
  readonly maxConcurrent: number;
}

/**
 * One member of a fleet (benches P6, P9) as its contender sets it up, on `api`: axios-steady attached with a
 * Redis-backed limiter shared by id (`attachWith`: the build under test), or — without axios-steady — what a fleet
 * builds today, bottleneck's Redis clustering for the limit and axios-retry for the 429s.
 */
export function fleetMember(api: AxiosInstance, job: FleetMemberJob, attachWith: typeof attach = attach) {
  const datastore = { id: job.id, datastore: 'ioredis' as const, clientOptions: { host: '127.0.0.1', port: job.redisPort } };
  const steady =
    job.contender === 'axios-retry + bottleneck (Redis)'
      ? undefined
      : attachWith(api, {
          limiter: { ...datastore, maxConcurrent: job.maxConcurrent },
          retry: { retries: 10 },
          quota: job.contender !== 'axios-steady, quota: false',
        });
  const limiter = steady?.limiter ?? new Bottleneck({ ...datastore, maxConcurrent: job.maxConcurrent });
  if (!steady) withAxiosRetry(api);
  const get = (page: number) => api.get<{ items: { id: number }[] }>('/page', { params: { page } });
  return {
    limiter,
    fetchPage: steady ? get : (page: number) => limiter.schedule(() => get(page)),
    close: async () => (steady ? steady.detach() : await limiter.disconnect()),
  };
}

/** First page, then pages 2..n through `schedule` (a limiter or semaphore), in order. */
async function fanOut(api: AxiosInstance, schedule: <T>(fn: () => Promise<T>) => Promise<T>): Promise<number[]> {
  const first = (await schedule(() => api.get<PageBody>('/page', { params: { page: 1 } }))).data;
  const rest = await Promise.all(
    Array.from({ length: first.total_pages - 1 }, (_, i) => schedule(() => api.get<PageBody>('/page', { params: { page: i + 2 } }))),
  );
  return idsOf([first, ...rest.map((r) => r.data)]);
}

/** axios-steady attached with `options`, collecting every page with a stated page count. */
function steadyCollector(options: SteadyOptions): Collector {
  return async (baseURL, o) => {
    const api = axios.create({ baseURL, timeout: o.timeoutMs, httpAgent: agent() });
    const steady = attach(api, options);
    try {
      const items = await collect<{ id: number }>(api, '/page', {
        strategy: pageNumber({ totalPages: (r) => r.data.total_pages }),
        concurrency: o.concurrency,
      });
      return items.map((i) => i.id);
    } finally {
      steady.detach();
    }
  };
}

export const collectors: Record<string, Collector> = {
  // As every contender: only the timeout and the retries are set; the default retry budget tells this flaky
  // API from a dead one (it earns retries from successes).
  'axios-steady': steadyCollector({ retry: { retries: 10 } }),
  // The same, with hedging at the p95 latency (off by default).
  'axios-steady, hedge: true': steadyCollector({ retry: { retries: 10 }, hedge: true }),
  // Hedging with a 10 ms backoff base: what is left after hedging is backoff (pages that fail 4–5 times in a row).
  'axios-steady, hedge: true, baseDelay 10': steadyCollector({ retry: { retries: 10, baseDelay: 10 }, hedge: true }),
  'axios-retry + bottleneck': (baseURL, o) => {
    const api = withAxiosRetry(axios.create({ baseURL, timeout: o.timeoutMs, httpAgent: agent() }));
    const limiter = new Bottleneck({ maxConcurrent: o.concurrency });
    return fanOut(api, (fn) => limiter.schedule(fn));
  },
  'axios-rate-limit + axios-retry': (baseURL, o) => {
    const api = withAxiosRetry(
      axiosRateLimit(axios.create({ baseURL, timeout: o.timeoutMs, httpAgent: agent() }), { maxRPS: o.guessedRps }),
    );
    const limit = pLimit(o.concurrency);
    return fanOut(api, (fn) => limit(fn));
  },
  'reference script (p-limit 5 + retry)': (baseURL, o) => {
    // The recipe users copy from httpx/requests scripts: a semaphore of 5, Retry-After on 429, backoff on 5xx.
    const api = axios.create({ baseURL, timeout: o.timeoutMs, httpAgent: agent() });
    const limit = pLimit(5);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const withRetry = async <T>(fn: () => Promise<T>): Promise<T> => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn();
        } catch (error) {
          if (attempt >= 10 || !axios.isAxiosError(error)) throw error;
          const retryAfter = Number(error.response?.headers['retry-after']);
          await sleep(error.response?.status === 429 && retryAfter >= 0 ? retryAfter * 1000 : 2 ** attempt * 100 + Math.random() * 100);
        }
      }
    };
    return fanOut(api, (fn) => limit(() => withRetry(fn)));
  },
  'got.paginate (sequential)': async (baseURL, o) => {
    const ids: number[] = [];
    const pages = got.paginate<{ id: number }>(`${baseURL}/page?page=1`, {
      agent: { http: agent() },
      timeout: { request: o.timeoutMs },
      retry: {
        limit: 10,
        methods: ['GET'],
        statusCodes: [429, 500, 502, 503, 504],
        errorCodes: ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE'],
      },
      pagination: {
        transform: (response) => (JSON.parse(response.body as string) as PageBody).items,
        paginate: ({ response }) => {
          const body = JSON.parse(response.body as string) as PageBody & { page: number };
          return body.page < body.total_pages ? { searchParams: { page: body.page + 1 } } : false;
        },
      },
    });
    for await (const item of pages) ids.push(item.id);
    return ids;
  },
  'axios loop (sequential)': async (baseURL, o) => {
    const api = withAxiosRetry(axios.create({ baseURL, timeout: o.timeoutMs, httpAgent: agent() }));
    const pages: PageBody[] = [];
    for (let page = 1; ; page++) {
      const body = (await api.get<PageBody>('/page', { params: { page } })).data;
      pages.push(body);
      if (page >= body.total_pages) return idsOf(pages);
    }
  },
};

/** Every id 0..n-1 exactly once, in order. */
export const complete = (ids: number[], n: number) => ids.length === n && ids.every((id, i) => id === i);
