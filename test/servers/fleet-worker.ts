// One process of a fleet: an axios instance attached to a Redis-backed limiter shared by id, sending
// `paths` concurrently (the limiter decides when). Reports over IPC; exits when done.
import axios from 'axios';
import { attach, steadyInfo } from '../../src/index.js';

interface Job {
  redisPort: number;
  limiterId: string;
  apiUrl: string;
  paths: string[];
  limiter: Record<string, unknown>;
  timeout?: number;
  quota?: boolean;
  /** Connect to Redis only after "go" (so the process misses what was broadcast before it joined). */
  connectOnGo?: boolean;
}

const job = JSON.parse(process.argv[2] as string) as Job;
// The moment each attempt really starts (the adapter the steady adapter wraps), for the minTime check.
const starts: number[] = [];
const http = axios.getAdapter('http');
const api = axios.create({
  baseURL: job.apiUrl,
  timeout: job.timeout ?? 10_000,
  adapter: (config) => (starts.push(Date.now()), http(config)),
});
const join = async () => {
  const joined = attach(api, {
    retry: { retries: 5, baseDelay: 50 },
    ...(job.quota === false && { quota: false as const }),
    limiter: { id: job.limiterId, datastore: 'ioredis', clientOptions: { host: '127.0.0.1', port: job.redisPort }, ...job.limiter },
  });
  await joined.limiter.ready();
  return joined;
};
// Warm up (code compiled, and Redis connected unless connectOnGo), then wait for the parent's "go".
const early = job.connectOnGo ? undefined : await join();
await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  process.send?.({ ready: true });
});
const steady = early ?? (await join());
const results = await Promise.allSettled(job.paths.map((path) => api.get(path)));
const failures = results.flatMap((r) =>
  r.status === 'rejected' ? [`${(r.reason as Error).message} ${JSON.stringify(steadyInfo(r.reason)?.stoppedBy)}`] : [],
);
process.send?.({ done: results.length, failures, starts, stats: steady.stats() });
steady.detach();
setTimeout(() => process.exit(0), 200).unref();
