// A long crawl that saves a checkpoint after every page, stops (here: a failing page), and resumes from
// the saved file where it left off. Run: npx tsx examples/resume-checkpoint.ts
import axios from 'axios';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attach, offset, paginate, PaginationError, type Checkpoint } from '../src/index.js';
import { startSimApi } from '../test/servers/sim-api.js';

const sim = await startSimApi({ items: 500, pageSize: 50 });
const api = axios.create({ baseURL: sim.url });
const steady = attach(api, { retry: { retries: 1, baseDelay: 10 } });
const file = join(mkdtempSync(join(tmpdir(), 'crawl-')), 'checkpoint.json');
const strategy = offset({ limit: 50 });
const saved: number[] = [];

// Run 1: the API breaks at offset 250 (simulated by sending that page to a 503 endpoint).
const breaker = api.interceptors.request.use((config) => (config.params?.offset === 250 ? { ...config, url: '/status/503' } : config));
try {
  for await (const page of paginate.pages<{ id: number }>(api, '/offset', { strategy })) {
    saved.push(...page.items.map((i) => i.id));
    if (page.checkpoint) writeFileSync(file, JSON.stringify(page.checkpoint));
  }
} catch (error) {
  if (!(error instanceof PaginationError)) throw error;
  console.log(`run 1 stopped (${error.code}) after ${saved.length} items; checkpoint in ${file}`);
}
api.interceptors.request.eject(breaker);

// Run 2, e.g. the next day: resume from the file.
const resume = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
for await (const page of paginate.pages<{ id: number }>(api, '/offset', { strategy, resume })) saved.push(...page.items.map((i) => i.id));
const complete = saved.length === 500 && saved.every((id, i) => id === i);
console.log(`run 2 finished: ${saved.length} items, ${complete ? 'each exactly once, in order' : 'NOT complete'}`);
steady.detach();
await sim.close();
process.exitCode = complete ? 0 : 1;
