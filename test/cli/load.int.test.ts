import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { summarySchema } from '../../scenarios/load/index.js';
import { hasCommand } from '../helpers/system.js';

// `routerlab load` as CI runs it: the real binary, an emulator or a fleet started for the run, summaries on disk.

const BIN = fileURLToPath(new URL('../../bin/routerlab.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'routerlab-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function routerlab(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

describe('routerlab load', () => {
  it('the CI smoke profile holds its thresholds against the emulator for 10 s, with JSON and JUnit summaries', async () => {
    const json = join(dir, 'smoke.json');
    const junit = join(dir, 'smoke.xml');
    const r = await routerlab(['load', 'scenarios/load/smoke.yaml', '--target', 'emulator', '--duration', '10s', '--summary', `json:${json},junit:${junit}`]);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^load smoke against emulator mf79u \(pid \d+\) \(1 router\)$/m);
    expect(r.out).toMatch(/^\s+\d+s\s+\d+ req\/s {2}p50 [\d.]+ ms {2}p95 [\d.]+ ms {2}errors \d+ {2}vus \d+ {2}iterations \d+$/m);
    expect(r.out).toMatch(/^all 10 thresholds hold$/m);
    expect(r.code).toBe(0);
    const summary = summarySchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(summary.routerlab.ok).toBe(true);
    expect(summary.state.testRunDurationMs).toBeGreaterThanOrEqual(10_000);
    expect(summary.metrics.http_reqs!.values.count).toBeGreaterThan(500);
    if (hasCommand('xmllint')) {
      expect(execFileSync('xmllint', ['--noout', '--schema', 'scenarios/engine/schemas/junit.xsd', junit], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    }
  });

  it('exits 99 when a threshold fails, naming it', async () => {
    const file = join(dir, 'strict.yaml');
    writeFileSync(file, ['name: strict', 'scenarios:', '  poll:', '    executor: constant-vus', '    flow: web-status-poll', '    vus: 1', '    duration: 5s', 'thresholds:', '  http_req_duration: ["max<0.001"]', '  http_req_failed: ["rate<0.01"]', ''].join('\n'));
    const junit = join(dir, 'strict.xml');
    const r = await routerlab(['load', file, '--target', 'emulator', '--duration', '2s', '--summary', `junit:${junit}`]);
    if (hasCommand('xmllint')) {
      expect(execFileSync('xmllint', ['--noout', '--schema', 'scenarios/engine/schemas/junit.xsd', junit], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    }
    expect(readFileSync(junit, 'utf8')).toContain('<failure message="http_req_duration: max&lt;0.001 (actual');
    // k6's end-of-test text: the THRESHOLDS block names the metric, then each expression with its actual value.
    expect(r.out).toMatch(/█ THRESHOLDS\n\n\s+http_req_duration\n\s+✗ 'max<0\.001' max=[\d.]+(µs|ms|s)\n/);
    expect(r.out).toMatch(/█ TOTAL RESULTS/);
    // k6's header before the run: the script and each scenario with its VUs.
    expect(r.out).toMatch(/\n\s+execution: local\n\s+script: \S+\n[\s\S]*scenarios: \(100\.00%\) \d+ scenarios?, \d+ max VUs, \S+ max duration \(incl\. graceful stop\):\n\s+\* /);
    expect(r.out.indexOf('execution: local')).toBeLessThan(r.out.indexOf('█ TOTAL RESULTS'));
    expect(r.out).toMatch(/^\s+http_req_duration\.+: avg=[\d.]+(µs|ms|s) min=/m);
    expect(r.out).toMatch(/^\s+data_received\.+: [\d.]+ (B|kB|MB) [\d.]+ (B|kB|MB)\/s$/m);
    expect(r.out).toMatch(/^\s+http_req_failed\n\s+✓ 'rate<0\.01' rate=0\.00%$/m);
    expect(r.out).toMatch(/^1 of 2 thresholds failed$/m);
    expect(r.code).toBe(99);
  });

  it('spreads virtual users over a fleet', async () => {
    const file = join(dir, 'fleet.yaml');
    writeFileSync(file, ['name: fleet', 'scenarios:', '  poll:', '    executor: per-vu-iterations', '    flow: web-status-poll', '    vus: 6', '    iterations: 5', 'thresholds:', '  checks: ["rate==1"]', '  iterations: ["count==30"]', ''].join('\n'));
    const r = await routerlab(['load', file, '--target', 'fleet:3']);
    expect(r.out).toMatch(/^load fleet against fleet of 3 \(pid \d+\) \(3 routers\)$/m);
    expect(r.out).toMatch(/^all 2 thresholds hold$/m);
    expect(r.code).toBe(0);
  });

  it.each([
    [['load'], /load needs one profile/],
    [['load', 'scenarios/load/nope.yaml'], /\[load\] cannot read scenarios\/load\/nope\.yaml/],
    [['load', 'scenarios/load/smoke.yaml', '--duration', 'soon'], /--duration soon is not a duration/],
    [['load', 'scenarios/load/smoke.yaml', '--summary', 'xml:x'], /--summary xml:x: use json:FILE or junit:FILE/],
    [['load', 'scenarios/load/smoke.yaml', '--target', 'mainframe'], /unknown target "mainframe"/],
  ])('%j fails with one line and exit code 2', async (args, message) => {
    const r = await routerlab(args);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('names the line and field of a bad profile', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, ['name: bad', 'scenarios:', '  poll:', '    executor: constant-arrival-rate', '    flow: web-status-poll', '    rate: fast', '    duration: 5s', '    preAllocatedVUs: 1', ''].join('\n'));
    const r = await routerlab(['load', file]);
    expect(r.err).toMatch(/bad\.yaml:6: scenarios\.poll\.rate: /);
    expect(r.code).toBe(2);
  });
});
