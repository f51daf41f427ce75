import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, main, type CliIo } from '../../../cli/main.js';
import { defineScenario, loadScenarioFile, runScenario } from '../../../scenarios/index.js';

// Load-time checks of scenario files: a mistake fails loudly, naming the line, the field and what is allowed.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(body: string, name = 's.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'routerlab-checks-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}
const load = (body: string): (() => unknown) => {
  const path = file(body);
  return () => loadScenarioFile(path);
};

describe('scenario checks at load time', () => {
  it('names a misspelt stimulus and lists the stimuli', () => {
    expect(load('name: x\nsteps:\n  - stimulus: roam\n')).toThrow(/s\.yaml:3: steps\.0\.stimulus: unknown stimulus "roam"; stimuli: signal, signal-trace, .*registration/);
    expect(load('name: x\nsteps:\n  - stimulus: registraton\n    with: { registration: roaming }\n')).toThrow(/unknown stimulus "registraton" \(did you mean "registration"\?\)/);
  });

  it('names a misspelt step key as an unknown step, not as a missing stimulus', () => {
    expect(load('name: x\nsteps:\n  - checkpoint: a\n  - expct: { goform: signalbar, equals: "4" }\n')).toThrow(/s\.yaml:4: steps\.1: unknown step "expct" \(did you mean "expect"\?\); a step is one of stimulus, rule, wait, expect/);
    expect(load('name: x\nsteps:\n  - repeat:\n      times: 2\n      steps:\n        - wiat: 1s\n')).toThrow(/steps\.0\.repeat\.steps\.0: unknown step "wiat" \(did you mean "wait"\?\)/);
    expect(load('name: x\nsteps:\n  - expect: { gofrom: signalbar, equals: "4" }\n')).toThrow(/steps\.0\.expect: an expectation reads one of goform, ubus, usp, uspNotify, at, state, mqtt, journal; got "gofrom" \(did you mean "goform"\?\)/);
  });

  it('checks stimulus parameters with the control API\'s own schema, listing allowed values', () => {
    expect(load('name: x\nsteps:\n  - stimulus: registration\n    with: { registration: abroad }\n')).toThrow(/s\.yaml:4: steps\.0\.with\.registration: Invalid option: expected one of "home"\|"roaming"\|"searching"\|"denied"\|"none"/);
    expect(load('name: x\nsteps:\n  - stimulus: signal\n    with: { rsrpDbm: -500 }\n')).toThrow(/steps\.0\.with\.rsrpDbm: Too small: expected number to be >=-140 \(stimulus signal: /);
    expect(load('name: x\nsteps:\n  - stimulus: network\n')).toThrow(/steps\.0\.with\.state: .*expected one of "drop"\|"restore"/);
  });

  it('refuses an undefined ${variable} instead of comparing it as text', () => {
    expect(load('name: x\nvariables: { sender: "+4915100000001" }\nsteps:\n  - expect: { goform: sms_unread_num, equals: "${count}" }\n')).toThrow(/s\.yaml:4: steps\.0\.expect\.equals: \$\{count\} is not defined; variables: sender/);
    expect(load('name: x\nvariables: { sender: "+4915100000001" }\nsteps:\n  - stimulus: sms\n    with: { from: "${sender}", text: hi }\n')).not.toThrow();
  });

  it('checks scenarios defined in TypeScript the same way', () => {
    expect(() => defineScenario({ name: 't', steps: [{ stimulus: 'roam' }] })).toThrow(/steps\.0\.stimulus: unknown stimulus "roam"/);
    expect(() => defineScenario({ name: 't', steps: [{ expct: { goform: 'x' } }] })).toThrow(/steps\.0: unknown step "expct"/);
  });

  it('fails a step whose stimulus the device refuses, with the device\'s reason', async () => {
    const scenario = defineScenario({ name: 'refused', steps: [{ stimulus: 'station', with: { action: 'leave', mac: '02:00:00:00:00:09' } }, { checkpoint: 'not reached' }] });
    const result = await runScenario('t.yaml', scenario, { target: 'emulator' });
    expect(result.status).toBe('failed');
    expect(result.steps[0]?.status).toBe('failed');
    expect(result.steps[0]?.reason).toMatch(/the device refused: .*02:00:00:00:00:09/);
    expect(result.steps).toHaveLength(1);
  });
});

describe('routerlab run with a broken file among good ones', () => {
  it('reports the broken file as a failed case and still runs the others', async () => {
    const good = file('name: good\nsteps:\n  - stimulus: signal\n    with: { bars: 2 }\n  - expect: { goform: signalbar, equals: "2" }\n', 'a-good.yaml');
    const dir = join(good, '..');
    writeFileSync(join(dir, 'b-broken.yaml'), 'name: broken\nsteps:\n  - stimulus: roam\n');
    const out: string[] = [];
    const io: CliIo = { out: (l) => out.push(l), err: (l) => out.push(l), stopSignal: () => new Promise(() => undefined) };
    const junit = join(dir, 'junit.xml');
    expect(await main(['run', dir, '--report', `junit:${junit}`], io)).toBe(EXIT.FAILURE);
    expect(out).toContainEqual(expect.stringMatching(/^FAILED {2}.*b-broken\.yaml -- \[scenario\] .*b-broken\.yaml:3: steps\.0\.stimulus: unknown stimulus "roam"/));
    expect(out).toContainEqual(expect.stringMatching(/^PASSED {2}good /));
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites[^>]*failures="1"/);
    expect(xml).toContain('unknown stimulus &quot;roam&quot;');
  });
});
