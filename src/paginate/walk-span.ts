// A walk's OpenTelemetry span, when a recording tracer is registered: one per walk, its page requests its
// children (their context is the walk's), each page yielded an event, and at its end what the walk did.
import { PaginationError } from '../errors.js';
import { activeContext, SPAN_KIND, startSpan, STATUS, withSpan, type OtelContext, type OtelSpan } from '../telemetry/otel.js';
import type { Tally } from './tally.js';
import type { Page, Strategy } from './types.js';

export interface WalkSpan {
  readonly span: OtelSpan;
  /** The context a page request is sent in, so that its spans are the walk's children. */
  readonly context: OtelContext;
}

/** The walk's span, child of whatever span is active; undefined without a recording tracer. */
export function startWalkSpan(urlFull: string): WalkSpan | undefined {
  const parent = activeContext();
  const span = startSpan('steady.walk', SPAN_KIND.INTERNAL, { 'url.full': urlFull }, parent);
  return span ? { span, context: withSpan(parent, span) } : undefined;
}

/** A page yielded: its index, items, and the checkpoint after it. */
export function pageEvent(walk: WalkSpan, page: Page<unknown>): void {
  walk.span.addEvent('steady.page', {
    'steady.page.index': page.index,
    'steady.page.items': page.items.length,
    ...(page.revalidated && { 'steady.page.revalidated': true }),
    'steady.checkpoint': page.checkpoint ? JSON.stringify(page.checkpoint.next) : 'none',
  });
}

/** The walk ended (`failure` undefined: it completed, or the loop stopped): its totals, and how it failed. */
export function endWalkSpan(walk: WalkSpan, strategy: Strategy, tally: Tally<unknown>, failure: unknown): void {
  const { span } = walk;
  span.setAttributes({
    'steady.strategy': (strategy as { chosen?: string }).chosen ?? strategy.name,
    'steady.pages': tally.pages,
    'steady.items': tally.items,
    'steady.requests': tally.requests,
    'steady.retries': tally.retries,
    ...(tally.revalidated > 0 && { 'steady.revalidated': tally.revalidated }),
  });
  if (failure !== undefined) {
    span.setAttribute('error.type', failure instanceof PaginationError ? failure.code : failure instanceof Error ? failure.name : '_OTHER');
    span.setStatus({ code: STATUS.ERROR, message: failure instanceof Error ? failure.message : String(failure) });
  }
  span.end();
}
