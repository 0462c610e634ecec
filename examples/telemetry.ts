// OpenTelemetry: register an SDK (here: spans kept in memory, printed as a tree at the end; in a service, your
// exporter) and axios-steady's spans appear with no option — a walk, each page's logical request (INTERNAL), each
// attempt (CLIENT, http.request.resend_count on resends, its own traceparent), waits as events.
//   API_URL='http://127.0.0.1:4000/page' npx tsx examples/telemetry.ts
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();

// After the SDK, as auto-instrumentation would have it (instrumentation-http, if you use it, is suppressed for
// each attempt: the attempt's CLIENT span is axios-steady's).
const { default: axios } = await import('axios');
const { attach, collect, pageNumber } = await import('axios-steady');

const first = new URL(process.env.API_URL ?? 'https://api.example.com/page');
const api = axios.create({ baseURL: first.origin, timeout: 2000 });
const steady = attach(api, { retry: { baseDelay: 20 }, hedge: { delay: 150 } });
const items = await collect(api, first.pathname + first.search, {
  strategy: pageNumber({ totalPages: (r) => (r.data as { total_pages: number }).total_pages }),
  concurrency: 4,
});
steady.detach();

// The walk's trace as a tree: the walk, then the page requests that waited, retried or hedged, with their attempts.
const spans = exporter.getFinishedSpans();
const ms = (s: ReadableSpan) => `${((s.endTime[0] - s.startTime[0]) * 1e3 + (s.endTime[1] - s.startTime[1]) / 1e6).toFixed(1)} ms`;
const attrs = (s: ReadableSpan, keys: string[]) =>
  keys
    .filter((k) => s.attributes[k] !== undefined)
    .map((k) => `${k}=${String(s.attributes[k])}`)
    .join(' ');
const children = (parent: ReadableSpan) => spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
const walk = spans.find((s) => s.name === 'steady.walk') as ReadableSpan;
console.log(`${walk.name} ${ms(walk)} ${attrs(walk, ['steady.strategy', 'steady.pages', 'steady.items', 'steady.retries'])}`);
for (const request of children(walk)) {
  const attempts = children(request);
  if (attempts.length < 2 && request.events.every((e) => e.attributes?.['steady.wait.reason'] === 'queue')) continue;
  console.log(
    `  ${request.name} (INTERNAL) ${ms(request)} ${attrs(request, ['url.full', 'steady.attempts', 'steady.retries', 'steady.hedges'])}`,
  );
  for (const e of request.events) console.log(`    event ${e.name} ${JSON.stringify(e.attributes)}`);
  for (const a of attempts)
    console.log(
      `    ${a.name} (CLIENT) ${ms(a)} ${attrs(a, ['http.request.resend_count', 'steady.hedge', 'http.response.status_code', 'error.type'])}`,
    );
}
console.log(`${items.length} items; ${spans.length} spans`);
