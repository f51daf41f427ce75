import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scenarioJsonSchema } from '../../../scenarios/engine/json-schema.js';
import { check, defineScenario, jsonReport, junitReport, loadScenarioFile, loadScenarios, runScenario, type ScenarioResult } from '../../../scenarios/index.js';
import { createModemBinding } from '../../../emulator/modem/serial-binding.js';
import { createEmulator } from '../../../emulator/index.js';
import { connectModem } from '../../../hil/drivers/hardware-targets.js';

const dir = mkdtempSync(join(tmpdir(), 'routerlab-scn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('scenario files', () => {
  it('ships a JSON Schema equal to the one generated from the zod schema', () => {
    expect(JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8'))).toEqual(scenarioJsonSchema());
  });

  it('names the line, the field and what was expected in an error', () => {
    const file = write('bad.yaml', 'name: Bad\nsteps:\n  - wait: 5s\n  - expect:\n      goform: signalbar\n      range: { min: "three" }\n');
    expect(() => loadScenarioFile(file)).toThrow(/bad\.yaml:6: steps\.1\.expect\.range\.min: .*expected number/);
    const unknown = write('unknown.yaml', 'name: X\nsteps:\n  - teleport: home\n');
    expect(() => loadScenarioFile(unknown)).toThrow(/unknown\.yaml:3: steps\.0/);
    const broken = write('broken.yaml', 'name: [unclosed\n');
    expect(() => loadScenarioFile(broken)).toThrow(/broken\.yaml:\d+:/);
  });

  it('loads folders recursively and fills defaults', () => {
    const [loaded] = loadScenarios([write('ok.yaml', 'name: Ok\nsteps:\n  - wait: 1s\n')]);
    expect(loaded!.scenario).toMatchObject({ tags: [], device: { profile: 'mf79u', seed: 1 }, clock: { mode: 'virtual' } });
    expect(loadScenarios(['scenarios/suites']).length).toBeGreaterThanOrEqual(16);
  });

  it('accepts the same structure from TypeScript with defineScenario()', () => {
    expect(defineScenario({ name: 'ts', steps: [{ stimulus: 'reboot' }] }).requires).toEqual([]);
    expect(() => defineScenario({ name: 'ts', steps: [] })).toThrow();
  });
});

describe('matchers', () => {
  it.each([
    [{ equals: '4' }, '4', true], [{ equals: 4 }, '4', true], [{ equals: '4' }, '5', false],
    [{ notEquals: '' }, 'x', true], [{ notEquals: '' }, '', false],
    [{ matches: '^\\+CSQ: \\d+' }, '+CSQ: 20,99', true], [{ matches: '^OK$' }, 'ERROR', false],
    [{ range: { min: -100, max: -80 } }, '-90', true], [{ range: { min: -100 } }, '-120', false], [{ range: { max: 1 } }, '', false],
    [{ oneOf: ['LTE', 'ENDC'] }, 'ENDC', true], [{ oneOf: ['LTE'] }, 'SA', false],
  ] as const)('%j on %j is %s', (m, value, ok) => {
    expect(check(value, structuredClone(m) as Parameters<typeof check>[1]).ok).toBe(ok);
  });
});

describe('runner', () => {
  it('runs every step kind and reports each step with what it observed', async () => {
    const scenario = defineScenario({
      name: 'all kinds',
      variables: { who: '+4915100000009' },
      steps: [
        { checkpoint: 'start' },
        { stimulus: 'sms', with: { from: '${who}', text: 'x' } },
        { expect: { goform: 'sms_unread_num', equals: '1' } },
        { at: 'AT+CMGF=0' },
        { expect: { at: 'AT+CPMS?', matches: '"ME",1,' } },
        { goform: 'SET_MSG_READ', fields: { msg_id: '1;', tag: '0' } },
        { expect: { journal: { surface: 'goform', name: 'SET_MSG_READ' }, count: { min: 1, max: 1 } } },
        { repeat: { times: 3, steps: [{ stimulus: 'data-usage', with: { rxBytes: 1000 } }] } },
        { parallel: [[{ expect: { goform: 'network_type', equals: 'LTE' } }], [{ expect: { at: 'AT+CREG?', equals: '+CREG: 0,1' } }]] },
        { stimulus: 'registration', with: { registration: 'none' } },
        { stimulus: 'registration', with: { registration: 'home' } },
        { expect: { goform: 'ppp_status', equals: 'ppp_connected', within: '10s' } },
        { wait: '2h' },
        { run: { command: 'test -n "$ROUTER_URL" && exit 3', exitCode: 3 } },
      ],
    });
    const result = await runScenario('inline', scenario, { target: 'emulator' });
    expect(result.status).toBe('passed');
    expect(result.steps.map((s) => [s.index, s.kind, s.status])).toContainEqual(['8', 'repeat', 'passed']);
    expect(result.steps.filter((s) => s.index.startsWith('8.')).length).toBe(3);
    expect(result.steps.at(-2)!.startedVirtualMs - result.steps[0]!.startedVirtualMs).toBeGreaterThanOrEqual(0);
    expect(result.steps.find((s) => s.kind === 'wait')!.startedVirtualMs + 7_200_000).toBeLessThanOrEqual(result.steps.at(-1)!.startedVirtualMs);
  });

  it('fails at the first failing step with a reason and a replay line, and stops there', async () => {
    const scenario = defineScenario({ name: 'fails', device: { profile: 'mc888', seed: 5 }, steps: [{ expect: { goform: 'network_type', equals: 'LTE', within: '3s' } }, { wait: '1s' }] });
    const result = await runScenario('f.yaml', scenario, { target: 'emulator' });
    expect(result.status).toBe('failed');
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]!.reason).toMatch(/got "ENDC", expected "LTE" within 3s/);
    expect(result.replay).toBe('routerlab run f.yaml --target emulator --seed 5');
  });

  it('skips steps a target cannot do, with the reason, and the scenario is partial', async () => {
    const emu = createEmulator({ onUnhandled: 'silent', clockMode: 'paused' });
    const binding = createModemBinding(emu.modem);
    const scenario = defineScenario({ name: 'partial', steps: [{ stimulus: 'reboot' }, { expect: { goform: 'imei', matches: '^\\d{15}$' } }, { expect: { at: 'AT+CGMI', equals: 'ZTE CORPORATION' } }] });
    // A modem-only target: no stimuli, no router.
    const result = await runScenario('p.yaml', scenario, { target: () => connectModem({ path: binding.path, binding }), targetName: 'modem:mock' });
    expect(result.status).toBe('partial');
    expect(result.steps.map((s) => [s.status, s.reason ?? ''])).toEqual([
      ['skipped', expect.stringContaining('no stimuli capability')],
      ['skipped', expect.stringContaining('no router capability')],
      ['passed', ''],
    ]);
    expect(result.replay).toBe('routerlab run p.yaml --target modem:mock --seed 1');
    await emu.close();
  });

  it('expects on the state, on MQTT messages of the cloud channel, and sends cloud commands', async () => {
    const scenario = defineScenario({
      name: 'cloud and state',
      variables: { account: 'acct-7' },
      steps: [
        { expect: { state: 'battery.percent', equals: 80 } },
        { expect: { state: 'radio.nr', equals: 'null' } },
        { stimulus: 'battery', with: { percent: 15 } },
        { expect: { mqtt: 'event', field: 'event', equals: 'battery-low', within: '5s' } },
        { expect: { mqtt: 'telemetry', field: 'data.battery.percent', equals: 15, within: '20s' } },
        { cloud: { command: 'bind', args: { account: '${account}', token: 'token-000001' } } },
        { expect: { mqtt: 'response', field: 'result.account', equals: '${account}' } },
        { expect: { mqtt: 'dt/${prefix}/${device}/+', field: 'event', equals: 'bound' } },
        { cloud: { command: 'unbind', args: { token: 'wrong-token' }, ok: false } },
        { expect: { state: 'cloud.account', equals: 'acct-7' } },
      ],
    });
    const result = await runScenario('c.yaml', scenario, { target: 'emulator' });
    expect(result.steps.filter((s) => s.status !== 'passed').map((s) => `${s.index}: ${s.reason ?? ''}`)).toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.steps[5]!.observed).toMatchObject({ ok: true, command: 'bind' });
  });

  it('fails an mqtt expectation that sees no match, naming what it saw; a consumed message does not match twice', async () => {
    const scenario = defineScenario({
      name: 'mqtt fails',
      steps: [
        { stimulus: 'registration', with: { registration: 'roaming' } },
        { expect: { mqtt: 'event', field: 'event', equals: 'roaming-changed', within: '2s' } },
        { expect: { mqtt: 'event', field: 'event', equals: 'roaming-changed', within: '2s' } },
      ],
    });
    const result = await runScenario('m.yaml', scenario, { target: 'emulator' });
    expect(result.status).toBe('failed');
    expect(result.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'failed']);
    expect(result.steps[2]!.reason).toMatch(/^no message on dt\/routerlab\/dev-0\/event within 2s$/);
    const bad = await runScenario('m.yaml', defineScenario({ name: 'wrong value', steps: [{ expect: { mqtt: 'telemetry', field: 'data.roaming', equals: true, within: '15s' } }] }), { target: 'emulator' });
    expect(bad.steps[0]!.reason).toMatch(/message\(s\) on dt\/routerlab\/dev-0\/telemetry, none with data\.roaming matching \(last false\) within 15s/);
  });

  it('expects a rate on the journal: what a client did per second over a window', async () => {
    const poll = { repeat: { times: 10, steps: [{ expect: { goform: 'signalbar', matches: '^\\d$' } }, { wait: '1s' }] } };
    const ok = await runScenario('r.yaml', defineScenario({ name: 'rate ok', steps: [poll, { expect: { journal: { surface: 'goform', name: 'signalbar' }, perSecond: { max: 1.1, min: 0.9, over: '10s' } } }] }), { target: 'emulator' });
    expect(ok.status).toBe('passed');
    expect(ok.steps.at(-1)!.observed).toBe(1);
    const tooFast = await runScenario('r.yaml', defineScenario({ name: 'rate high', steps: [poll, { expect: { journal: { surface: 'goform', name: 'signalbar', client: '127.0.0.1' }, perSecond: { max: 0.5, over: '10s' } } }] }), { target: 'emulator' });
    expect(tooFast.steps.at(-1)!.reason).toBe('journal rate 1/s over the last 10s outside [0, 0.5]');
  });

  it('skips cloud and state steps on a target without those capabilities', async () => {
    const emu = createEmulator({ onUnhandled: 'silent', clockMode: 'paused' });
    const binding = createModemBinding(emu.modem);
    const scenario = defineScenario({ name: 'no cloud', steps: [{ cloud: { command: 'info' } }, { expect: { mqtt: 'event', field: 'event', equals: 'reboot' } }, { expect: { state: 'battery.percent', equals: 1 } }] });
    const result = await runScenario('n.yaml', scenario, { target: () => connectModem({ path: binding.path, binding }), targetName: 'modem:mock' });
    expect(result.status).toBe('partial');
    expect(result.steps.map((s) => s.reason)).toEqual([expect.stringContaining('no cloud capability'), expect.stringContaining('no cloud capability'), expect.stringContaining('no state capability')]);
    await emu.close();
  });

  it('writes JSON and JUnit reports', () => {
    const results: ScenarioResult[] = [
      { name: 'A <ok>', file: 'a.yaml', status: 'passed', target: 'emulator', seed: 1, clockOriginMs: 0, durationMs: 5, replay: 'r', timeline: [], marks: [], steps: [{ index: '1', kind: 'wait', title: 'wait', status: 'passed', startedVirtualMs: 0, durationMs: 1 }] },
      { name: 'B', file: 'b.yaml', status: 'failed', target: 'emulator', seed: 1, clockOriginMs: 0, durationMs: 5, replay: 'routerlab run b.yaml', timeline: [], marks: [], steps: [{ index: '1', kind: 'expect', title: 'x', status: 'failed', reason: 'got "1" & not 2', startedVirtualMs: 0, durationMs: 1 }] },
      { name: 'C', file: 'c.yaml', status: 'partial', target: 'router:x', seed: 1, clockOriginMs: 0, durationMs: 5, replay: 'r', timeline: [], marks: [], steps: [{ index: '1', kind: 'stimulus', title: 's', status: 'skipped', reason: 'no stimuli capability', startedVirtualMs: 0, durationMs: 0 }] },
    ];
    const json = JSON.parse(jsonReport(results)) as { summary: Record<string, number> };
    expect(json.summary).toEqual({ passed: 1, failed: 1, partial: 1, interrupted: 0 });
    const xml = junitReport(results);
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="routerlab" tests="3" failures="1" errors="0" skipped="1"/);
    expect(xml).toContain('<testcase classname="a.yaml" name="A &lt;ok&gt;"');
    expect(xml).toContain('<failure message="step 1: got &quot;1&quot; &amp; not 2">');
    expect(xml).toContain('<skipped message="partial: 1: no stimuli capability"/>');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml.match(/<\/testcase>/g)).toHaveLength(3);
  });
});

