// `npx routerlab` in a clone links that clone into npm's npx cache (~/.npm/_npx/<hash>). A test or bench that made
// the clone in a temporary folder removes the link with it, so the cache does not collect entries that point nowhere.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Removes the npx cache entries that install the package at `dir` (an absolute path). */
export function forgetNpxInstall(dir) {
  const npx = join(homedir(), '.npm', '_npx');
  let entries;
  try {
    entries = readdirSync(npx, { withFileTypes: true }).filter((e) => e.isDirectory());
  } catch {
    // No npx cache: nothing to forget.
    return;
  }
  for (const entry of entries) {
    try {
      const manifest = JSON.parse(readFileSync(join(npx, entry.name, 'package.json'), 'utf8'));
      const spec = Object.values(manifest.dependencies ?? {}).join(' ');
      if (spec.includes(dir.replace(/^\//, ''))) rmSync(join(npx, entry.name), { recursive: true, force: true });
    } catch {
      // Not an npx install folder: left alone.
    }
  }
}
