// One fleet worker: the same limiter id and Redis as its siblings, so all of them share maxConcurrent 3,
// the pause after a 429 and the quota learned from the API's RateLimit headers.
import axios from 'axios';
import { attach } from '../../src/index.js';

const { port, api: baseURL, pages } = JSON.parse(process.argv[2] as string) as { port: number; api: string; pages: number[] };
const api = axios.create({ baseURL, timeout: 5000 });
const steady = attach(api, {
  limiter: { id: 'example-fleet', datastore: 'ioredis', clientOptions: { host: '127.0.0.1', port }, maxConcurrent: 3 },
});
const bodies = await Promise.all(pages.map((page) => api.get<{ items: unknown[] }>('/page', { params: { page } })));
process.send?.({ items: bodies.reduce((n, r) => n + r.data.items.length, 0) });
steady.detach();
process.disconnect?.();
