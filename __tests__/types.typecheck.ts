// Compiled by `npm run typecheck` (not run): per-request options must type-check, typos must not.
import axios from 'axios';
import Bottleneck from 'bottleneck';
import { attach, steadyInfo, type SteadyInfo } from '../src/index.js';

const api = axios.create();
const steady = attach(api, {
  retry: { retries: 2, jitter: 'equal', statuses: [503], budget: { ratio: 0.2 } },
  limiter: { maxConcurrent: 2 },
  deadline: 5000,
});
attach(api, { limiter: new Bottleneck() });
attach(api, { retry: false });
const limiter: Bottleneck = steady.limiter;
void limiter;

void api.get('/x', { steady: { retry: false } });
void api.get('/x', { steady: { retry: { retries: 1 } } });
void api.get('/x', { steady: { deadline: false, priority: 1 } });
void api.get('/x').then((res) => {
  const info: SteadyInfo | undefined = steadyInfo(res);
  return info?.attempts[0].status;
});

// @ts-expect-error typo in a per-request option
void api.get('/x', { steady: { retyr: false } });
// @ts-expect-error typo in a retry option
void api.get('/x', { steady: { retry: { retires: 1 } } });
// @ts-expect-error the budget belongs to attach(), not to one request
void api.get('/x', { steady: { retry: { budget: false } } });
// @ts-expect-error unknown jitter mode
attach(api, { retry: { jitter: 'random' } });
// @ts-expect-error retries is a number
attach(api, { retry: { retries: '3' } });
// @ts-expect-error unknown top-level option
attach(api, { retires: 3 });
