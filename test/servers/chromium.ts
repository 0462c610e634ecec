// Launches a headless Chromium for the browser suite: $CHROMIUM_PATH or the system's, else the one the
// @sparticuz/chromium dev dependency ships inside the npm package (scripts/provision.mjs says which).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

// Flags for a machine whose only network is loopback: without the background-networking ones Chromium keeps
// dialling Google's hosts and gets refused, many connections at a time.
const QUIET = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function launchChromium(): Promise<Browser> {
  const system = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
  if (system) return chromium.launch({ executablePath: system, args: ['--headless', '--no-sandbox', '--disable-gpu', ...QUIET] });
  const packaged = (await import('@sparticuz/chromium')).default;
  // Its flags are tuned for AWS Lambda: --single-process ends the browser when its last page closes.
  const args = packaged.args.filter((arg) => arg !== '--single-process');
  return chromium.launch({ executablePath: await packaged.executablePath(), args: [...args, ...QUIET], headless: true });
}
