// One process of a P6 fleet: fetches its share of the pages through a Redis-backed limiter shared by id,
// as the contender named in argv sets it up. Reports the item ids of each page over IPC.
import axios from 'axios';
import http from 'node:http';
import { fleetMember } from './contenders.js';

interface Job {
  contender: string;
  redisPort: number;
  id: string;
  apiUrl: string;
  pages: number[];
  maxConcurrent: number;
}

const job = JSON.parse(process.argv[2] as string) as Job;
const api = axios.create({ baseURL: job.apiUrl, timeout: 5000, httpAgent: new http.Agent({ keepAlive: true }) });
const member = fleetMember(api, job);
await member.limiter.ready();
await new Promise<void>((resolve) => {
  process.once('message', () => resolve());
  process.send?.({ ready: true });
});
const bodies = await Promise.all(
  job.pages.map(async (page) => ({ page, ids: (await member.fetchPage(page)).data.items.map((i) => i.id) })),
);
process.send?.({ bodies });
await member.close();
process.disconnect?.();
