#!/usr/bin/env node
// Entry point of the routerlab command. Starts from the compiled dist/ (npm run build; `npm ci` builds it) while no
// source file is newer than the build, so a start does not compile TypeScript; otherwise (a source edited since)
// it loads the TypeScript CLI through tsx, as before.
import { distIsCurrent } from './freshness.js';

// Output piped into a reader that stops early (`routerlab profiles | head`) is not an error of routerlab.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e) => e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : Promise.reject(e));

let main;
if (distIsCurrent()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
