// `node --expose-gc --import tsx bench/otel-cost.ts [rounds]`: what tracing costs per request, in CPU time with the
// network taken out (test/cpu-stub.ts): attach() with no OpenTelemetry registered (the library finds no registry:
// one property read), then the same after an SDK is registered (NodeTracerProvider, a span processor exporting to
// memory, cleared between rounds): one INTERNAL and one CLIENT span per request, a traceparent per attempt.
import { attach } from 'axios-steady';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { measure, stubContenders, type Attach } from '../test/cpu-stub.js';
import { median } from './lib/stats.js';

const rounds = Number(process.argv[2] ?? 20);
const report = (title: string, over: Map<string, number[]>) => {
  console.log(title);
  for (const [name, s] of over) console.log(`  ${name}: ${median(s) >= 0 ? '+' : ''}${median(s).toFixed(2)} µs`);
};
const field = stubContenders([
  ['attach() defaults', attach as Attach],
  ['attach() telemetry: false', ((api) => attach(api, { telemetry: false })) as Attach],
]);
report(`no OpenTelemetry registered (${rounds} rounds):`, await measure(field, rounds));
const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
const clearing = setInterval(() => exporter.reset(), 50);
report(`an SDK registered, spans exported to memory (${rounds} rounds):`, await measure(field, rounds));
clearInterval(clearing);
