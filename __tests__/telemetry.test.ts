// OpenTelemetry with the real SDK, set up as a service sets it up (test/otel/scenario.ts, a process of its own:
// the SDK registered and instrumentation-http enabled before axios loads, on the client and on a local server):
// one INTERNAL span per logical request, exactly one CLIENT span per attempt under it with
// http.request.resend_count on every resend and its own traceparent (each has exactly one SERVER child), waits as
// events that, with the attempts, account for the logical span's time, and no span at all with `telemetry: false`.
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { SpanJson as Span } from '../test/otel/span-json.js';

jest.setTimeout(60_000);
const SCENARIO = path.resolve(__dirname, '..', 'test', 'otel', 'scenario.ts');
const KIND = { INTERNAL: 0, SERVER: 1, CLIENT: 2 };

interface Run {
  outcomes: unknown[];
  spans: Span[];
  metrics: { name: string; points: { attributes: Record<string, unknown>; value: unknown }[] }[];
}

function run(scenario: string, ...flags: string[]): Promise<Run> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', SCENARIO, scenario, ...flags], { maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Run),
    ),
  );
}
const ours = (spans: Span[], kind: number) => spans.filter((s) => s.scope === 'axios-steady' && s.kind === kind);
const childrenOf = (spans: Span[], parent: Span) => spans.filter((s) => s.parentSpanId === parent.spanId);

