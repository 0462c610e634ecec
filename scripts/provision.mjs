// Finds, or installs, the real programs the test suites and the bench drive: redis-server (the fleet) and a
// Chromium (the React example). Runs before `npm test` and `npm run bench`, so a fresh machine needs nothing
// but Node and npm. When something cannot be provisioned it stops at once and says what to install.
//   redis-server: $REDIS_SERVER, else on PATH, else `apt-get install redis-server` when root on Debian/Ubuntu.
//   Chromium:     $CHROMIUM_PATH, else /usr/bin/chromium, else the Chromium that @sparticuz/chromium (a dev
//                 dependency) ships inside the npm package — no download, no root.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const problems = [];

function redisServer() {
  const given = process.env.REDIS_SERVER;
  if (given) return existsSync(given) ? given : problems.push(`REDIS_SERVER=${given} does not exist`);
  if (has('redis-server')) return 'redis-server';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !has('apt-get')) {
    problems.push(
      'redis-server is not installed (the fleet tests start a real one on a free loopback port).\n' +
        '  Install it, e.g. `sudo apt-get install -y redis-server` or `brew install redis`,\n' +
        '  or point REDIS_SERVER at a redis-server binary (Redis ≥ 6).',
    );
    return undefined;
  }
  console.log('provision: installing redis-server with apt-get (once per machine)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => execFileSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', 'redis-server']);
  } catch (error) {
    problems.push(`apt-get could not install redis-server (${error.message.split('\n')[0]}); install it by hand`);
    return undefined;
  }
  return has('redis-server') ? 'redis-server' : problems.push('apt-get ran, but redis-server is still not on PATH');
}

function chromium() {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (candidate && existsSync(candidate)) return candidate;
  try {
    createRequire(import.meta.url).resolve('@sparticuz/chromium');
    return '@sparticuz/chromium (from node_modules)';
  } catch {
    problems.push('no Chromium: run `npm ci` (it installs @sparticuz/chromium) or set CHROMIUM_PATH to a Chromium binary');
    return undefined;
  }
}

const found = { 'redis-server': redisServer(), chromium: chromium() };
if (problems.length > 0) {
  // The bench runs what it can and names the scenario it skipped; the test suites need everything.
  const forBench = process.argv.includes('--for-bench');
  console.error(
    `\nprovision: ${forBench ? 'the bench' : 'the test suites'} need programs this machine lacks:\n- ${problems.join('\n- ')}\n`,
  );
  if (!forBench) process.exit(1);
}
console.log(
  `provision: ${Object.entries(found)
    .map(([name, where]) => `${name} → ${where}`)
    .join('; ')}`,
);
