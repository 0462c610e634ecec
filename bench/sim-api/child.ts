// Runs the simulated API (test/servers/sim-api.ts) in its own process, so the server's CPU is not the
// client's. Options arrive as JSON in argv; the port and stats go back over IPC.
import { startSimApi, type SimOptions } from '../../test/servers/sim-api.js';

const sim = await startSimApi(JSON.parse(process.argv[2] ?? '{}') as SimOptions);
process.on('message', (message) => {
  if (message === 'stats')
    process.send?.({
      stats: { ...sim.stats, arrivals: process.env.P9_ARRIVALS ? sim.stats.arrivals : [], limitedAt: sim.stats.limitedAt },
    });
  if (message === 'reset')
    Object.assign(sim.stats, { requests: 0, pages: 0, rateLimited: 0, faults: 0, maxInFlight: 0, arrivals: [], limitedAt: [] });
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
process.send?.({ url: sim.url });