describe('field bug import', () => {
  it('turns a recording into a scenario that passes on the emulator and fails when the device differs', async () => {
    const { createEmulatorTarget } = await import('../../../hil/drivers/emulator-target.js');
    const { recordTarget } = await import('../../../hil/index.js');
    const { importRecording } = await import('../../../scenarios/index.js');
    const source = await createEmulatorTarget({ profile: 'mf79u', clockMode: 'paused' });
    await source.require('stimuli').apply('registration', { registration: 'roaming' });
    await source.require('stimuli').apply('signal', { rsrpDbm: -110, rssiDbm: -90 });
    await source.require('stimuli').apply('sms', { from: '+4915100000001', text: 'Guten Tag' });
    const recording = await recordTarget(source, 'test');
    await source.close();
    const { scenario, yaml } = importRecording(recording, 'imported');
    expect(yaml).toContain('stimulus: registration');
    expect(scenario.steps.some((s) => 'stimulus' in s && s.stimulus === 'sms')).toBe(true);
    expect((await runScenario('imported.yaml', scenario, { target: 'emulator' })).status).toBe('passed');
    const edited = structuredClone(scenario);
    edited.steps = edited.steps.filter((s) => !('stimulus' in s && s.stimulus === 'registration'));
    const failing = await runScenario('edited.yaml', edited, { target: 'emulator' });
    expect(failing.status).toBe('failed');
    expect(failing.steps.at(-1)!.reason).toMatch(/International|roam/);
  });

  it('carries the recorded data-roaming setting: a recording made roaming with data roaming on passes against itself', async () => {
    const { createEmulatorTarget } = await import('../../../hil/drivers/emulator-target.js');
    const { recordTarget } = await import('../../../hil/index.js');
    const { importRecording } = await import('../../../scenarios/index.js');
    const source = await createEmulatorTarget({ profile: 'mf79u', clockMode: 'paused' });
    await source.require('router').set('SET_CONNECTION_MODE', { ConnectionMode: 'auto_dial', roam_setting_option: 'on' });
    await source.require('router').set('DATA_LIMIT_SETTING', { data_volume_limit_switch: '1', data_volume_limit_unit: 'data', data_volume_limit_size: '2048_1', data_volume_alert_percent: '80' });
    await source.require('router').set('SET_BEARER_PREFERENCE', { BearerPreference: 'Only_LTE' });
    await source.require('router').set('SET_WEB_LANGUAGE', { Language: 'de' });
    await source.require('stimuli').apply('registration', { registration: 'roaming' });
    const recording = await recordTarget(source, 'test');
    await source.close();
    const { scenario } = importRecording(recording, 'imported-roaming');
    const set = scenario.steps.find((s) => 'goform' in s && s.goform === 'SET_CONNECTION_MODE');
    expect(set).toMatchObject({ fields: { roam_setting_option: 'on' } });
    expect(scenario.steps.find((s) => 'goform' in s && s.goform === 'DATA_LIMIT_SETTING')).toMatchObject({ fields: { data_volume_limit_switch: '1', data_volume_limit_size: '2048_1' } });
    expect(scenario.steps.find((s) => 'goform' in s && s.goform === 'SET_BEARER_PREFERENCE')).toMatchObject({ fields: { BearerPreference: 'Only_LTE' } });
    const result = await runScenario('imported-roaming.yaml', scenario, { target: 'emulator' });
    expect(result.status, JSON.stringify(result.steps.filter((x) => x.status !== 'passed'))).toBe('passed');
  });
});

