// A fleet on a Redis Cluster: three masters started here (redis-server --cluster-enabled yes on loopback ports,
// slots split, no replicas), three attach() instances on one limiter whose id carries a {hashtag}, so that each
// of its key families sits in one slot. The ledger's scripts, its wait list's wakes (PUBLISH inside a script,
// carried to every node by the cluster bus) and bottleneck's own keys all work there, and the fleet's maxConcurrent
// holds across nodes.
import axios from 'axios';
import { Cluster } from 'ioredis';
import { attach, type Steady } from '../src/index.js';
import { ledgerKeys } from '../src/fleet/keys.js';
import { startRedisCluster, type RedisCluster } from '../test/servers/redis.js';
import { json, startServer, wait, type TestServer } from '../test/servers/with-server.js';

jest.setTimeout(90_000);

let cluster: RedisCluster;
let server: TestServer;
const load = { now: 0, max: 0, served: 0, refused: 0 };
let refuseNext = false;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  server = await startServer(async (_req, res) => {
    if (refuseNext) {
      refuseNext = false;
      load.refused++;
      res.setHeader('Retry-After', '1');
      return json(res, 429, { error: 'slow down' });
    }
    load.max = Math.max(load.max, ++load.now);
    await wait(30);
    load.now--;
    load.served++;
    json(res, 200, { ok: true });
  });
});
afterAll(async () => {
  await server?.close();
  await cluster?.stop();
});

/** Three attach() instances on the cluster, 10 GETs each, the first answered 429 + Retry-After: 1. */
async function run(id: string): Promise<{ ms: number; counted: number; slots: number }> {
  const fleet: Steady[] = [];
  const apis = [0, 1, 2].map(() => {
    const api = axios.create({ baseURL: server.url, timeout: 5000 });
    fleet.push(attach(api, { limiter: { id, datastore: 'ioredis', clusterNodes: [...cluster.nodes], maxConcurrent: 2 } }));
    return api;
  });
  try {
    await Promise.all(fleet.map((s) => s.limiter.ready()));
    refuseNext = true; // the first request gets 429 + Retry-After: 1 — the whole fleet waits it out
    const started = Date.now();
    const all = await Promise.all(apis.flatMap((api) => Array.from({ length: 10 }, (_, i) => api.get(`/item/${i}`))));
    expect(all.every((r) => r.status === 200)).toBe(true);
    const ms = Date.now() - started;
    // The ledger lives in the cluster, its keys in one slot.
    const reader = new Cluster([...cluster.nodes]);
    try {
      const counted = Number(await reader.hget(ledgerKeys(id)[0], 'n'));
      const slots = await Promise.all(ledgerKeys(id).map((key) => reader.call('CLUSTER', 'KEYSLOT', key) as Promise<number>));
      return { ms, counted, slots: new Set(slots).size };
    } finally {
      reader.disconnect();
    }
  } finally {
    for (const steady of fleet) steady.detach();
  }
}

it('three instances on a 3-master Redis Cluster: every request answered once, one pause for all, the fleet capped, the ledger in one slot', async () => {
  load.served = load.refused = load.max = 0;
  const { ms, counted, slots } = await run('{fleet-cluster}');
  expect(load.served).toBe(30);
  expect(load.refused).toBe(1);
  expect(ms).toBeGreaterThanOrEqual(1000); // the 429's Retry-After held every instance
  // The fleet's maxConcurrent holds across nodes: a wake PUBLISHed on the ledger's node reaches a subscriber on
  // another one through the bus although PUBLISH there counts 0 listeners — read as "dead", it had its grants
  // given back while it used them (3–6 at once), and its remaining asks waited for the 30 s lost-wake timer.
  expect(load.max).toBeLessThanOrEqual(2);
  expect(ms).toBeLessThan(20_000); // ≈ 1.5 s of work; the lost-wake timer alone is 30 s
  expect(counted).toBeGreaterThanOrEqual(30);
  expect(slots).toBe(1);
});
