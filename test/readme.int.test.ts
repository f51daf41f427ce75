import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarySchema } from '../scenarios/load/index.js';
import { hasCommand } from './helpers/system.js';
import { forgetNpxInstall } from '../scripts/npx-cache.mjs';

// The README, walked as a new user walks it: a fresh clone of the committed tree (uncommitted edits are not in it) (its node_modules linked from this
// checkout, which `npm ci` made), then its own shell blocks, verbatim, in order: the set-up lines, the goform curl
// tour, the control API tour, the ubus tour, a load run and a suite run writing reports into folders that do not
// exist yet. Commands that need what this machine lacks (a real router at 192.168.0.1, an ACS on the internet) are
// listed, not run. The README's commands use the default ports (8080, 8081, 1883, 8443); when one is taken (a
// `routerlab serve` of yours), the walk is skipped and says which.

const ROOT = resolve(import.meta.dirname, '..');
const PORTS = [8080, 8081, 1883, 8443];

/** The shell blocks of a README, in order. */
function shellBlocks(readme: string): string[] {
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/** Runs shell text in the clone with bash; curl gets a time limit so a stream (curl -N) ends. */
function bash(dir: string, script: string, timeoutMs = 60_000): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['-c', `curl() { command curl --max-time 4 "$@"; }\n${script}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, out });
    });
  });
}

/** A long-running README line (`npx routerlab serve ...`), started through its shell as a user does. */
async function startLine(dir: string, line: string, ready: RegExp): Promise<{ child: ChildProcess; out: () => string; stop: () => Promise<void> }> {
  const child = spawn('sh', ['-c', line], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await expect.poll(() => out, { timeout: 60_000, interval: 100 }).toMatch(ready);
  return {
    child,
    out: () => out,
    // Ctrl-C in a terminal reaches the whole foreground process group: sh, npx and node alike.
    stop: async () => {
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    },
  };
}

describe.skipIf(!hasCommand('git') || !hasCommand('curl') || !existsSync(join(ROOT, '.git')))('the README, walked on a fresh clone (needs git and curl)', () => {
  let dir = '';
  let blocks: string[] = [];
  let busy: number[] = [];
  beforeAll(async () => {
    busy = [];
    for (const p of PORTS) if (!(await portFree(p))) busy.push(p);
    dir = mkdtempSync(join(tmpdir(), 'routerlab-readme-'));
    execFileSync('git', ['clone', '-q', '--no-hardlinks', ROOT, join(dir, 'routerlab')]);
    dir = join(dir, 'routerlab');
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    blocks = shellBlocks(readFileSync(join(dir, 'README.md'), 'utf8'));
    // What `npm ci` ends with (the package's "prepare"): dist/ built, so commands start from it.
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'ignore' });
  }, 90_000);
  afterAll(() => {
    if (!dir) return;
    rmSync(resolve(dir, '..'), { recursive: true, force: true });
    forgetNpxInstall(dir);
  });
  const block = (first: RegExp): string => {
    const b = blocks.find((x) => first.test(x.split('\n')[0]!) || first.test(x));
    if (!b) throw new Error(`the README has no shell block matching ${first}`);
    return b;
  };

  it('opens with exactly the three set-up lines', () => {
    expect(blocks[0]!.trim().split('\n')).toEqual(['npm ci', 'npx routerlab serve', 'npm test']);
  });

  it('serves with `npx routerlab serve`, answers the goform curl tour, then the control API tour, and stops on Ctrl-C', async (ctx) => {
    if (busy.length) ctx.skip(`ports ${busy.join(', ')} are taken (a routerlab serve of yours?); the README's commands use them`);
    const serve = await startLine(dir, blocks[0]!.trim().split('\n')[1]!, /control api listening on http:\/\/127\.0\.0\.1:8081/);
    try {
      const tour = await bash(dir, block(/^R='-H Referer:http:\/\/127\.0\.0\.1:8080\/index\.html'/));
      const out = tour.out;
      expect(tour.code, out).toBe(0);
      expect(out).toMatch(/"psw_fail_num_str":"5"/);
      expect(out).toContain('{"result":"0"}');
      expect(out).toMatch(/"signalbar":"\d"/);
      expect(out).toContain('{"result":"success"}');
      expect(out).toMatch(/"sms_cmd_status_result":"[123]"/);
      expect(out).toMatch(/"messages":\[/);
      expect(out).toMatch(/"station_list":\[/);
      expect(out).toMatch(/"sms_nv_total":"\d+"/);
      expect(out).not.toContain('"result":"failure"');

      const control = await bash(dir, block(/^C=http:\/\/127\.0\.0\.1:8081\/api\/v1\/devices\/dev-0/));
      expect(control.out).toMatch(/"imei":"\d{15}"/);
      expect(control.out).toContain('"ssid":"Lab"');
      expect(control.out.match(/"ok":true/g)?.length ?? 0, control.out).toBeGreaterThanOrEqual(3);
      expect(control.out).toMatch(/"entries":\[/);
      expect(control.out).toMatch(/event: state\n/);
      expect(control.out).not.toMatch(/"status":4\d\d/);
    } finally {
      await serve.stop();
    }
    expect(serve.out()).not.toMatch(/Error|error:/);
  }, 120_000);

  it('serves a ZWRT router and answers the ubus curl tour', async (ctx) => {
    if (busy.length) ctx.skip(`ports ${busy.join(', ')} are taken; the README's commands use them`);
    const text = block(/^npx routerlab serve --profile g5ts/);
    const [first, ...rest] = text.split('\n');
    const serve = await startLine(dir, first!.replace(/\s+#.*$/, ''), /control api listening on http:\/\/127\.0\.0\.1:8081/);
    try {
      const tour = await bash(dir, rest.join('\n'));
      expect(tour.code, tour.out).toBe(0);
      expect(tour.out).toMatch(/"zte_web_sault":"[0-9A-F]+"/);
      // The login's session (kept in SID, not printed) works: the batch answers three calls in order, each [0, data],
      // and the SMS is accepted.
      expect(tour.out).toMatch(/"id":3,"result":\[0,[\s\S]*"id":4,"result":\[0,[\s\S]*"id":5,"result":\[0,/);
      expect(tour.out).toMatch(/"id":6,"result":\[0/);
      expect(tour.out).not.toMatch(/"error":\{/);
    } finally {
      await serve.stop();
    }
  }, 120_000);

  it('runs the load smoke and the suites as written, creating the report folders', async (ctx) => {
    if (busy.length) ctx.skip(`ports ${busy.join(', ')} are taken; the README's commands use them`);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const load = await bash(dir, block(/^npx routerlab load scenarios\/load\/smoke\.yaml/).trim(), 90_000);
    expect(load.code, load.out).toBe(0);
    expect(summarySchema.parse(JSON.parse(readFileSync(join(dir, 'out/load.json'), 'utf8'))).routerlab.ok).toBe(true);
    expect(readFileSync(join(dir, 'out/load.xml'), 'utf8')).toMatch(/<testsuites name="routerlab load"/);

    const runLine = block(/^npx routerlab run scenarios\/suites --target emulator/).split('\n')[0]!;
    rmSync(join(dir, 'out'), { recursive: true, force: true });
    const run = await bash(dir, runLine, 120_000);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/\d+ passed, 0 failed/);
    expect(JSON.parse(readFileSync(join(dir, 'out/run.json'), 'utf8'))).toMatchObject({ summary: { failed: 0 } });
    expect(existsSync(join(dir, 'out/junit.xml'))).toBe(true);
  }, 240_000);

  it('stops `npx routerlab load` when only the npx process gets SIGTERM (as `timeout` and CI runners send it), summary written, nothing left running', async (ctx) => {
    if (busy.length) ctx.skip(`ports ${busy.join(', ')} are taken; the README's commands use them`);
    const summary = join(dir, 'out', 'term', 'load.json');
    const child = spawn('npx', ['routerlab', 'load', 'scenarios/load/smoke.yaml', '--target', 'emulator', '--duration', '60s', '--summary', `json:${summary}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await expect.poll(() => out, { timeout: 60_000 }).toMatch(/^\s+\d+s\s+\d+ req\/s/m);
    const emulatorPid = Number(/\(pid (\d+)\)/.exec(out)![1]);
    process.kill(child.pid!, 'SIGTERM');
    await exited;
    const running = (): string => execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(summary) || l.trim().startsWith(`${emulatorPid} `)).join('\n');
    await expect.poll(running, { timeout: 20_000 }).toBe('');
    const written = summarySchema.parse(JSON.parse(readFileSync(summary, 'utf8')));
    expect(written.routerlab.aborted).toBe('interrupted (SIGTERM)');
    expect(written.metrics.iterations!.values.count).toBeGreaterThan(0);
  }, 120_000);

  it('stops `npx routerlab serve` when only the npx process gets SIGTERM: its ports free, nothing left running', async (ctx) => {
    if (busy.length) ctx.skip(`ports ${busy.join(', ')} are taken; the README's commands use them`);
    const child = spawn('npx', ['routerlab', 'serve'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    await expect.poll(() => out, { timeout: 60_000 }).toMatch(/^control api listening on /m);
    // The node process npx started, found by its parent: the one SIGTERM must not be sent to.
    const pids = (): number[] => execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' }).split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[2] === 'node' && f.slice(3).join(' ').includes('routerlab') && f.includes('serve')).map((f) => Number(f[0]));
    const before = pids();
    expect(before.length).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGTERM');
    await exited;
    await expect.poll(() => pids().filter((p) => before.includes(p)), { timeout: 20_000 }).toEqual([]);
    for (const port of PORTS) await expect.poll(() => portFree(port), { timeout: 10_000 }).toBe(true);
  }, 120_000);

  it('names what it does not run here: commands for a real router or a remote ACS', () => {
    const notHere = blocks.flatMap((b) => b.split('\n')).filter((l) => /192\.168\.0\.1|acs\.example/.test(l) && !l.trim().startsWith('#'));
    // Each of these needs hardware or a network this machine has no business reaching; the HIL tests cover the
    // drivers (HIL_ROUTER_URL, HIL_MODEM_PORT) and test/helpers/acs.ts the ACS side.
    expect(notHere.length).toBeGreaterThan(0);
    for (const l of notHere) expect(l).toMatch(/^npx routerlab (record|run|diff|proxy|serve) /);
  });
});
