// CPU time per request with the network taken out, shared by the hot-path guard (__tests__/hot-path.test.ts) and
// the benchmark (bench/cpu-stub.ts): every contender's requests are answered by one in-process stub adapter, so
// what is left is the JavaScript each contender runs. Contenders are interleaved in short slices within each
// round, and each round's figure is the difference to bare axios in that round (a busy machine moves every
// contender's figure together; the differences much less).
import axios, { AxiosHeaders, type AxiosAdapter, type AxiosInstance } from 'axios';

export type Attach = (api: AxiosInstance, options?: object) => unknown;

/** One answer for everyone: a 200 with a small JSON body, as axios' http adapter hands it over. */
const stub: AxiosAdapter = (config) =>
  Promise.resolve({
    data: { id: 1 },
    status: 200,
    statusText: 'OK',
    headers: new AxiosHeaders({ 'content-type': 'application/json' }),
    config,
    request: {},
  });

export const BARE = 'bare axios';
/** Not a contender: bare axios' own CPU per request in each round (what the machine's load makes of one request). */
export const BARE_ABSOLUTE = 'bare axios itself (absolute)';
export const FLOOR = 'floor: interceptor + per-request adapter';

/** The contenders, each its own instance for the whole run: bare axios, the attachments, the floor, an A/A control. */
export function stubContenders(attachments: readonly (readonly [string, Attach])[]): [string, AxiosInstance][] {
  const make = (setup?: (api: AxiosInstance) => void) => {
    const api = axios.create({ baseURL: 'http://stub.test', adapter: stub });
    setup?.(api);
    return api;
  };
  return [
    [BARE, make()],
    ...attachments.map(([name, fn]) => [name, make((api) => void fn(api))] as [string, AxiosInstance]),
    [
      FLOOR, // attach()'s mechanism with nothing inside
      make((api) =>
        api.interceptors.request.use(
          (config) => {
            const inner = axios.getAdapter(config.adapter, config);
            config.adapter = (c) => inner(c);
            return config;
          },
          undefined,
          { synchronous: true },
        ),
      ),
    ],
    ['bare axios again (A/A control)', make()],
  ];
}

/**
 * µs of CPU per request over bare axios, per contender: one figure per round (after a warm-up round); and under
 * BARE_ABSOLUTE, bare axios' own µs per request in each round.
 */
export async function measure(field: [string, AxiosInstance][], rounds: number, slice = 500, slices = 10): Promise<Map<string, number[]>> {
  const over = new Map<string, number[]>([...field.map(([name]) => [name, []] as [string, number[]]), [BARE_ABSOLUTE, []]]);
  const burst = (api: AxiosInstance) => Promise.all(Array.from({ length: 50 }, () => api.get('/item')));
  for (let round = 0; round <= rounds; round++) {
    const used = new Map<string, number>(field.map(([name]) => [name, 0]));
    for (let s = 0; s < slices; s++)
      for (let k = 0; k < field.length; k++) {
        const [name, api] = field[(k + round + s) % field.length] as [string, AxiosInstance];
        const before = process.cpuUsage();
        for (let done = 0; done < slice; done += 50) await burst(api);
        const spent = process.cpuUsage(before);
        used.set(name, (used.get(name) as number) + spent.user + spent.system);
      }
    (globalThis as { gc?: () => void }).gc?.();
    if (round === 0) continue; // warm-up
    const bare = (used.get(BARE) as number) / (slice * slices);
    for (const [name, us] of used) over.get(name)?.push(us / (slice * slices) - bare);
    over.get(BARE_ABSOLUTE)?.push(bare);
  }
  return over;
}
