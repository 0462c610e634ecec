#!/usr/bin/env node
/// <reference types="node" />
// The `axios-steady` command. Parses argv, runs the command, and owns the process: signals (the first Ctrl-C
// stops the walk cleanly, a second one exits at once), exit codes, and never a stack trace for a usage error.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseCommand, USAGE, UsageError } from './args.js';
import { EXIT, runCollect } from './collect-command.js';
import { runDemo } from './demo.js';

function version(): string {
  // dist/{esm,cjs}/cli/main.js → the package root; no import.meta, so the CJS build compiles too.
  try {
    // npx runs the bin through a symlink in node_modules/.bin: resolve it to the file itself.
    const file = path.resolve(path.dirname(realpathSync(process.argv[1] ?? '.')), '..', '..', '..', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  // 128 + the signal's number, as a shell reports a process the signal ended: 130 for Ctrl-C, 143 for SIGTERM.
  let exitCode: number = EXIT.interrupted;
  const onSignal = (signal: NodeJS.Signals) => {
    // The first stops fetching (what is in order is written, the checkpoint saved); a second one is impatience.
    if (++signals > 1) {
      process.stderr.write('\u001b[?25h');
      process.exit(exitCode);
    }
    exitCode = signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, interrupted: () => exitCode };
  try {
    const command = parseCommand(argv);
    switch (command.command) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return EXIT.complete;
      case 'version':
        process.stdout.write(`${version()}\n`);
        return EXIT.complete;
      case 'demo':
        return await runDemo(command, io);
      case 'collect':
        return await runCollect(command, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`axios-steady: ${error.message}\nRun "axios-steady --help" for the options.\n`);
      return EXIT.usage;
    }
    // Options the library refused (its TypeError names them) are usage errors too; anything else is a bug.
    if (error instanceof TypeError && error.message.startsWith('axios-steady:')) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`axios-steady: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
