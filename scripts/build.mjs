// Dual build: tsc emits ESM (NodeNext) and CJS (CommonJS) from the same sources; each output folder gets a
// package.json naming its module type so Node and TypeScript read .js and .d.ts files the right way.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
// The fleet's Lua, assembled into a module first (see scripts/lua.mjs).
execFileSync(process.execPath, ['scripts/lua.mjs'], { stdio: 'inherit' });
const tsc = (project) => execFileSync('npx', ['tsc', '-p', project], { stdio: 'inherit' });
tsc('tsconfig.build.json');
tsc('tsconfig.cjs.json');
writeFileSync('dist/esm/package.json', '{ "type": "module" }\n');
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
// The `axios-steady` bin: npm sets the mode on install; this makes `./dist/esm/cli/main.js` runnable from a checkout.
chmodSync('dist/esm/cli/main.js', 0o755);
