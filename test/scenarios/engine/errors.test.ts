import { describe, expect, it } from 'vitest';
import { defineScenario, runScenario } from '../../../scenarios/index.js';

// Errors that name their cause (issue #28): a typo of a goform key or goformId at load time, a key the scenario's
// profile does not have in the failure line, and why the emulator answered a write "failure".

describe('errors that name the cause', () => {
  it('refuses a goform key or goformId one letter off a known one at load time, with the near miss', () => {
    expect(() => defineScenario({ name: 'typo', steps: [{ expect: { goform: 'signalbr', equals: '4' } }] })).toThrow(/steps\.0\.expect\.goform: no routerlab profile answers goform key "signalbr" \(did you mean "signalbar"\?\)/);
    expect(() => defineScenario({ name: 'typo', steps: [{ goform: 'SET_WIFI_SSID1_SETTING', fields: {} }] })).toThrow(/steps\.0\.goform: unknown goformId "SET_WIFI_SSID1_SETTING" \(did you mean "SET_WIFI_SSID1_SETTINGS"\?\)/);
    // A key no profile knows and nothing like one may be a real router's: not refused.
    expect(() => defineScenario({ name: 'field', steps: [{ expect: { goform: 'vendor_private_thing_xyz', equals: '1' } }] })).not.toThrow();
  });

  it('says in the failure line that the profile has no such key, or that no profile has it', async () => {
    const s = defineScenario({ name: 'keys', device: { profile: 'mf79u', seed: 1 }, steps: [{ expect: { goform: 'Z5g_rsrp', equals: '-90' } }, { expect: { goform: 'vendor_private_thing_xyz', equals: '1' } }] });
    const first = await runScenario('keys.yaml', s, { target: 'emulator' });
    expect(first.steps[0]!.reason).toMatch(/got "", expected "-90" \(profile mf79u has no goform key "Z5g_rsrp"; profiles with it: .*mc888/);
    const second = await runScenario('keys.yaml', defineScenario({ ...s, steps: [s.steps[1]!] }), { target: 'emulator' });
    expect(second.steps[0]!.reason).toMatch(/\(no routerlab profile answers goform key "vendor_private_thing_xyz"; a real router may\)/);
  });

  it('names why the emulator answered a write "failure": a bad field, or the device refusing', async () => {
    const s = defineScenario({ name: 'write', device: { profile: 'mf79u', seed: 1 }, steps: [{ goform: 'SET_WIFI_SSID1_SETTINGS', fields: { ssid: '' } }] });
    const result = await runScenario('write.yaml', s, { target: 'emulator' });
    expect(result.steps[0]!.status).toBe('failed');
    expect(result.steps[0]!.reason).toMatch(/ -- the emulator says: .+/);
  });
});
