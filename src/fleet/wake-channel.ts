/** The client a process is woken through: ioredis' or node-redis 3's subscriber (bottleneck's connection has one). */
export interface WakeClient {
  subscribe(...args: unknown[]): unknown;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  once?(event: 'ready', listener: () => void): unknown;
  /** ioredis: 'ready' once connected. */
  readonly status?: string;
}

/** How long a subscriber may take to connect and subscribe before this process settles for asking on a timer. */
const REDIS_READY_MS = 10_000;

/** What a process does with what it hears. */
export interface WakeHandlers {
  /** A message on this process' own channel (see FleetLedger's `heard`). */
  heard(message: string): void;
  /**
   * Every waiting request of this process is to ask again: the fleet's channel said 'w' (the ledger was lost with
   * its wait list: see lua/settle.lua), or the subscriber reconnected (a wake may have been lost meanwhile).
   */
  askAgain(): void;
}

/**
 * A process' side of the fleet's wait list: its subscription — its own channel, where it is handed grants and told
 * when to ask, and the fleet's, where every process is told to ask again — and its requests that wait for a wake.
 */
export class WakeChannel {
  private subscribed: Promise<boolean> | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly subscriber: WakeClient | undefined,
    private readonly channel: string,
    private readonly fleet: string,
    private readonly handlers: WakeHandlers,
  ) {}

  /** Subscribes once; resolves false when this process cannot be woken (it then asks on a timer). */
  listen(): Promise<boolean> {
    const { subscriber, channel, fleet, handlers } = this;
    if (!subscriber) return Promise.resolve(false);
    this.subscribed ??= new Promise<boolean>((resolve) => {
      subscriber.on('message', (from, message) => {
        if (from === channel) handlers.heard(message);
        else if (from === fleet && message === 'w') handlers.askAgain();
      });
      // ioredis subscribes again by itself after a reconnect.
      subscriber.on('ready', () => handlers.askAgain());
      const settled = (err: Error | null | undefined) => (clearTimeout(timer), resolve(!err));
      const subscribe = () => {
        try {
          const result = subscriber.subscribe(channel, fleet, (err: Error | null) => settled(err));
          if (result && typeof (result as Promise<unknown>).then === 'function')
            (result as Promise<unknown>).then(
              () => settled(null),
              (err: Error) => settled(err),
            );
        } catch {
          settled(new Error('subscribe failed'));
        }
      };
      // Not before the connection is ready: ioredis' ready check (INFO) is refused on a subscribed connection.
      const timer = setTimeout(() => resolve(false), REDIS_READY_MS);
      if (subscriber.status !== undefined && subscriber.status !== 'ready' && subscriber.once) subscriber.once('ready', subscribe);
      else subscribe();
    });
    return this.subscribed;
  }

  /** Waits for a wake (`wake()`), or `waitMs`, or `signal`; never rejects. */
  wait(waitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, waitMs));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Ends the wait of `count` waiting requests (all of them by default), the longest-waiting first. */
  wake(count = this.waiters.size): void {
    for (const done of [...this.waiters].slice(0, count)) done();
  }
}
