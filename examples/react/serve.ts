// npm run example:react — the React example against a flaky, rate-limited simulated API on 127.0.0.1:
// starts that API (CORS on) and Vite's dev server, and prints the page to open. Ctrl-C stops both.
import { startSimApi } from 'axios-steady/sim-api';
import { createServer } from 'vite';

const api = await startSimApi({
  items: 400,
  pageSize: 10,
  latencyMs: 30,
  cors: true,
  quota: { limit: 15, windowMs: 1000, headers: 'none' },
  faults: { seed: 7, error503: 0.08, reset: 0.02 },
});
const vite = await createServer({ configFile: new URL('./vite.config.ts', import.meta.url).pathname, server: { host: '127.0.0.1' } });
await vite.listen();
const page = `${vite.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/'}?api=${encodeURIComponent(api.url)}`;
console.log(
  `React example: open ${page}\n(simulated API at ${api.url}: 15 requests/s, 429 + Retry-After beyond, 8 % 503s, 2 % resets; Ctrl-C to stop)`,
);
const stop = async () => {
  await vite.close();
  await api.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
