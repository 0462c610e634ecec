// A long crawl that saves a checkpoint after every page, stops on a failure, and resumes from the saved
// file where it left off. Here the failure is staged: an interceptor fails the page at offset 250 once.
//   API_URL='http://127.0.0.1:4000/offset' npx tsx examples/resume-checkpoint.ts
import axios, { AxiosError } from 'axios';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attach, offset, paginate, PaginationError, type Checkpoint } from 'axios-steady';

const first = new URL(process.env.API_URL ?? 'https://api.example.com/records');
const api = axios.create({ baseURL: first.origin });
const steady = attach(api, { retry: { retries: 1, baseDelay: 10 } });
const file = join(mkdtempSync(join(tmpdir(), 'crawl-')), 'checkpoint.json');
const strategy = offset({ limit: 50 });
const saved: unknown[] = [];

// Run 1: "the API breaks" at offset 250.
const outage = api.interceptors.request.use((config) => {
  if (config.params?.offset === 250) throw new AxiosError('staged outage', 'ERR_STAGED', config);
  return config;
});
try {
  for await (const page of paginate.pages(api, first.pathname, { strategy })) {
    saved.push(...page.items);
    if (page.checkpoint) writeFileSync(file, JSON.stringify(page.checkpoint));
  }
} catch (error) {
  if (!(error instanceof PaginationError)) throw error;
  console.log(`run 1 stopped (${error.code}) after ${saved.length} items; checkpoint in ${file}`);
}
api.interceptors.request.eject(outage);

// Run 2, e.g. the next day: resume from the file.
const resume = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
for await (const page of paginate.pages(api, first.pathname, { strategy, resume })) saved.push(...page.items);
console.log(`run 2 finished: ${saved.length} items in all`);
console.log(JSON.stringify(saved.map((item) => (item as { id?: unknown }).id)));
steady.detach();
