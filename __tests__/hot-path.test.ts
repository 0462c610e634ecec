// A guard on the hot path, not the benchmark (that is bench P1/P7 and bench/cpu-stub.ts): attach()'s CPU time per
// request over bare axios, with the network taken out (test/cpu-stub.ts: one in-process stub adapter answers
// everyone), measured in the same run as the floor — an interceptor putting a per-request adapter around the
// request's own, attach()'s mechanism with nothing inside. It fails only on a bad regression: on a quiet machine,
// under jest, attach() costs about 6 µs over bare axios, the floor about 1–2, a bare request itself about 70–80;
// the bound is 3 × the floor + 15 % of what one bare request costs in the same run (about 11–17 µs there).
// Scaled by bare axios' own cost, the bound grows with what a loaded machine makes of every request (beside four
// CPU hogs a core attach() read +18.5 µs against a fixed bound of 8), so load alone cannot fail it; an added
// 20 µs per request still does (read 25.6 and 26.3 against bounds of 15.9 and 10.7).
import type { AxiosInstance } from 'axios';
import { attach } from '../src/index.js';
import { BARE_ABSOLUTE, FLOOR, measure, stubContenders } from '../test/cpu-stub.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] as number;

it('attach() at defaults costs at most 3 × the floor + 15 % of a bare request, in CPU per request over bare axios', async () => {
  const over = await measure(stubContenders([['attach', (api: AxiosInstance) => attach(api)]]), 8, 250, 8);
  const attachUs = median(over.get('attach') as number[]);
  const floorUs = Math.max(0, median(over.get(FLOOR) as number[]));
  const bareUs = median(over.get(BARE_ABSOLUTE) as number[]);
  expect(attachUs).toBeLessThanOrEqual(3 * floorUs + 0.15 * bareUs);
}, 120_000);
