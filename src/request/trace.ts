// One logical request as OpenTelemetry sees it, following the HTTP semantic conventions' retry example: an
// INTERNAL span for the logical request (no HTTP semantics of its own) and, as its children, exactly one CLIENT
// span per attempt sent, with `http.request.resend_count` on every resend and its own `traceparent`. The HTTP
// instrumentation below (instrumentation-http, -undici) is suppressed for the attempt, so an attempt never has two
// CLIENT spans; without one, the attempt span is the only one. Waits (the limiter's queue, a backoff, a pause) are
// events on the logical span with their durations.
import axios, { AxiosHeaders, isAxiosError, isCancel, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import {
  activeContext,
  instruments,
  tracing,
  SPAN_KIND,
  startSpan,
  STATUS,
  suppressed,
  traceHeaders,
  within,
  withSpan,
  type OtelContext,
  type OtelSpan,
} from '../telemetry/otel.js';

type Attributes = Record<string, string | number | boolean | undefined>;

/** What went wrong, as `error.type` says it: the status code, the error's code, or its name. */
function errorType(error: unknown, response: AxiosResponse | undefined): string {
  if (response && response.status >= 400) return String(response.status);
  if (isCancel(error)) return 'cancelled';
  if (isAxiosError(error) && error.code) return error.code;
  return error instanceof Error ? error.name : '_OTHER';
}

/**
 * Times are given to the spans explicitly, as epoch ms on one clock per request (`performance.now()` anchored to
 * `Date.now()` once, when the request starts), so the waits (gaps with no attempt on the wire) and the attempts'
 * spans tile the logical span exactly, up to its last attempt's end. Left to the SDK, each span anchors itself
 * anew, and a process descheduled between its two clock reads skews that span by as long (measured: 8.7 ms on
 * a busy machine).
 */
export class RequestTrace {
  private readonly started: number;
  /** Epoch ms at performance.now() = 0, read once for the whole request. */
  private readonly anchor: number;
  /** Since when no attempt has been on the wire (the logical start, then each last attempt's end). */
  private idleFrom: number;
  /** Time with no attempt on the wire after the first was sent: A96's retry delay. */
  private idleMs = 0;
  private sent = 0;
  private active = 0;
  /** Why the next attempt waits (set before a retry): a backoff, a delay the server named, an outage. */
  waitReason: 'backoff' | 'retry-after' | 'api-down' | undefined;

  private constructor(
    readonly span: OtelSpan,
    private readonly context: OtelContext,
    private readonly common: Attributes,
    started: number,
    anchor: number,
    /** The request's URL as the logical span has it: an attempt with the same config parts reuses it. */
    private readonly first: InternalAxiosRequestConfig,
    private readonly url: string | undefined,
  ) {
    this.started = this.idleFrom = started;
    this.anchor = anchor;
  }

  /** The logical request's span, when a recording tracer is registered (else undefined: nothing is traced). */
  static start(config: InternalAxiosRequestConfig): RequestTrace | undefined {
    if (!tracing()) return undefined;
    const parent = activeContext();
    const method = (config.method ?? 'get').toUpperCase();
    const url = fullUrl(config);
    const common: Attributes = {
      'http.request.method': method,
      ...(url && { 'server.address': url.hostname, 'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80) }),
    };
    const anchor = Date.now() - performance.now();
    const now = performance.now();
    const full = url && redact(url);
    const span = startSpan(method, SPAN_KIND.INTERNAL, { ...common, ...(full && { 'url.full': full }) }, parent, anchor + now);
    return span ? new RequestTrace(span, withSpan(parent, span), common, now, anchor, config, full) : undefined;
  }

  /**
   * An attempt is about to be sent (`retry`: after a failure; `hedge`: a hedge's copy): the wait before it as an
   * event, its CLIENT span, its config with its own trace headers, and how to send it within its context.
   */
  attempt(config: InternalAxiosRequestConfig, retry: boolean, hedge: boolean): AttemptTrace {
    const now = performance.now();
    if (this.active === 0) {
      const waited = now - this.idleFrom;
      if (retry || waited > 0.5) {
        const reason = retry ? (this.waitReason ?? 'backoff') : 'queue';
        this.span.addEvent('steady.wait', { 'steady.wait.reason': reason, 'steady.wait.duration_ms': waited }, this.anchor + now);
        instruments()?.queueWait.record?.(waited / 1000, { ...this.common, 'steady.wait.reason': reason });
      }
      if (this.sent > 0) this.idleMs += waited;
    }
    this.waitReason = undefined;
    const resend = this.sent++;
    this.active++;
    const { first } = this;
    const same = config.url === first.url && config.baseURL === first.baseURL && config.params === first.params;
    const own = same ? undefined : fullUrl(config);
    const url = same ? this.url : own && redact(own);
    const span = startSpan(
      (config.method ?? 'get').toUpperCase(),
      SPAN_KIND.CLIENT,
      {
        ...this.common,
        ...(url && { 'url.full': url }),
        ...(resend > 0 && { 'http.request.resend_count': resend }),
        ...(hedge && { 'steady.hedge': true }),
      },
      this.context,
      this.anchor + now,
    );
    const ended = () => {
      const at = performance.now();
      if (--this.active === 0) this.idleFrom = at;
      return at;
    };
    if (!span) return { config, send: (fn) => fn(), end: () => void ended() };
    const context = withSpan(this.context, span);
    const headers = traceHeaders(context);
    return {
      config: headers ? { ...config, headers: AxiosHeaders.concat(config.headers, headers) } : config,
      // Below here, the HTTP instrumentation sees tracing suppressed: the attempt's CLIENT span is this one.
      send: (fn) => within(suppressed(context), fn),
      end: (response, error) => {
        if (response) span.setAttribute('http.response.status_code', response.status);
        if (error !== undefined || (response && response.status >= 400)) {
          span.setAttribute('error.type', errorType(error, response));
          span.setStatus({ code: STATUS.ERROR });
        }
        span.end(this.anchor + ended());
      },
    };
  }

  /** The logical request ended: its outcome, attempts, retries, hedges; the metrics recorded. */
  end(outcome: { attempts: number; retries: number; hedges: number; stoppedBy?: string; error?: unknown; status?: number }): void {
    const { span } = this;
    span.setAttributes({
      'steady.attempts': outcome.attempts,
      'steady.retries': outcome.retries,
      'steady.hedges': outcome.hedges,
      ...(outcome.stoppedBy !== undefined && { 'steady.stopped_by': outcome.stoppedBy }),
      ...(outcome.status !== undefined && { 'http.response.status_code': outcome.status }),
    });
    if (outcome.error !== undefined) {
      const response = isAxiosError(outcome.error) ? outcome.error.response : undefined;
      span.setAttribute('error.type', errorType(outcome.error, response));
      span.setStatus({ code: STATUS.ERROR, message: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) });
    }
    const now = performance.now();
    span.end(this.anchor + now);
    const metrics = instruments();
    if (!metrics) return;
    const attributes = { ...this.common, 'steady.outcome': outcome.error === undefined ? 'success' : (outcome.stoppedBy ?? 'failure') };
    metrics.duration.record?.((now - this.started) / 1000, attributes);
    metrics.retries.record?.(outcome.retries, attributes);
    if (outcome.retries > 0) metrics.retryDelay.record?.(this.idleMs / 1000, attributes);
  }
}

export interface AttemptTrace {
  /** The attempt's config: its own trace headers added. */
  readonly config: InternalAxiosRequestConfig;
  send<R>(fn: () => R): R;
  end(response: AxiosResponse | undefined, error?: unknown): void;
}

function fullUrl(config: InternalAxiosRequestConfig): URL | undefined {
  try {
    return new URL(axios.getUri(config));
  } catch {
    return undefined; // a relative URL without a baseURL (a custom adapter may resolve it): no address to tell
  }
}

/** `url.full` without credentials: user info dropped, as the conventions ask. */
function redact(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = 'REDACTED';
  copy.password = 'REDACTED';
  return copy.href;
}
