// One OS process of a P9 fleet: hosts several "processes" of the fleet — each an axios instance with its own
// Redis-backed limiter (its own Redis connections), sharing one limiter id — and fetches their pages. Counts
// every command its Redis clients send (ioredis' sendCommand: what crosses the network, not what the
// scripts run inside Redis) and reports it with the item ids of each page.
import axios from 'axios';
import http from 'node:http';
import { Redis } from 'ioredis';
import { fleetMember } from '../contenders.js';

export interface ScaleJob {
  contender: string;
  redisPort: number;
  id: string;
  apiUrl: string;
  /** The pages of each hosted instance. */
  instances: number[][];
  maxConcurrent: number;
  /** The module to attach with (a built dist of another commit, for a before/after); default 'axios-steady'. */
  lib?: string;
}

const job = JSON.parse(process.argv[2] as string) as ScaleJob;
const sent = { commands: 0, counting: false };
const proto = Redis.prototype as unknown as { sendCommand: (...args: unknown[]) => unknown };
const original = proto.sendCommand;
proto.sendCommand = function (this: unknown, ...args: unknown[]) {
  if (sent.counting) sent.commands++;
  return original.apply(this, args);
};

const { attach } = (await import(job.lib ?? 'axios-steady')) as typeof import('axios-steady');
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

const hosted = job.instances.map((pages) => {
  const api = axios.create({ baseURL: job.apiUrl, timeout: 10_000, httpAgent: agent });
  return { pages, ...fleetMember(api, job, attach) };
});

await Promise.all(hosted.map((h) => h.limiter.ready()));
await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  process.send?.({ ready: true });
});
sent.counting = true;
const bodies = (
  await Promise.all(
    hosted.map((h) => Promise.all(h.pages.map(async (page) => ({ page, ids: (await h.fetchPage(page)).data.items.map((i) => i.id) })))),
  )
).flat();
sent.counting = false;
process.send?.({ bodies, commands: sent.commands });
await Promise.all(hosted.map((h) => h.close()));
process.disconnect?.();
