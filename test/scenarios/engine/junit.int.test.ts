import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineScenario, junitReport, runScenario } from '../../../scenarios/index.js';
import { hasCommand } from '../../helpers/system.js';

// JUnit reports validated against the JUnit XSD with xmllint (Debian package libxml2-utils).

describe.skipIf(!hasCommand('xmllint'))('JUnit report against its schema (needs the Debian package libxml2-utils)', () => {
  it('validates for passed, failed and partial scenarios, with awkward characters in names and reasons', async () => {
    const passed = await runScenario('a.yaml', defineScenario({ name: 'Signal <ok> & "quoted"', steps: [{ expect: { goform: 'network_type', equals: 'LTE' } }] }), { target: 'emulator' });
    const failed = await runScenario('b.yaml', defineScenario({ name: 'fails', steps: [{ expect: { goform: 'network_type', equals: 'SA\u0001' } }] }), { target: 'emulator' });
    const xml = junitReport([passed, failed, { ...passed, name: 'partial', status: 'partial', steps: [{ ...passed.steps[0]!, status: 'skipped', reason: 'no modem capability' }] }]);
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-junit-'));
    try {
      const file = join(dir, 'junit.xml');
      writeFileSync(file, xml);
      const out = execFileSync('xmllint', ['--noout', '--schema', 'scenarios/engine/schemas/junit.xsd', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
