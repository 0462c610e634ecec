import { AxiosError, AxiosHeaders, CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { backoffDelay, failureReason, isIdempotent, parseRetryAfter, RETRY_DEFAULTS, RetryBudget } from '../src/index.js';

const config = (method: string, headers: Record<string, string> = {}, data?: unknown) =>
  ({ method, headers: new AxiosHeaders(headers), data }) as InternalAxiosRequestConfig;

describe('backoffDelay', () => {
  const opts = { baseDelay: 300, maxDelay: 20_000 } as const;

  it('doubles from baseDelay and is capped at maxDelay (no jitter)', () => {
    const seq = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffDelay(n, { ...opts, jitter: 'none' }));
    expect(seq).toEqual([300, 600, 1200, 2400, 4800, 9600, 19200, 20000, 20000]);
  });

  it('full jitter draws from [0, cap)', () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, { ...opts, jitter: 'full' }, () => 0.5))).toEqual([150, 300, 600]);
    expect(backoffDelay(3, { ...opts, jitter: 'full' }, () => 0)).toBe(0);
    expect(backoffDelay(30, { ...opts, jitter: 'full' }, () => 0.999)).toBe(19980);
  });

  it('equal jitter keeps half of the cap', () => {
    expect(backoffDelay(2, { ...opts, jitter: 'equal' }, () => 0)).toBe(300);
    expect(backoffDelay(2, { ...opts, jitter: 'equal' }, () => 0.5)).toBe(450);
  });

  it('stays finite for absurd retry numbers', () => {
    expect(backoffDelay(5000, { ...opts, jitter: 'none' })).toBe(20_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 3 ', now)).toBe(3000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter(['2', '9'], now)).toBe(2000);
  });

  it('reads HTTP-dates, past dates mean now', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:29:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('0 means now', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  it('ignores garbage without throwing', () => {
    for (const junk of ['soon', '-5', '1e3', '', '   ', 'Wed, 99 Foo 2015', 'x'.repeat(10_000), undefined, null, true]) {
      expect(parseRetryAfter(junk as string, now)).toBeUndefined();
    }
  });
});

describe('failureReason and isIdempotent', () => {
  const statuses = RETRY_DEFAULTS.statuses;
  const withStatus = (status: number) =>
    new AxiosError('x', 'ERR_BAD_RESPONSE', undefined, undefined, {
      status,
      statusText: '',
      headers: {},
      config: config('get'),
      data: null,
    });

  it('the defaults print as what they hold (JSON of a plain Set is {})', () => {
    expect(JSON.parse(JSON.stringify(RETRY_DEFAULTS))).toMatchObject({
      statuses: [408, 425, 429, 500, 502, 503, 504],
      methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
    });
  });

  it('retries the default statuses only', () => {
    for (const s of [408, 425, 429, 500, 502, 503, 504]) expect(failureReason(withStatus(s), statuses)).toBe('status');
    for (const s of [400, 401, 403, 404, 409, 422, 501]) expect(failureReason(withStatus(s), statuses)).toBeUndefined();
  });

  it('classifies network errors and timeouts; never a cancel or a bad option', () => {
    expect(failureReason(new AxiosError('reset', 'ECONNRESET'), statuses)).toBe('network');
    expect(failureReason(new AxiosError('net', 'ERR_NETWORK'), statuses)).toBe('network');
    expect(failureReason(new AxiosError('timeout of 10ms exceeded', 'ECONNABORTED'), statuses)).toBe('timeout');
    expect(failureReason(new AxiosError('t', 'ETIMEDOUT'), statuses)).toBe('timeout');
    expect(failureReason(new AxiosError('dns', 'ENOTFOUND'), statuses)).toBeUndefined();
    expect(failureReason(new CanceledError(), statuses)).toBeUndefined();
    expect(failureReason(new AxiosError('bad', 'ERR_INVALID_URL'), statuses)).toBeUndefined();
    expect(failureReason(new Error('plain'), statuses)).toBeUndefined();
  });

  it('treats POST/PATCH as idempotent only with an Idempotency-Key', () => {
    const methods = RETRY_DEFAULTS.methods;
    expect(isIdempotent(config('get'), methods)).toBe(true);
    expect(isIdempotent(config('delete'), methods)).toBe(true);
    expect(isIdempotent(config('post'), methods)).toBe(false);
    expect(isIdempotent(config('patch'), methods)).toBe(false);
    expect(isIdempotent(config('post', { 'Idempotency-Key': 'k1' }), methods)).toBe(true);
    expect(isIdempotent(config('put', {}, { pipe: () => undefined }), methods)).toBe(false);
  });
});

describe('RetryBudget', () => {
  const t0 = 1_000_000;
  const drain = (budget: RetryBudget, at: number) => {
    let n = 0;
    while (budget.withdraw(at)) n++;
    return n;
  };

  it('a dead API: the floor plus ratio × requests in the window, no more', () => {
    const budget = new RetryBudget({ windowMs: 10_000, minPerSecond: 2, ratio: 0.2 }, t0);
    for (let i = 0; i < 100; i++) budget.deposit(t0);
    expect(drain(budget, t0)).toBe(20 + 20);
  });

  it('a flaky API earns a retry with every success', () => {
    const budget = new RetryBudget({ windowMs: 10_000, minPerSecond: 0, ratio: 0 }, t0);
    expect(budget.withdraw(t0)).toBe(false);
    for (let i = 0; i < 3; i++) budget.succeeded(t0);
    expect(drain(budget, t0)).toBe(3);
  });

  it('what left the window no longer counts: spent retries come back, old requests stop paying', () => {
    const budget = new RetryBudget({ windowMs: 10_000, minPerSecond: 1, ratio: 0 }, t0);
    expect(drain(budget, t0)).toBe(10);
    expect(budget.withdraw(t0 + 9_000)).toBe(false);
    expect(budget.recent(t0 + 9_000)).toEqual({ failed: 10, attempts: 10, windowMs: 10_000 });
    expect(drain(budget, t0 + 10_000)).toBe(10); // the slot they were spent in left the window
  });
});
