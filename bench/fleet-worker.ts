// One process of a P6 fleet: fetches its share of the pages through a Redis-backed limiter shared by id,
// as the contender named in argv sets it up. Reports the item ids of each page over IPC.
import axios from 'axios';
import Bottleneck from 'bottleneck';
import http from 'node:http';
import { attach } from 'axios-steady';
import { withAxiosRetry } from './contenders.js';

interface Job {
  contender: string;
  redisPort: number;
  id: string;
  apiUrl: string;
  pages: number[];
  maxConcurrent: number;
}

const job = JSON.parse(process.argv[2] as string) as Job;
const datastore = { id: job.id, datastore: 'ioredis' as const, clientOptions: { host: '127.0.0.1', port: job.redisPort } };
const api = axios.create({ baseURL: job.apiUrl, timeout: 5000, httpAgent: new http.Agent({ keepAlive: true }) });

const steady =
  job.contender === 'axios-retry + bottleneck (Redis)'
    ? undefined
    : attach(api, {
        limiter: { ...datastore, maxConcurrent: job.maxConcurrent },
        retry: { retries: 10 },
        quota: job.contender !== 'axios-steady, quota: false',
      });
// Without axios-steady: what a fleet builds today, bottleneck's Redis clustering for the limit and
// axios-retry for the 429s.
const limiter = steady?.limiter ?? new Bottleneck({ ...datastore, maxConcurrent: job.maxConcurrent });
if (!steady) withAxiosRetry(api);
await limiter.ready();
await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  process.send?.({ ready: true });
});
const get = (page: number) => api.get<{ items: { id: number }[] }>('/page', { params: { page } });
const schedule = steady ? get : (page: number) => limiter.schedule(() => get(page));
const bodies = await Promise.all(job.pages.map(async (page) => ({ page, ids: (await schedule(page)).data.items.map((i) => i.id) })));
process.send?.({ bodies });
if (steady) steady.detach();
else await limiter.disconnect();
process.disconnect?.();