describe('diff between targets', () => {
  it('reports the steps whose observations differ, with formats and values', async () => {
    const { diffResults } = await import('../../../scenarios/index.js');
    const scenario = defineScenario({
      name: 'compare',
      steps: [{ expect: { goform: 'network_type', oneOf: ['LTE', 'ENDC'] } }, { expect: { goform: 'Z5g_rsrp', matches: '.*' } }, { expect: { at: 'AT+CGMM', matches: '^MF|^MC' } }],
    });
    const a = await runScenario('c.yaml', scenario, { target: 'emulator:mf79u' });
    const b = await runScenario('c.yaml', scenario, { target: 'emulator:mc888' });
    const report = diffResults(a, b);
    expect(report.differences.map((d) => [d.step, d.kind, d.a, d.b])).toEqual([
      ['1', 'value', 'LTE', 'ENDC'],
      ['2', 'format', ' (empty)', '-88 (integer)'],
      ['3', 'value', 'MF79U', 'MC888'],
    ]);
    expect(report.timing.a.p50).toBeGreaterThanOrEqual(0);
    expect(diffResults(a, a).differences).toEqual([]);
  });

  it('reports the order of state changes and numbers read repeatedly outside each other\'s range', async () => {
    const { diffResults } = await import('../../../scenarios/index.js');
    const step = (index: string, key: string, observed: string): ScenarioResult['steps'][number] => ({ index, kind: 'expect', title: key, key, status: 'passed', observed, startedVirtualMs: 0, durationMs: 1 });
    const base = { name: 'n', file: 'f.yaml', status: 'passed' as const, seed: 1, clockOriginMs: 0, durationMs: 1, replay: '', timeline: [], marks: [] };
    // Both see signal drop and data go down, in opposite orders; RSRP polled three times lands in disjoint ranges.
    const a: ScenarioResult = { ...base, target: 'emulator', steps: [step('1', 'goform signalbar', '4'), step('2', 'goform ppp_status', 'ppp_connected'), step('3', 'goform signalbar', '1'), step('4', 'goform ppp_status', 'ppp_disconnected'), step('5.1', 'goform lte_rsrp', '-90'), step('5.2', 'goform lte_rsrp', '-92'), step('5.3', 'goform lte_rsrp', '-91')] };
    const b: ScenarioResult = { ...base, target: 'router:x', steps: [step('1', 'goform signalbar', '4'), step('2', 'goform ppp_status', 'ppp_connected'), step('3', 'goform ppp_status', 'ppp_disconnected'), step('4', 'goform signalbar', '1'), step('5.1', 'goform lte_rsrp', '-110'), step('5.2', 'goform lte_rsrp', '-105'), step('5.3', 'goform lte_rsrp', '-108')] };
    const kinds = diffResults(a, b).differences.filter((d) => d.kind === 'order' || d.kind === 'range');
    expect(kinds).toEqual([
      { step: '5.1', title: 'goform lte_rsrp', kind: 'range', a: '-92..-90 (3 reads)', b: '-110..-105 (3 reads)' },
      { step: '3', title: 'order of state changes', kind: 'order', a: 'goform signalbar: 4 -> 1 | goform ppp_status: ppp_connected -> ppp_disconnected', b: 'goform ppp_status: ppp_connected -> ppp_disconnected | goform signalbar: 4 -> 1' },
    ]);
    // Overlapping ranges are no difference.
    const c: ScenarioResult = { ...a, steps: a.steps.map((s) => (s.key === 'goform lte_rsrp' ? { ...s, observed: String(Number(s.observed) - 1) } : s)) };
    expect(diffResults(a, c).differences).toEqual([]);
  });
});
