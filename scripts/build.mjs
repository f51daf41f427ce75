// npm run build (and "prepare", so `npm ci` gives a built tree): compiles the CLI and library to dist/ and puts
// the files they read by relative path beside them, so dist/ runs as the sources do.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// `npx routerlab` in this folder installs the folder into npm's npx cache as a link and runs this script as its
// "prepare" again (npm 11 libnpmexec, for a command that is the local package's own bin): nothing to build when dist/
// is current, and rebuilding cost 6 s of every first start. `npm run build` always builds.
const { distIsCurrent } = await import('../bin/freshness.js');
if (process.env.npm_lifecycle_event === 'prepare' && distIsCurrent()) process.exit(0);
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// Read through new URL('../../fixtures/...', import.meta.url) and friends: the same relative places under dist/.
for (const name of ['fixtures', 'bin']) {
  const link = join(dist, name);
  if (existsSync(link) || lstatSync(link, { throwIfNoEntry: false })) rmSync(link, { recursive: true, force: true });
  symlinkSync(join('..', name), link, 'dir');
}
for (const file of ['emulator/control/dashboard.html', 'emulator/usp/usp-record-1-4.proto', 'emulator/usp/usp-msg-1-4.proto']) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  copyFileSync(join(root, file), join(dist, file));
}
// bin/routerlab.js starts from dist/ only while no source is newer than this mark.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
