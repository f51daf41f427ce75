// Whether dist/ is current: built after the newest source it is built from. Read by bin/routerlab.js (start from
// dist/ or from the TypeScript sources) and by scripts/build.mjs (skip a build that would change nothing).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** When dist/ was last built (ms), or -1 when it was not. */
export function builtAt() {
  try {
    return statSync(join(root, 'dist', '.built')).mtimeMs;
  } catch {
    return -1;
  }
}

/** The newest modification time of the sources dist/ is built from. */
export function newestSource() {
  let newest = statSync(join(root, 'index.ts')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name !== 'k6' && entry.name !== 'node_modules') walk(join(dir, entry.name));
      } else if (entry.name.endsWith('.ts') || entry.name.endsWith('.html') || entry.name.endsWith('.proto')) {
        newest = Math.max(newest, statSync(join(dir, entry.name)).mtimeMs);
      }
    }
  };
  for (const dir of ['cli', 'emulator', 'hil', 'scenarios']) walk(join(root, dir));
  return newest;
}

export function distIsCurrent() {
  const built = builtAt();
  return built > 0 && newestSource() <= built;
}
