#!/usr/bin/env node
// Entry point of the routerlab command. Starts from the compiled dist/ (npm run build; `npm ci` builds it) while no
// source file is newer than the build, so a start does not compile TypeScript; otherwise (a source edited since)
// it loads the TypeScript CLI through tsx, as before.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Output piped into a reader that stops early (`routerlab profiles | head`) is not an error of routerlab.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e) => e.code === 'EPIPE' ? process.exit(process.exitCode ?? 0) : Promise.reject(e));

function builtAt() {
  try {
    return statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return -1;
  }
}

/** The newest modification time of the sources dist/ is built from. */
function newestSource() {
  let newest = statSync(join(root, 'index.ts')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name !== 'k6' && entry.name !== 'node_modules') walk(join(dir, entry.name));
      } else if (entry.name.endsWith('.ts') || entry.name.endsWith('.html')) {
        newest = Math.max(newest, statSync(join(dir, entry.name)).mtimeMs);
      }
    }
  };
  for (const dir of ['cli', 'emulator', 'hil', 'scenarios']) walk(join(root, dir));
  return newest;
}

const built = builtAt();
let main;
if (built > 0 && newestSource() <= built) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
