import { afterEach, describe, expect, it } from 'vitest';
import { PLAIN_KEYS } from '../../../emulator/http/keys/index.js';
import { listProfiles, type Emulator } from '../../../emulator/index.js';
import { createTestEmulator, TestClient, withState } from '../../helpers/emulator.js';

// Every plain key, every profile, in the states a field device goes through: each answer is a string and
// keys outside the profile's groups are "".

const STATES: [string, (emu: Emulator) => void][] = [
  ['fresh', () => undefined],
  ['roaming, disconnected', (e) => e.device.network.setRegistration('roaming')],
  ['no SIM', (e) => withState(e.device, (s) => void (s.sim.status = 'absent'))],
  ['WCDMA with stations and a data limit', (e) => {
    e.device.network.setTechnology('WCDMA');
    e.device.wifi.join({ mac: '02:00:00:00:00:09', hostname: 'tablet' });
    withState(e.device, (s) => void (s.dataLimit = { ...s.dataLimit, enabled: true, unit: 'time', size: '5' }));
  }],
];

describe.each(listProfiles('goform'))('every read key on %s', (profile) => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it.each(STATES)('answers strings in state: %s', async (_name, setup) => {
    emu = createTestEmulator({ profile });
    const client = new TestClient(emu);
    await client.login();
    setup(emu);
    emu.clock.advance(5000);
    const keys = [...PLAIN_KEYS.keys()];
    const answer = await client.get(keys);
    expect(Object.keys(answer)).toEqual(keys);
    const groups = new Set(emu.device.profile.keyGroups);
    for (const key of keys) {
      expect(typeof answer[key], key).toBe('string');
      if (!groups.has(PLAIN_KEYS.get(key)!.group)) expect(answer[key], key).toBe('');
    }
  });
});

it('defines well over 250 plain keys', () => {
  expect(PLAIN_KEYS.size).toBeGreaterThan(250);
});
