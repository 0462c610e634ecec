// A guard on the hot path, not the benchmark (that is bench P1/P7 and bench/cpu-stub.ts): attach()'s CPU time per
// request over bare axios, with the network taken out (test/cpu-stub.ts: one in-process stub adapter answers
// everyone), measured in the same run as the floor — an interceptor putting a per-request adapter around the
// request's own, attach()'s mechanism with nothing inside. It fails only on a bad regression: attach() costs
// about 2–3 µs over bare axios where the floor costs about 1, and the bound is 3 × the floor + 8 µs. CPU time,
// interleaved slices and medians of paired rounds keep a busy machine from failing it.
import type { AxiosInstance } from 'axios';
import { attach } from '../src/index.js';
import { FLOOR, measure, stubContenders } from '../test/cpu-stub.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;

it('attach() at defaults costs at most 3 × the floor + 8 µs of CPU per request over bare axios (network taken out)', async () => {
  const over = await measure(stubContenders([['attach', (api: AxiosInstance) => attach(api)]]), 8, 250, 8);
  const attachUs = median(over.get('attach') as number[]);
  const floorUs = Math.max(0, median(over.get(FLOOR) as number[]));
  expect(attachUs).toBeLessThanOrEqual(3 * floorUs + 8);
}, 60_000);
