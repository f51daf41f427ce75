import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator, TestClient, withState } from '../../helpers/emulator.js';
import { STATUS_POLL_KEYS, STATUS_POLL_QUERY } from '../../helpers/poll-keys.js';

// goform-api.md §1.2, §1.5, §2.8, §3.

describe('goform_get_cmd_process', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('answers the 1-second status poll with every key as a string, as text/plain', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const client = new TestClient(emu);
    await client.login();
    emu.clock.advance(10_000);
    const res = await client.raw(`/goform/goform_get_cmd_process?${STATUS_POLL_QUERY}&_=1700000000000`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = JSON.parse(await res.text()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([...STATUS_POLL_KEYS]);
    expect(Object.values(body).every((v) => typeof v === 'string')).toBe(true);
    const s = emu.device.state;
    expect(body).toMatchObject({
      loginfo: 'ok',
      modem_main_state: 'modem_init_complete',
      network_type: 'LTE',
      ppp_status: 'ppp_connected',
      simcard_roam: 'Home',
      battery_vol_percent: String(s.battery.percent),
      realtime_time: '10',
      ssid: s.wifi.main.ssid,
      rmcc: '262',
      rmnc: '01',
      network_provider: 'Telekom.de',
      spn_name_data: '00540065006C0065006B006F006D002E00640065',
    });
    expect(Number(body.signalbar)).toBeGreaterThanOrEqual(1);
    expect(Number(body.realtime_rx_bytes)).toBeGreaterThan(0);
  });

  it('answers "" for unknown keys, keys before login and keys the profile lacks', async () => {
    emu = createTestEmulator({ profile: 'mf823' });
    const client = new TestClient(emu);
    expect(await client.get(['no_such_key', 'imei', 'modem_main_state'])).toEqual({
      no_such_key: '',
      imei: '',
      modem_main_state: 'modem_init_complete',
    });
    await client.login();
    // MF823 has no battery and no Wi-Fi.
    expect(await client.get(['battery_vol_percent', 'SSID1', 'signalbar'])).toMatchObject({ battery_vol_percent: '', SSID1: '' });
  });

  it('accepts POST with a form body like GET (some clients read with POST)', async () => {
    emu = createTestEmulator();
    const client = new TestClient(emu);
    const res = await client.raw('/goform/goform_get_cmd_process', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'isTest=false&cmd=Language%2Cwa_inner_version&multi_data=1',
    });
    expect(JSON.parse(await res.text())).toEqual({ Language: 'en', wa_inner_version: 'BD_XCBZHKMF79UV1.0.0B01' });
  });

  it('answers aggregate commands in their own shapes', async () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const client = new TestClient(emu);
    await client.login();
    emu.device.wifi.join({ mac: '34:e0:cf:e0:b2:99', hostname: 'android-1' });
    expect(await client.get('station_list')).toEqual({
      station_list: [{ mac_addr: '34:E0:CF:E0:B2:99', hostname: 'android-1', ip_addr: '192.168.0.100', ssid_index: '0' }],
    });
    expect(await client.get('ConnectionMode')).toEqual({ connectionMode: 'auto_dial', autoConnectWhenRoaming: 'off' });
    expect(await client.get('current_network')).toEqual({
      strFullName: 'Telekom.de', strShortName: 'Telekom.de', strNumeric: '26201', nRat: '13', strBearer: 'WL_AND_5G',
    });
    expect(await client.get('sms_capacity_info')).toMatchObject({ sms_nv_total: '300', sms_sim_total: '40', sms_nvused_total: '0' });
    expect(await client.get('GetUpgAutoSetting')).toEqual({ UpgMode: '1', UpgIntervalDay: '1', UpgRoamPermission: '0' });
    expect((await client.get('LD')).LD).toMatch(/^[0-9A-F]{64}$/);
    expect(await client.get('HTTPSHARE_GETCARD_VALUE')).toEqual({ sd_card_total_size: '2048', sd_card_avi_space: '2048' });
  });

  it('reads the same radio values the state holds, with hex cell ids (§7.22) and NR fields on 5G', async () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const client = new TestClient(emu);
    await client.login();
    const r = emu.device.state.radio;
    const keys = await client.get(['lte_rsrp', 'lte_rsrq', 'lte_snr', 'cell_id', 'lte_pci', 'network_type', 'Z5g_rsrp', 'Z5g_SINR', 'nr5g_action_band']);
    expect(keys).toEqual({
      lte_rsrp: String(r.rsrpDbm), lte_rsrq: String(r.rsrqDb), lte_snr: String(r.sinrDb), cell_id: r.cellId.toString(16),
      lte_pci: r.pci.toString(16), network_type: 'ENDC', Z5g_rsrp: '-88', Z5g_SINR: '18.0', nr5g_action_band: 'n78',
    });
    emu.device.network.setTechnology('LTE');
    // mc888 keeps stale NR placeholders after the NR leg drops (§7.23).
    expect(await client.get(['network_type', 'Z5g_SINR'])).toEqual({ network_type: 'LTE', Z5g_SINR: '-20.0' });
  });

  it('maps signal strength to 0-5 bars and roaming to simcard_roam', async () => {
    emu = createTestEmulator();
    const client = new TestClient(emu);
    await client.login();
    const bars = async (rsrp: number): Promise<unknown> => {
      withState(emu.device, (s) => {
        s.radio.rsrpDbm = rsrp;
      });
      return (await client.get(['signalbar'])).signalbar;
    };
    expect([await bars(-130), await bars(-118), await bars(-108), await bars(-100), await bars(-90), await bars(-70)]).toEqual(['0', '1', '2', '3', '4', '5']);
    emu.device.network.setRegistration('roaming');
    expect(await client.get(['simcard_roam', 'network_provider', 'rmcc'])).toEqual({ simcard_roam: 'International', network_provider: 'Orange', rmcc: '208' });
    emu.device.network.setRegistration('searching');
    expect(await client.get(['network_type', 'signalbar'])).toEqual({ network_type: 'Limited Service', signalbar: '0' });
  });

  it('answers {} to a read without cmd', async () => {
    emu = createTestEmulator();
    const res = await new TestClient(emu).raw('/goform/goform_get_cmd_process?isTest=false');
    expect(await res.text()).toBe('{}');
  });
});
