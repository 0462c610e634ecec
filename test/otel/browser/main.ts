// The telemetry test page (__tests__/telemetry-browser.test.ts): the web SDK registered (spans kept in memory, the
// stack context manager, W3C propagation) and instrumentation-xml-http-request enabled before axios loads, as a
// web app sets it up; then `window.run(url, telemetry)` sends one GET through attach() and returns the finished spans.
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { XMLHttpRequestInstrumentation } from '@opentelemetry/instrumentation-xml-http-request';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';
import { spanJson } from '../span-json.js';

const exporter = new InMemorySpanExporter();
new WebTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
registerInstrumentations({ instrumentations: [new XMLHttpRequestInstrumentation({ propagateTraceHeaderCorsUrls: [/.*/] })] });

const { default: axios } = await import('axios');
const { attach } = await import('axios-steady');

(window as unknown as { run: (url: string, telemetry: boolean) => Promise<unknown> }).run = async (url: string, telemetry: boolean) => {
  exporter.reset();
  const api = axios.create({ adapter: 'xhr' });
  const steady = attach(api, { retry: { baseDelay: 5 }, telemetry });
  const status = (await api.get(url)).status;
  steady.detach();
  // The XHR instrumentation ends its spans 300 ms after loadend (to read resource timings). Without ours, wait for
  // its three; with ours, give it a second to show any it should not have made.
  const xhr = () => exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name.endsWith('xml-http-request')).length;
  const until = Date.now() + (telemetry ? 1000 : 20_000);
  while (Date.now() < until && (telemetry || xhr() < 3)) await new Promise((resolve) => setTimeout(resolve, 50));
  return {
    status,
    spans: exporter.getFinishedSpans().map(spanJson),
  };
};
document.title = 'ready';
