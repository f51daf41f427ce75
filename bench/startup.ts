// bench/startup: how long `routerlab help` takes to start, against `node -e 0` in the same run, and how long
// `routerlab serve` takes to print its first ready line. Prints `startup ratio: X` = median wall time of
// `routerlab help` / median of `node -e 0` (goal <= 8), and `serve ready ms: N` (median).
// Then the README's own command on a fresh clone: `npx routerlab serve` started for the first time in a clone of
// the committed tree (node_modules linked from here, dist built as `npm ci` builds it), until "goform listening":
// `fresh clone npx serve ready ms: N`, beside `node -e 0`. BENCH_FRESH=0 skips it.
// Env: BENCH_STARTS (15) runs of each. Needs the build (npm run build; npm ci does it): without it, or with a
// source newer than the build, bin/routerlab.js compiles TypeScript through tsx and the ratio says so.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forgetNpxInstall } from '../scripts/npx-cache.mjs';

const BIN = fileURLToPath(new URL('../bin/routerlab.js', import.meta.url));
const runs = Number(process.env.BENCH_STARTS ?? 15);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (args: string[]): number => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
};

function serveReady(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--control-port', '0', '--no-cloud'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', () => {
      const ms = performance.now() - t0;
      child.kill('SIGTERM');
      child.once('exit', () => resolve(ms));
    });
    child.once('error', reject);
  });
}

// Interleaved, so a busy machine slows both sides alike.
const node: number[] = [];
const help: number[] = [];
for (let i = 0; i < runs; i++) {
  node.push(time(['-e', '0']));
  help.push(time([BIN, 'help']));
}
const serve: number[] = [];
for (let i = 0; i < Math.min(runs, 7); i++) serve.push(await serveReady());
console.log(`node -e 0 median ms: ${median(node).toFixed(1)}`);
console.log(`routerlab help median ms: ${median(help).toFixed(1)}`);
console.log(`startup ratio: ${(median(help) / median(node)).toFixed(2)}`);
console.log(`serve ready ms: ${median(serve).toFixed(0)}`);

if (process.env.BENCH_FRESH !== '0') {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const base = mkdtempSync(join(tmpdir(), 'routerlab-startup-'));
  const dir = join(base, 'routerlab');
  try {
    execFileSync('git', ['clone', '-q', root, dir]);
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'ignore' });
    const ms = await new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn('npx', ['routerlab', 'serve', '--port', '0', '--control-port', '0', '--no-cloud'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (!/goform listening/.test(out)) return;
        const took = performance.now() - t0;
        process.kill(-child.pid!, 'SIGINT');
        child.once('exit', () => resolve(took));
      });
      child.once('error', reject);
    });
    console.log(`fresh clone npx serve ready ms: ${ms.toFixed(0)} (node -e 0: ${median(node).toFixed(0)} ms)`);
  } finally {
    rmSync(base, { recursive: true, force: true });
    forgetNpxInstall(dir);
  }
}
