// Every issue of a GitHub repository, lazily, through Link headers — with a bearer token that never
// leaves the API's origin (a next link to another host is refused before anything is sent there).
//   GITHUB_TOKEN=… npx tsx examples/github-link.ts
//   API_URL='http://127.0.0.1:4000/link' npx tsx examples/github-link.ts   (any Link-header API)
import axios from 'axios';
import { attach, linkHeader, paginate } from 'axios-steady';

const first = new URL(process.env.API_URL ?? 'https://api.github.com/repos/axios/axios/issues?state=all&per_page=100');
const api = axios.create({
  baseURL: first.origin,
  headers: process.env.GITHUB_TOKEN ? { Authorization: `Bearer ${process.env.GITHUB_TOKEN}` } : {},
});
const steady = attach(api, { limiter: { maxConcurrent: 2 } }); // GitHub's quota is read from x-ratelimit-*

let count = 0;
for await (const issue of paginate<{ number?: number; id: number }>(api, first.pathname + first.search, { strategy: linkHeader() })) {
  count++;
  if (count % 100 === 0) console.log(`${count} issues so far (latest #${issue.number ?? issue.id})`);
}
console.log(`${count} issues; ${steady.stats().attempts} requests, ${steady.stats().retries} retries`);
steady.detach();
