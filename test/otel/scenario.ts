// `node --import tsx test/otel/scenario.ts <name>`: one telemetry scenario in a process of its own, set up the way a
// service is — the OpenTelemetry SDK registered (an in-memory exporter, W3C propagation, AsyncLocalStorage context)
// and instrumentation-http enabled *before* axios is loaded, so client and server spans are the real ones — then
// axios-steady attached. Prints every finished span (and the metrics) as JSON for __tests__/telemetry.test.ts.
import { metrics } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { spanJson } from './span-json.js';

const scenario = process.argv[2] ?? 'retries';
const withHttp = !process.argv.includes('--no-http-instrumentation');
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const reader = new Reader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
if (withHttp) registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });

const http = await import('node:http');
const { default: axios } = await import('axios');
const { attach, collect } = await import('axios-steady');

/** A server whose answers the scenario scripts: `answers` in order, then 200s. */
async function serve(answers: (number | 'hang')[]) {
  let n = 0;
  const server = http.createServer((req, res) => {
    const answer = answers[n++] ?? 200;
    if (answer === 'hang') return;
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
    res.writeHead(answer, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items: [{ id: page }], page, total_pages: 3, n }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const out: { outcomes: unknown[]; durations?: number[] } = { outcomes: [] };
if (scenario === 'retries') {
  const server = await serve([503, 503]);
  const api = axios.create({ baseURL: server.url });
  attach(api, { retry: { baseDelay: 5 } });
  out.outcomes.push((await api.get('/item')).status);
  await server.close();
} else if (scenario === 'off') {
  const server = await serve([503]);
  const api = axios.create({ baseURL: server.url });
  attach(api, { retry: { baseDelay: 5 }, telemetry: false });
  out.outcomes.push((await api.get('/item')).status);
  await server.close();
} else if (scenario === 'hedge') {
  const server = await serve(['hang']);
  const api = axios.create({ baseURL: server.url, timeout: 5000 });
  attach(api, { hedge: { delay: 30 } });
  out.outcomes.push((await api.get('/item')).status);
  await server.close();
} else if (scenario === 'failure') {
  const server = await serve([500, 500, 500]);
  const api = axios.create({ baseURL: server.url });
  attach(api, { retry: { retries: 2, baseDelay: 5 } });
  out.outcomes.push(
    await api.get('/item').then(
      () => 'ok',
      (e: { response?: { status: number } }) => e.response?.status,
    ),
  );
  await server.close();
} else if (scenario === 'many') {
  // 1,000 requests, 20 % of first attempts fail (503): the logical span's time is its attempts and its waits.
  const answers: number[] = [];
  const server = http.createServer((req, res) => {
    const k = answers.push(0);
    res.writeHead(k % 5 === 0 ? 503 : 200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = axios.create({ baseURL: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  attach(api, { retry: { baseDelay: 2 }, limiter: { maxConcurrent: 8 } });
  await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      api.get(`/r/${i}`).then(
        (r) => r.status,
        () => 'failed',
      ),
    ),
  );
  server.closeAllConnections();
  server.close();
} else if (scenario === 'gauges') {
  // A 429 naming 1 s (a pause of the limiter), then answers stating the quota: remaining=7.
  let n = 0;
  const server = http.createServer((req, res) => {
    if (n++ === 0) return res.writeHead(429, { 'retry-after': '1' }).end();
    res.writeHead(200, { 'content-type': 'application/json', ratelimit: 'limit=10, remaining=7, reset=30' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = axios.create({ baseURL: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  attach(api, { limiter: { id: 'gauged' } });
  out.outcomes.push((await api.get('/item')).status);
  server.closeAllConnections();
  server.close();
} else if (scenario === 'walk') {
  const server = await serve([200, 503]);
  const api = axios.create({ baseURL: server.url });
  attach(api, { retry: { baseDelay: 5 } });
  out.outcomes.push((await collect(api, '/items?page=1')).length);
  await server.close();
}

const { resourceMetrics } = await reader.collect();
const metricPoints = resourceMetrics.scopeMetrics
  .filter((scope) => scope.scope.name === 'axios-steady')
  .flatMap((scope) =>
    scope.metrics.map((m) => ({
      name: m.descriptor.name,
      points: m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
    })),
  );
const spans = exporter.getFinishedSpans().map(spanJson);
process.stdout.write(JSON.stringify({ ...out, spans, metrics: metricPoints }));
await provider.shutdown();
