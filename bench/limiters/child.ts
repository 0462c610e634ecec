// Runs a rate-limited API (test/servers/limiters.ts) in its own process, so the server's clock is not slowed
// by the client's CPU. Options arrive as JSON in argv; the port and stats go back over IPC.
import { startLimitedApi, type LimitedOptions } from '../../test/servers/limiters.js';

const api = await startLimitedApi(JSON.parse(process.argv[2] ?? '{}') as LimitedOptions);
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ stats: api.stats });
});
process.on('disconnect', () => void api.close().then(() => process.exit(0)));
process.send?.({ url: api.url });
