import { afterEach, describe, expect, it } from 'vitest';
import { SET_HANDLERS } from '../../../emulator/http/set/index.js';
import type { Emulator } from '../../../emulator/index.js';
import { GoformClient } from '../../../hil/clients/goform-client.js';
import { GOFORM_IDS, KEY_GROUPS } from '../../../hil/clients/goform-types.js';
import { PLAIN_KEYS } from '../../../emulator/http/keys/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';

describe('typed goform reads and writes', () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('types every goformId the emulator implements (LOGIN is the client\'s own)', () => {
    expect([...GOFORM_IDS].sort()).toEqual([...SET_HANDLERS.keys()].filter((id) => id !== 'LOGIN').sort());
  });

  it('names only keys the emulator knows in its key groups', () => {
    for (const keys of Object.values(KEY_GROUPS)) for (const k of keys) expect(PLAIN_KEYS.has(k), k).toBe(true);
  });

  it('reads every key group of a 5G CPE and writes with typed fields', async () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const client = new GoformClient({ baseUrl: await emu.listen({ port: 0 }), password: 'admin' });
    await client.login();
    const radio = await client.readGroup('radio');
    expect(radio.network_type).toBe('ENDC');
    expect(Number(radio.lte_rsrp)).toBe(emu.device.state.radio.rsrpDbm);
    expect((await client.readGroup('nr5g')).nr5g_action_band).toBe('n78');
    expect((await client.readGroup('battery')).battery_vol_percent).toBe('');
    await client.write('DATA_LIMIT_SETTING', { data_volume_limit_switch: '1', data_volume_limit_unit: 'data', data_volume_limit_size: '20_1024', data_volume_alert_percent: '90' });
    expect((await client.readGroup('traffic')).data_volume_limit_size).toBe('20_1024');
    await client.write('SET_DEVICE_LED', { night_mode_switch: '1', night_mode_start_time: '23:00', night_mode_end_time: '06:30' });
    expect((await client.readGroup('schedules')).night_mode_start_time).toBe('23:00');
  });
});
