// A cursor API: the next cursor is in the body (`next_cursor`) and goes back as a query parameter.
// Retries and the limiter keep a flaky API from losing a page.
//   API_URL='http://127.0.0.1:4000/cursor' npx tsx examples/cursor.ts
import axios, { type AxiosResponse } from 'axios';
import { attach, collect, cursor } from 'axios-steady';

const first = new URL(process.env.API_URL ?? 'https://api.example.com/members');
const api = axios.create({ baseURL: first.origin, timeout: 10_000 });
const steady = attach(api, { retry: { retries: 5 } });

const members = await collect<{ id: number }>(api, first.pathname + first.search, {
  strategy: cursor({ param: 'cursor', next: (res: AxiosResponse<{ next_cursor: string | null }>) => res.data.next_cursor }),
  onProgress: ({ pages, items, retries }) => console.log(`page ${pages}: ${items} members so far, ${retries} retries`),
});
console.log(`${members.length} members; ${steady.stats().retries} retries, nothing lost`);
steady.detach();
