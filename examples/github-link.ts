// GitHub-style Link-header pagination, lazily, with a bearer token that never leaves the API's origin.
// Run: npx tsx examples/github-link.ts
import axios from 'axios';
import { attach, linkHeader, paginate } from '../src/index.js';
import { startSimApi } from '../test/servers/sim-api.js';

const sim = await startSimApi({ items: 230, pageSize: 30 }); // stands in for https://api.github.com
const api = axios.create({ baseURL: sim.url, headers: { Authorization: 'Bearer ghp_example' } });
const steady = attach(api, { limiter: { maxConcurrent: 2 } });

let count = 0;
for await (const issue of paginate<{ id: number }>(api, { url: '/link', params: { per_page: 30 } }, { strategy: linkHeader() })) {
  count++;
  if (issue.id % 50 === 0) console.log(`issue #${issue.id}`);
}
console.log(`${count} issues over ${sim.stats.pages} pages`);
steady.detach();
await sim.close();
