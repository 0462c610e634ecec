// What the ledger's scripts cost Redis per request, alone: K ledgers (each its own client and subscriber, as K
// processes), each running `perLedger` requests `concurrency` at a time through acquire → (an instant answer with
// a draft-7 report) → done, under a fleet maxConcurrent. Measured on a quiet redis-server started here: INFO
// commandstats (calls and usec of EVALSHA/EVAL: the scripts' own CPU) and INFO cpu (Redis' whole CPU,
// user + system, including reading and writing the sockets and PUBLISH), per request. No HTTP, no other
// processes: the floor under what bench P9 measures beside 200 clients.
//
// `npx tsx bench/fleet-scale/script-cost.ts [--ledgers=20] [--requests=400] [--concurrency=8] [--mc=40]`
import { Redis } from 'ioredis';
import { FleetLedger } from '../../src/fleet/ledger.js';
import { startRedis } from '../../test/servers/redis.js';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const LEDGERS = arg('ledgers', 20);
const PER = arg('requests', 400);
const CONCURRENCY = arg('concurrency', 8);
const MC = arg('mc', 40);

async function stats(redis: Redis): Promise<{ calls: number; usec: number; cpu: number }> {
  const info = (await redis.info('all')).split('\r\n');
  let calls = 0;
  let usec = 0;
  let cpu = 0;
  for (const line of info) {
    const m = /^cmdstat_(evalsha|eval):calls=(\d+),usec=(\d+)/.exec(line);
    if (m) {
      calls += Number(m[2]);
      usec += Number(m[3]);
    }
    const c = /^used_cpu_(sys|user):([\d.]+)/.exec(line);
    if (c) cpu += Number(c[2]) * 1e6;
  }
  return { calls, usec, cpu };
}

async function main(): Promise<void> {
  const server = await startRedis();
  const admin = new Redis({ port: server.port });
  const clients: Redis[] = [];
  const ledgers = Array.from({ length: LEDGERS }, () => {
    const client = new Redis({ port: server.port });
    const subscriber = new Redis({ port: server.port });
    clients.push(client, subscriber);
    return new FleetLedger(client as never, 'script-cost', subscriber as never);
  });
  const limits = { quota: true, blindCap: 8, expiration: 60_000, maxConcurrent: MC, minTime: 0 };
  // Warm up (loads the scripts, subscribes every ledger), then measure.
  const run = async (ledger: FleetLedger, n: number) => {
    let left = n;
    const worker = async () => {
      while (left-- > 0) {
        const a = await ledger.acquire(limits);
        if (!a || !a.go) {
          left++;
          await new Promise((r) => setTimeout(r, a?.waitMs ?? 10));
          continue;
        }
        ledger.done(a.grant, { remaining: 1e6, resetAt: Date.now() + 60_000, source: 'ratelimit' });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  await Promise.all(ledgers.map((l) => run(l, 20)));
  await new Promise((r) => setTimeout(r, 300));
  const before = await stats(admin);
  const t0 = Date.now();
  await Promise.all(ledgers.map((l) => run(l, PER)));
  await new Promise((r) => setTimeout(r, 300)); // the last answers' DONE
  const after = await stats(admin);
  const ms = Date.now() - t0;
  const requests = LEDGERS * PER;
  const scripts = after.calls - before.calls;
  console.log(
    JSON.stringify({
      ledgers: LEDGERS,
      requests,
      ms,
      scriptsPerRequest: +(scripts / requests).toFixed(2),
      usecPerScript: +((after.usec - before.usec) / scripts).toFixed(1),
      scriptUsPerRequest: +((after.usec - before.usec) / requests).toFixed(1),
      redisCpuUsPerRequest: +((after.cpu - before.cpu) / requests).toFixed(1),
    }),
  );
  for (const c of [admin, ...clients]) c.disconnect();
  await server.stop();
}

void main();
