// OpenTelemetry, with nothing to install and nothing to wire: an application that registered a tracer (or meter)
// provider through @opentelemetry/api has registered it in the API's global registry, a versioned symbol on
// globalThis that every copy of @opentelemetry/api 1.x shares. Reading it there — instead of importing the API —
// keeps @opentelemetry/api an optional peer: absent, this file costs one property read per request; present with
// no SDK, a span that does not record is dropped at once. Context keys are the API's own (`Symbol.for` of their
// descriptions), so the SDK's tracer, propagator and instrumentations read what this file sets.

const REGISTRY = Symbol.for('opentelemetry.js.api.1');
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
/** @opentelemetry/core's suppressTracing(): an instrumentation below this one makes no span of its own. */
const SUPPRESS_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

export const SPAN_KIND = { INTERNAL: 0, CLIENT: 2 } as const;
export const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

type Attributes = Record<string, string | number | boolean | undefined>;

export interface OtelContext {
  getValue(key: symbol): unknown;
  setValue(key: symbol, value: unknown): OtelContext;
  deleteValue(key: symbol): OtelContext;
}

export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setAttributes(attributes: Attributes): unknown;
  addEvent(name: string, attributes?: Attributes, time?: number): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  updateName(name: string): unknown;
  end(time?: number): void;
  isRecording(): boolean;
}

interface Tracer {
  startSpan(name: string, options?: { kind?: number; attributes?: Attributes; startTime?: number }, context?: OtelContext): OtelSpan;
}
interface Instrument {
  record?(value: number, attributes?: Attributes): void;
  add?(value: number, attributes?: Attributes): void;
}
interface Observable {
  addCallback(callback: (result: { observe(value: number, attributes?: Attributes): void }) => void): void;
}
interface Meter {
  createHistogram(name: string, options?: { description?: string; unit?: string }): Instrument;
  createCounter(name: string, options?: { description?: string; unit?: string }): Instrument;
  createObservableGauge(name: string, options?: { description?: string; unit?: string }): Observable;
}
interface Registry {
  trace?: { getTracer(name: string, version?: string): Tracer };
  context?: { active(): OtelContext; with<R>(context: OtelContext, fn: () => R): R };
  propagation?: {
    inject(context: OtelContext, carrier: unknown, setter: { set(carrier: unknown, key: string, value: string): void }): void;
  };
  metrics?: { getMeter(name: string, version?: string): Meter };
}

/** A context when no context manager is registered: immutable, as the API's own. */
class BaseContext implements OtelContext {
  constructor(private readonly values: ReadonlyMap<symbol, unknown> = new Map()) {}
  getValue(key: symbol): unknown {
    return this.values.get(key);
  }
  setValue(key: symbol, value: unknown): OtelContext {
    return new BaseContext(new Map(this.values).set(key, value));
  }
  deleteValue(key: symbol): OtelContext {
    const values = new Map(this.values);
    values.delete(key);
    return new BaseContext(values);
  }
}

const NAME = 'axios-steady';
const registry = (): Registry | undefined => (globalThis as Record<symbol, Registry | undefined>)[REGISTRY];

/** The active context (the caller's span), or an empty one. */
export function activeContext(): OtelContext {
  return registry()?.context?.active() ?? new BaseContext();
}

/** Runs `fn` in `context` (so what it calls, an instrumentation below included, sees it). */
export function within<R>(context: OtelContext, fn: () => R): R {
  const manager = registry()?.context;
  return manager ? manager.with(context, fn) : fn();
}

/** Whether a tracer provider is registered at all (one property read: the cost of telemetry when there is none). */
export const tracing = (): boolean => registry()?.trace !== undefined;

/** Starts a span that records, or undefined: no provider registered, or one that does not record (no SDK). */
export function startSpan(
  name: string,
  kind: number,
  attributes: Attributes,
  parent: OtelContext = activeContext(),
  startTime?: number,
): OtelSpan | undefined {
  const tracer = registry()?.trace?.getTracer(NAME);
  if (!tracer) return undefined;
  const span = tracer.startSpan(name, { kind, attributes, ...(startTime !== undefined && { startTime }) }, parent);
  if (span.isRecording()) return span;
  span.end();
  return undefined;
}