it.each([[[]], [['--no-http-instrumentation']]])(
  'a request retried twice: one INTERNAL span, exactly 3 CLIENT spans under it (resend_count unset/1/2), each its own trace context %p',
  async (flags) => {
    const { outcomes, spans, metrics } = await run('retries', ...(flags as string[]));
    expect(outcomes).toEqual([200]);
    const [logical, ...more] = ours(spans, KIND.INTERNAL);
    expect(more).toEqual([]);
    expect(logical).toMatchObject({
      name: 'GET',
      attributes: { 'steady.attempts': 3, 'steady.retries': 2, 'http.response.status_code': 200 },
    });
    const clients = spans.filter((s) => s.kind === KIND.CLIENT);
    expect(clients).toHaveLength(3); // never two CLIENT spans for one attempt: instrumentation-http made none
    expect(clients.every((c) => c.scope === 'axios-steady' && c.parentSpanId === logical?.spanId && c.traceId === logical?.traceId)).toBe(
      true,
    );
    expect(clients.map((c) => c.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
    expect(clients.map((c) => c.attributes['http.response.status_code'])).toEqual([503, 503, 200]);
    expect(new Set(clients.map((c) => c.spanId)).size).toBe(3);
    const servers = spans.filter((s) => s.kind === KIND.SERVER);
    if (flags.length === 0) {
      // The server saw each attempt's own traceparent: every SERVER span is the child of exactly one attempt.
      expect(servers).toHaveLength(3);
      for (const client of clients) expect(childrenOf(spans, client)).toHaveLength(1);
    } else expect(servers).toHaveLength(0);
    const waits = logical?.events.map((e) => e.attributes['steady.wait.reason']).filter((reason) => reason !== 'queue');
    expect(waits).toEqual(['backoff', 'backoff']);
    expect(metrics.find((m) => m.name === 'axios_steady.request.retries')?.points[0]?.value).toMatchObject({ count: 1, sum: 2 });
  },
);

it('a failure: the logical span ends in error with stopped_by; every attempt is a CLIENT span in error', async () => {
  const { spans } = await run('failure');
  const [logical] = ours(spans, KIND.INTERNAL);
  expect(logical).toMatchObject({ status: 2, attributes: { 'steady.stopped_by': 'retries', 'error.type': '500', 'steady.attempts': 3 } });
  expect(ours(spans, KIND.CLIENT).map((c) => [c.status, c.attributes['error.type']])).toEqual([
    [2, '500'],
    [2, '500'],
    [2, '500'],
  ]);
});

it('a hedge is a sibling attempt; the loser ends cancelled', async () => {
  const { spans } = await run('hedge');
  const [logical] = ours(spans, KIND.INTERNAL);
  const clients = ours(spans, KIND.CLIENT);
  expect(clients).toHaveLength(2);
  expect(clients.every((c) => c.parentSpanId === logical?.spanId)).toBe(true);
  const hedge = clients.find((c) => c.attributes['steady.hedge'] === true);
  const loser = clients.find((c) => c !== hedge);
  expect(hedge?.attributes).toMatchObject({ 'http.request.resend_count': 1, 'http.response.status_code': 200 });
  expect(loser).toMatchObject({ status: 2, attributes: { 'error.type': 'cancelled' } });
  expect(logical?.attributes['steady.hedges']).toBe(1);
});

it('a walk: one span, its page requests its children, an event per page with its checkpoint', async () => {
  const { outcomes, spans } = await run('walk');
  expect(outcomes).toEqual([3]);
  const walk = spans.find((s) => s.name === 'steady.walk');
  expect(walk?.attributes).toMatchObject({ 'steady.pages': 3, 'steady.items': 3, 'steady.retries': 1 });
  expect(walk?.events.map((e) => e.attributes['steady.page.index'])).toEqual([0, 1, 2]);
  expect(walk?.events.at(-1)?.attributes['steady.checkpoint']).toBe('none');
  const requests = ours(spans, KIND.INTERNAL).filter((s) => s !== walk);
  expect(requests).toHaveLength(3);
  expect(requests.every((r) => r.parentSpanId === walk?.spanId && r.traceId === walk?.traceId)).toBe(true);
});

it('metrics: the quota left and the health as gauges per limiter; a pause counted by its source', async () => {
  const { outcomes, metrics } = await run('gauges');
  expect(outcomes).toEqual([200]);
  const point = (name: string) => metrics.find((m) => m.name === name)?.points;
  expect(point('axios_steady.quota.remaining')).toEqual([{ attributes: { 'steady.limiter': 'gauged' }, value: 7 }]);
  expect(point('axios_steady.api.up')).toEqual([{ attributes: { 'steady.limiter': 'gauged' }, value: 1 }]);
  expect(point('axios_steady.pauses')).toEqual([{ attributes: { 'steady.pause.source': 'retry-after' }, value: 1 }]);
});

it('telemetry: false — no span of ours; the HTTP instrumentation’s own spans are left as they were', async () => {
  const { spans } = await run('off');
  expect(spans.filter((s) => s.scope === 'axios-steady')).toEqual([]);
  expect(spans.filter((s) => s.kind === KIND.CLIENT)).toHaveLength(2);
});

it('1,000 requests with faults: the waits and the attempts account for every logical span up to its last attempt', async () => {
  const { spans } = await run('many');
  const logical = ours(spans, KIND.INTERNAL);
  expect(logical).toHaveLength(1000);
  const byParent = new Map<string, Span[]>();
  for (const c of ours(spans, KIND.CLIENT)) byParent.set(c.parentSpanId as string, [...(byParent.get(c.parentSpanId as string) ?? []), c]);
  let retried = 0;
  for (const span of logical) {
    const attempts = byParent.get(span.spanId) ?? [];
    expect(attempts.length).toBe(span.attributes['steady.attempts']);
    const onWire = attempts.reduce((sum, a) => sum + (a.endMs - a.startMs), 0);
    const waits = span.events.reduce((sum, e) => sum + Number(e.attributes['steady.wait.duration_ms']), 0);
    const upToLast = Math.max(...attempts.map((a) => a.endMs)) - span.startMs;
    // The only slack: a wait shorter than 0.5 ms before a first attempt is not an event. The times come from one
    // clock per request (see request/trace.ts), so no load can move one span against another.
    expect(Math.abs(upToLast - (onWire + waits))).toBeLessThanOrEqual(0.5 + 0.01);
    if (attempts.length > 1) retried++;
  }
  expect(retried).toBeGreaterThan(100);
});
