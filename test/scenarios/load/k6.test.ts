import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowNames, loadProfileFile } from '../../../scenarios/load/index.js';

// The k6 scripts are not run here (no k6 binary can be installed); they are type-checked against @types/k6, and
// kept in step with the engine's flows and the smoke profile.

const TSC = join('node_modules', 'typescript', 'bin', 'tsc');

function tsc(project: string): { code: number; out: string } {
  try {
    return { code: 0, out: execFileSync(process.execPath, [TSC, '-p', project], { encoding: 'utf8' }) };
  } catch (e) {
    const err = e as { status: number; stdout: string };
    return { code: err.status, out: err.stdout };
  }
}

describe('k6 scripts', () => {
  it('type-check against @types/k6', () => {
    const r = tsc('scenarios/load/k6/tsconfig.json');
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the check fails on a script that misuses the k6 API', () => {
    const dir = mkdtempSync(join(process.cwd(), 'scenarios', 'load', 'k6', 'tmp-check-'));
    try {
      writeFileSync(join(dir, 'bad.ts'), "import http from 'k6/http';\nexport default function (): void {\n  http.get(42);\n}\n");
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['bad.ts'] }));
      const r = tsc(join(dir, 'tsconfig.json'));
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/bad\.ts\(3,12\): error TS2345: Argument of type 'number' is not assignable/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cover every flow of the engine and the smoke profile', () => {
    const flows = readFileSync('scenarios/load/k6/lib/flows.ts', 'utf8');
    const camel = (s: string): string => s.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
    for (const f of flowNames.filter((n) => n !== 'mixed-app' && n !== 'http-get')) expect(flows, f).toMatch(new RegExp(`export function ${camel(f)}\\(`));
    const smoke = readFileSync('scenarios/load/k6/smoke.ts', 'utf8');
    const profile = loadProfileFile('scenarios/load/smoke.yaml');
    for (const [name, s] of Object.entries(profile.scenarios)) expect(smoke, name).toMatch(new RegExp(`'?${name}'?: \\{ executor: '${s.executor}'`));
    // k6 tags samples with their scenario: a per-flow threshold of the profile is the per-scenario one of the script.
    const scenarioOf = Object.fromEntries(Object.entries(profile.scenarios).map(([name, s]) => [s.flow, name]));
    for (const metric of Object.keys(profile.thresholds)) expect(smoke, metric).toContain(metric.replace(/\{flow:([a-z-]+)\}/, (_m, flow: string) => `{scenario:${scenarioOf[flow] ?? flow}}`));
  });
});
