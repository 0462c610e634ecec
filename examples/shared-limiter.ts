// Two axios instances (say, two tokens' clients of one API) sharing one limit and one pause gate:
// give both the same Bottleneck.
//   API_URL='http://127.0.0.1:4000/page' npx tsx examples/shared-limiter.ts
import axios from 'axios';
import Bottleneck from 'bottleneck';
import { attach, collect, pageNumber } from 'axios-steady';

const first = new URL(process.env.API_URL ?? 'https://api.example.com/items');
const shared = new Bottleneck({ maxConcurrent: 3 }); // yours: observe it, update it, share it
const a = axios.create({ baseURL: first.origin });
const b = axios.create({ baseURL: first.origin });
const steadyA = attach(a, { limiter: shared });
const steadyB = attach(b, { limiter: shared });

const strategy = pageNumber({ totalPages: (res) => res.data.total_pages });
const [fromA, fromB] = await Promise.all([
  collect(a, first.pathname, { strategy, concurrency: 4 }),
  collect(b, first.pathname, { strategy, concurrency: 4 }),
]);
console.log(`A: ${fromA.length} items, B: ${fromB.length} items, never more than 3 requests at once between them`);
steadyA.detach();
steadyB.detach();
await shared.disconnect();
