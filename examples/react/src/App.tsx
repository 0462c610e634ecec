import axios, { type AxiosInstance } from 'axios';
import { useEffect, useMemo, useRef, useState } from 'react';
import { attach, paginate, pageNumber, PaginationError, type Steady } from 'axios-steady';

interface Item {
  id: number;
}

// The API to list, e.g. ?api=http://127.0.0.1:4000 (the simulated API the tests and the demo use), and
// the transport: axios' XMLHttpRequest adapter by default, its fetch adapter with ?adapter=fetch.
const query = new URLSearchParams(location.search);
const apiBase = query.get('api') ?? 'http://127.0.0.1:4000';
const adapter = query.get('adapter') === 'fetch' ? 'fetch' : 'xhr';

/**
 * One axios instance for the app, made steady while the component is mounted. attach() runs in an effect
 * (not in useMemo) so React's StrictMode mount → unmount → mount leaves it attached exactly once.
 */
function useSteadyApi(): { api: AxiosInstance; steady: Steady | undefined } {
  const api = useMemo(() => axios.create({ baseURL: apiBase, timeout: 10_000, adapter }), []);
  const [steady, setSteady] = useState<Steady>();
  useEffect(() => {
    const handle = attach(api, { limiter: { maxConcurrent: 4 } });
    setSteady(handle);
    return () => handle.detach();
  }, [api]);
  return { api, steady };
}

export function App() {
  const { api, steady } = useSteadyApi();
  const [items, setItems] = useState<Item[]>([]);
  const [progress, setProgress] = useState({ pages: 0, totalPages: 0 });
  const [status, setStatus] = useState('idle');
  const controller = useRef<AbortController | null>(null);
  // The limiter's counters run for as long as it is attached; each load shows its own.
  const [base, setBase] = useState({ retries: 0, rateLimited: 0 });

  async function loadAll() {
    controller.current = new AbortController();
    const { retries, rateLimited } = steady?.stats() ?? { retries: 0, rateLimited: 0 };
    setBase({ retries, rateLimited });
    setItems([]);
    setStatus('loading');
    try {
      const strategy = pageNumber({ totalPages: (res) => res.data.total_pages });
      const options = {
        strategy,
        concurrency: 4,
        signal: controller.current.signal,
        onProgress: (p: { pages: number; totalPages?: number }) => setProgress({ pages: p.pages, totalPages: p.totalPages ?? 0 }),
      };
      for await (const page of paginate.pages<Item>(api, '/page', options)) setItems((prev) => [...prev, ...page.items]);
      setStatus('done');
    } catch (error) {
      setStatus(error instanceof PaginationError && error.code === 'ABORTED' ? 'canceled' : `failed: ${(error as Error).message}`);
    }
  }

  const total = steady?.stats() ?? { retries: 0, rateLimited: 0 };
  const stats = { retries: total.retries - base.retries, rateLimited: total.rateLimited - base.rateLimited };
  return (
    <main style={{ fontFamily: 'sans-serif', maxWidth: 640, margin: '2rem auto' }}>
      <h1>Items</h1>
      <button onClick={loadAll} disabled={!steady || status === 'loading'}>
        Load all
      </button>{' '}
      <button onClick={() => controller.current?.abort()} disabled={status !== 'loading'}>
        Cancel
      </button>
      <p>
        <progress max={progress.totalPages || 1} value={progress.pages} /> {progress.pages}/{progress.totalPages} pages
      </p>
      <p data-testid="status">
        {status} · {items.length} items · <span data-testid="retries">{stats.retries}</span> retries ·{' '}
        <span data-testid="rate-limited">{stats.rateLimited}</span> rate-limited
      </p>
      <ul data-testid="items" style={{ columns: 4 }}>
        {items.map((item) => (
          <li key={item.id}>#{item.id}</li>
        ))}
      </ul>
    </main>
  );
}
