// One fleet worker: the same limiter id and Redis as its siblings, so all of them share maxConcurrent 3,
// the pause after a 429 and the quota learned from the API's RateLimit headers.
import axios from 'axios';
import { attach } from 'axios-steady';

const job = JSON.parse(process.argv[2] as string) as { port: number; api: string; pages: number[] };
const first = new URL(job.api);
const api = axios.create({ baseURL: first.origin, timeout: 5000 });
const steady = attach(api, {
  limiter: { id: 'example-fleet', datastore: 'ioredis', clientOptions: { host: '127.0.0.1', port: job.port }, maxConcurrent: 3 },
});
const bodies = await Promise.all(job.pages.map((page) => api.get<{ items: unknown[] }>(first.pathname, { params: { page } })));
process.send?.({ items: bodies.reduce((n, r) => n + r.data.items.length, 0) });
steady.detach();
process.disconnect?.();
