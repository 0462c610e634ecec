// Two axios instances (say, two tokens' clients of one API) sharing one limit and one pause gate.
// Run: npx tsx examples/shared-limiter.ts
import axios from 'axios';
import Bottleneck from 'bottleneck';
import { attach, collect, pageNumber } from '../src/index.js';
import { startSimApi } from '../test/servers/sim-api.js';

const sim = await startSimApi({ items: 200, pageSize: 10, latencyMs: 20 });
const shared = new Bottleneck({ maxConcurrent: 3 }); // yours: observe it, update it, share it
const a = axios.create({ baseURL: sim.url });
const b = axios.create({ baseURL: sim.url });
const steadyA = attach(a, { limiter: shared });
const steadyB = attach(b, { limiter: shared });

const strategy = pageNumber({ totalPages: (res) => res.data.total_pages });
const [fromA, fromB] = await Promise.all([
  collect(a, '/page', { strategy, concurrency: 4 }),
  collect(b, '/page', { strategy, concurrency: 4 }),
]);
console.log(`A: ${fromA.length} items, B: ${fromB.length} items; the server never saw more than ${sim.stats.maxInFlight} requests at once`);
steadyA.detach();
steadyB.detach();
await shared.disconnect();
await sim.close();
