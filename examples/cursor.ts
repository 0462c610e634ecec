// A cursor API (Slack/Stripe style): the next cursor is in the body and goes back as a query parameter.
// Run: npx tsx examples/cursor.ts
import axios, { type AxiosResponse } from 'axios';
import { attach, collect, cursor } from '../src/index.js';
import { startSimApi } from '../test/servers/sim-api.js';

const sim = await startSimApi({ items: 120, pageSize: 25, faults: { seed: 5, error503: 0.2 } });
const api = axios.create({ baseURL: sim.url });
const steady = attach(api, { retry: { retries: 5 } });

const members = await collect<{ id: number }>(api, '/cursor', {
  strategy: cursor({ param: 'cursor', next: (res: AxiosResponse<{ next_cursor: string | null }>) => res.data.next_cursor }),
  onProgress: ({ pages, items, retries }) => console.log(`page ${pages}: ${items} members so far, ${retries} retries`),
});
console.log(`${members.length} members; the API answered 503 ${sim.stats.faults} times and nothing was lost`);
steady.detach();
await sim.close();