/** `parent` with `span` as its active span. */
export const withSpan = (parent: OtelContext, span: OtelSpan): OtelContext => parent.setValue(SPAN_KEY, span);
/** `context` with tracing suppressed below: the HTTP instrumentation makes no second CLIENT span. */
export const suppressed = (context: OtelContext): OtelContext => context.setValue(SUPPRESS_KEY, true);

/** The trace context headers (traceparent, tracestate, baggage…) the registered propagator writes for `context`. */
export function traceHeaders(context: OtelContext): Record<string, string> | undefined {
  const propagation = registry()?.propagation;
  if (!propagation) return undefined;
  const headers: Record<string, string> = {};
  propagation.inject(context, headers, { set: (carrier, key, value) => void ((carrier as Record<string, string>)[key] = value) });
  return headers;
}

/** The library's instruments, made once per meter provider; undefined without one. */
export interface Instruments {
  readonly duration: Instrument;
  readonly retries: Instrument;
  readonly retryDelay: Instrument;
  readonly queueWait: Instrument;
  readonly pauses: Instrument;
}
let made: { provider: unknown; instruments: Instruments } | undefined;

export function instruments(): Instruments | undefined {
  const provider = registry()?.metrics;
  if (!provider) return undefined;
  if (made?.provider === provider) return made.instruments;
  const meter = provider.getMeter(NAME);
  const instruments: Instruments = {
    duration: meter.createHistogram('axios_steady.request.duration', {
      unit: 's',
      description: 'Duration of logical requests: every attempt and every wait between them',
    }),
    retries: meter.createHistogram('axios_steady.request.retries', { unit: '{retry}', description: 'Retries per logical request' }),
    retryDelay: meter.createHistogram('axios_steady.request.retry_delay', {
      unit: 's',
      description: 'Time per logical request with no attempt active: backoffs, pauses and queue waits before retries',
    }),
    queueWait: meter.createHistogram('axios_steady.queue.wait', { unit: 's', description: 'Time an attempt waited for the limiter' }),
    pauses: meter.createCounter('axios_steady.pauses', { unit: '{pause}', description: 'Pauses of the whole limiter, by reason' }),
  };
  made = { provider, instruments };
  const quota = meter.createObservableGauge('axios_steady.quota.remaining', {
    unit: '{request}',
    description: 'Requests the API says are left in its window, per limiter (absent until the API states a quota)',
  });
  quota.addCallback((result) => {
    for (const { limiter, remaining } of sources()) if (remaining !== undefined) result.observe(remaining, { 'steady.limiter': limiter });
  });
  const health = meter.createObservableGauge('axios_steady.api.up', {
    description: '1 while the API is up, 0 while the health gate holds it down',
  });
  health.addCallback((result) => {
    for (const { limiter, up } of sources()) result.observe(up ? 1 : 0, { 'steady.limiter': limiter });
  });
  return instruments;
}

/** What one attached limiter shows as gauges. */
export type GaugeSource = () => { limiter: string; remaining: number | undefined; up: boolean };
/**
 * Held weakly: an instance attached and dropped without detach() is collected with its source (the caller keeps
 * the source alive as long as the instance).
 */
const gauges = new Set<WeakRef<GaugeSource>>();

function* sources() {
  for (const ref of gauges) {
    const read = ref.deref();
    if (read) yield read();
    else gauges.delete(ref);
  }
}

/** Shows a limiter's quota and health as gauges while it is attached; returns how to stop. */
export function observeLimiter(source: GaugeSource): () => void {
  const ref = new WeakRef(source);
  gauges.add(ref);
  instruments(); // a meter provider registered now makes the gauges now
  return () => void gauges.delete(ref);
}
