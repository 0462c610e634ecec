// A finished span as the telemetry tests read it (Node: test/otel/scenario.ts; the browser page:
// test/otel/browser/main.ts): what the assertions need, in plain JSON.
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface SpanJson {
  name: string;
  kind: number;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: number;
  startMs: number;
  endMs: number;
}

const ms = (t: [number, number]) => t[0] * 1e3 + t[1] / 1e6;

export function spanJson(s: ReadableSpan): SpanJson {
  return {
    name: s.name,
    kind: s.kind,
    scope: s.instrumentationScope.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    ...(s.parentSpanContext && { parentSpanId: s.parentSpanContext.spanId }),
    attributes: s.attributes,
    events: s.events.map((e) => ({ name: e.name, attributes: e.attributes ?? {} })),
    status: s.status.code,
    startMs: ms(s.startTime),
    endMs: ms(s.endTime),
  };
}
