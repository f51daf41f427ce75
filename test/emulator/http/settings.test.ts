import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { startLoggedIn, type TestClient, withState } from '../../helpers/emulator.js';

// goform-api.md §4.3-§4.6 and §4.8: network, APN, Wi-Fi, stations, data limit, FOTA, schedules, system.

describe('goform settings', () => {
  let emu: Emulator;
  let client: TestClient;
  afterEach(async () => {
    await emu.close();
  });

  async function start(profile = 'mf79u'): Promise<void> {
    ({ emu, client } = await startLoggedIn({ profile }));
  }

  it('disconnects and reconnects data through ppp_disconnecting and ppp_connecting', async () => {
    await start();
    await client.set('DISCONNECT_NETWORK', { notCallback: 'true' });
    expect((await client.get(['ppp_status'])).ppp_status).toBe('ppp_disconnecting');
    emu.clock.advance(1000);
    expect(await client.get(['ppp_status', 'wan_ipaddr', 'realtime_rx_thrpt'])).toEqual({ ppp_status: 'ppp_disconnected', wan_ipaddr: '', realtime_rx_thrpt: '0' });
    await client.set('CONNECT_NETWORK', { notCallback: 'true' });
    expect((await client.get(['ppp_status'])).ppp_status).toBe('ppp_connecting');
    emu.clock.advance(2000);
    expect((await client.get(['ppp_status'])).ppp_status).toBe('ppp_connected');
  });

  it('switches data roaming with SET_CONNECTION_MODE and reconnects while roaming', async () => {
    await start();
    emu.device.network.setRegistration('roaming');
    emu.clock.advance(1000);
    expect((await client.get(['ppp_status'])).ppp_status).toBe('ppp_disconnected');
    expect(await client.set('SET_CONNECTION_MODE', { ConnectionMode: 'auto_dial', roam_setting_option: 'on' })).toEqual({ result: 'success' });
    emu.clock.advance(2000);
    expect(await client.get(['ppp_status', 'roam_setting_option', 'simcard_roam'])).toEqual({ ppp_status: 'ppp_connected', roam_setting_option: 'on', simcard_roam: 'International' });
  });

  it('sets the bearer preference and the technology follows; 5G values need a 5G device', async () => {
    await start();
    expect(await client.set('SET_BEARER_PREFERENCE', { BearerPreference: 'Only_WCDMA' })).toEqual({ result: 'success' });
    expect(await client.get(['net_select', 'network_type'])).toEqual({ net_select: 'Only_WCDMA', network_type: 'HSPA+' });
    expect(await client.set('SET_BEARER_PREFERENCE', { BearerPreference: 'Only_5G' })).toEqual({ result: 'failure' });
    expect(await client.set('SET_BEARER_PREFERENCE', { BearerPreference: 'Bogus' })).toEqual({ result: 'failure' });
    expect((await client.get(['net_select'])).net_select).toBe('Only_WCDMA');
  });

  it('scans networks and selects one manually, ending in manual_success or manual_fail', async () => {
    await start();
    await client.set('SCAN_NETWORK');
    expect((await client.get(['m_netselect_status'])).m_netselect_status).toBe('manual_selecting');
    emu.clock.advance(5000);
    const result = await client.get(['m_netselect_status', 'm_netselect_contents']);
    expect(result.m_netselect_status).toBe('');
    expect(result.m_netselect_contents).toBe('2,Telekom.de,26201,7,0;1,Orange F,20801,7,0;3,Other Network,26203,2,0');
    await client.set('SET_NETWORK', { NetworkNumber: '20801', Rat: '7' });
    emu.clock.advance(3000);
    expect(await client.get(['m_netselect_result', 'simcard_roam'])).toEqual({ m_netselect_result: 'manual_success', simcard_roam: 'International' });
    await client.set('SET_NETWORK', { NetworkNumber: '26203', Rat: '2' });
    emu.clock.advance(3000);
    expect((await client.get(['m_netselect_result'])).m_netselect_result).toBe('manual_fail');
  });

  it('saves, selects and deletes APN profiles', async () => {
    await start();
    const save = { apn_action: 'save', apn_mode: 'manual', index: '1', profile_name: 'Work', wan_dial: '*99#', apn_select: 'manual', pdp_type: 'IP', pdp_select: 'auto', pdp_addr: '', wan_apn: 'corp.example', ppp_auth_mode: 'chap', ppp_username: 'u', ppp_passwd: 'p', dns_mode: 'auto' };
    expect(await client.set('APN_PROC_EX', save)).toEqual({ result: 'success' });
    expect((await client.get(['APN_config1'])).APN_config1).toBe('Work($)corp.example($)manual($)*99#($)chap($)u($)p($)IP($)auto($)($)auto($)($)($)');
    expect(await client.set('APN_PROC_EX', { apn_action: 'set_default', apn_mode: 'manual', set_default_flag: '1', pdp_type: 'IP', index: '1' })).toEqual({ result: 'success' });
    expect(await client.get(['apn_mode', 'wan_apn', 'Current_index'])).toEqual({ apn_mode: 'manual', wan_apn: 'corp.example', Current_index: '1' });
    expect(await client.set('APN_PROC_EX', { apn_action: 'delete', apn_mode: 'manual', index: '1' })).toEqual({ result: 'failure' });
    await client.set('APN_PROC_EX', { apn_action: 'set_default', apn_mode: 'auto' });
    expect(await client.set('APN_PROC_EX', { apn_action: 'delete', apn_mode: 'manual', index: '1' })).toEqual({ result: 'success' });
    expect((await client.get(['APN_config1'])).APN_config1).toBe('');
  });

  it('changes the SSID and the Base64 password, and reads them back encoded', async () => {
    await start();
    const res = await client.set('SET_WIFI_SSID1_SETTINGS', {
      ssid: 'Lab AP', broadcastSsidEnabled: '0', MAX_Access_num: '5', security_mode: 'WPA2PSK', cipher: '1', NoForwarding: '0',
      security_shared_mode: '1', passphrase: Buffer.from('correct horse').toString('base64'),
    });
    expect(res).toEqual({ result: 'success' });
    expect(await client.get(['SSID1', 'WPAPSK1_encode', 'MAX_Access_num', 'AuthMode'])).toEqual({
      SSID1: 'Lab AP', WPAPSK1_encode: Buffer.from('correct horse').toString('base64'), MAX_Access_num: '5', AuthMode: 'WPA2PSK',
    });
    const short = { ssid: 'x', security_mode: 'WPA2PSK', passphrase: Buffer.from('short').toString('base64') };
    expect(await client.set('SET_WIFI_SSID1_SETTINGS', short)).toEqual({ result: 'failure' });
    expect((await client.get(['SSID1'])).SSID1).toBe('Lab AP');
  });

  it('turns Wi-Fi off, dropping clients, and honours the sleep timer', async () => {
    await start();
    emu.device.wifi.join({ mac: '02:00:00:00:00:01', hostname: 'phone' });
    expect((await client.get(['wifi_access_sta_num'])).wifi_access_sta_num).toBe('1');
    await client.set('SET_WIFI_INFO', { wifiEnabled: '0' });
    expect(await client.get(['wifi_onoff_state', 'wifi_access_sta_num'])).toEqual({ wifi_onoff_state: '0', wifi_access_sta_num: '0' });
    await client.set('SET_WIFI_INFO', { wifiEnabled: '1' });
    await client.set('SET_WIFI_SLEEP_INFO', { sysIdleTimeToSleep: '5' });
    emu.clock.advance(4 * 60_000);
    expect((await client.get(['wifi_onoff_state'])).wifi_onoff_state).toBe('1');
    emu.clock.advance(61_000);
    expect((await client.get(['wifi_onoff_state'])).wifi_onoff_state).toBe('0');
  });

  it('blacklists a station so it leaves station_list', async () => {
    await start();
    emu.device.wifi.join({ mac: '02:00:00:00:00:01', hostname: 'a' });
    emu.device.wifi.join({ mac: '02:00:00:00:00:02', hostname: 'b' });
    expect(await client.set('WIFI_MAC_FILTER', { ACL_mode: '2', wifi_mac_black_list: '02:00:00:00:00:02;', wifi_mac_white_list: '' })).toEqual({ result: 'success' });
    const list = (await client.get('station_list')).station_list as { hostname: string }[];
    expect(list.map((s) => s.hostname)).toEqual(['a']);
    expect((await client.get(['wifi_mac_black_list'])).wifi_mac_black_list).toBe('02:00:00:00:00:02');
    expect(await client.set('WIFI_MAC_FILTER', { ACL_mode: '2', wifi_mac_black_list: 'nonsense;' })).toEqual({ result: 'failure' });
  });

  it('applies a parental-control schedule to child-group stations', async () => {
    await start();
    emu.device.wifi.join({ mac: '02:00:00:00:00:03', hostname: 'kid' });
    expect(await client.set('ADD_DEVICE', { mac: '02:00:00:00:00:03' })).toEqual({ result: 'success' });
    expect(await client.set('SAVE_TIME_LIMITED', { time_limited: '4+8,9,10;5+16' })).toEqual({ result: 'success' });
    expect((await client.get(['time_limited'])).time_limited).toBe('4+8,9,10;5+16');
    expect((await client.get('childGroupList')).devices).toEqual([{ hostname: 'kid', mac: '02:00:00:00:00:03' }]);
    expect(emu.device.state.stations[0]!.accessSchedule).toEqual({ '4': [8, 9, 10], '5': [16] });
    expect(await client.set('SAVE_TIME_LIMITED', { time_limited: '9+1' })).toEqual({ result: 'failure' });
  });

  it('sets a data limit and reports the overrun once monthly usage passes it', async () => {
    await start();
    expect(await client.set('DATA_LIMIT_SETTING', { data_volume_limit_switch: '1', data_volume_limit_unit: 'data', data_volume_limit_size: '10_1', data_volume_alert_percent: '80' })).toEqual({ result: 'success' });
    expect(await client.get(['data_volume_limit_switch', 'data_volume_limit_size', 'traffic_overrun'])).toEqual({ data_volume_limit_switch: '1', data_volume_limit_size: '10_1', traffic_overrun: '0' });
    emu.clock.advance(120_000);
    expect((await client.get(['traffic_overrun'])).traffic_overrun).toBe('1');
    expect(await client.set('DATA_LIMIT_SETTING', { data_volume_limit_switch: '1', data_volume_limit_unit: 'data', data_volume_limit_size: '10MB', data_volume_alert_percent: '80' })).toEqual({ result: 'failure' });
    expect(await client.set('RESET_DATA_COUNTER')).toEqual({ result: 'success' });
    expect(await client.get(['monthly_rx_bytes', 'traffic_overrun'])).toEqual({ monthly_rx_bytes: '0', traffic_overrun: '0' });
  });

  it('runs the FOTA flow through IF_UPGRADE with progress in pack_size_info', async () => {
    await start('mc888');
    emu.device.fota.publish({ version: 'BD_MC888V1.0.0B11', sizeBytes: 1_048_576, description: 'security fixes', mandatory: true });
    await client.set('IF_UPGRADE', { select_op: 'check', ota_manual_check_roam_state: '1' });
    emu.clock.advance(3000);
    expect(await client.get(['new_version_state', 'is_mandatory', 'dm_new_version'])).toEqual({ new_version_state: 'version_has_new_critical_software', is_mandatory: '1', dm_new_version: 'BD_MC888V1.0.0B11' });
    await client.set('IF_UPGRADE', { select_op: '1' });
    emu.clock.advance(2000);
    expect(await client.get('pack_size_info')).toEqual({ pack_total_size: '1048576', download_size: '524288' });
    emu.clock.advance(60_000);
    await client.login();
    expect(await client.get(['wa_version', 'upgrade_result', 'new_version_state'])).toEqual({ wa_version: 'BD_MC888V1.0.0B11', upgrade_result: 'success', new_version_state: '0' });
  });

  it('mf823 uses the legacy FOTA keys', async () => {
    await start('mf823');
    emu.device.fota.publish({ version: 'BD_MF823V1.0.0B06', sizeBytes: 1000, description: '' });
    await client.set('IF_UPGRADE', { select_op: 'check' });
    emu.clock.advance(3000);
    expect(await client.get(['fota_new_version_state', 'new_version_state'])).toEqual({ fota_new_version_state: 'has_optional', new_version_state: '' });
  });

  it('sets LED night mode and the Wi-Fi sleep schedule, and derives is_night_mode from the virtual time', async () => {
    await start();
    // The clock starts at 2026-01-01 00:00 UTC = 01:00 local (UTC+1). On the charger, so 8 h do not empty it.
    withState(emu.device, (s) => {
      s.battery.chargerConnected = true;
    });
    expect(await client.set('SET_DEVICE_LED', { night_mode_switch: '1', night_mode_start_time: '22:00', night_mode_end_time: '07:00', night_mode_close_all_led: '0' })).toEqual({ result: 'success' });
    expect((await client.get(['is_night_mode'])).is_night_mode).toBe('1');
    emu.clock.advance(8 * 3_600_000);
    await client.login();
    expect((await client.get(['is_night_mode'])).is_night_mode).toBe('0');
    expect(await client.set('SAVE_TSW', { web_wake_switch: '1', web_sleep_switch: '1', web_wake_time: '06:00', web_sleep_time: '25:00' })).toEqual({ result: 'failure' });
    expect(await client.set('SAVE_TSW', { web_wake_switch: '1', web_sleep_switch: '1', web_wake_time: '10:00', web_sleep_time: '08:00' })).toEqual({ result: 'success' });
    expect((await client.get(['wifi_onoff_state', 'web_sleep_time'])).wifi_onoff_state).toBe('0');
  });

  it('restores factory settings: settings back to defaults, restore_flag 1 after the reboot', async () => {
    await start();
    await client.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'Changed', security_mode: 'OPEN' });
    expect(await client.set('RESTORE_FACTORY_SETTINGS')).toEqual({ result: 'success' });
    emu.clock.advance(30_000);
    expect((await client.get(['restore_flag'])).restore_flag).toBe('1');
    await client.login();
    expect((await client.get(['SSID1'])).SSID1).not.toBe('Changed');
  });

  it('enters the SIM PIN and falls to PUK after three wrong PINs', async () => {
    await start();
    withState(emu.device, (s) => {
      s.sim.status = 'pin';
      s.sim.pinEnabled = true;
    });
    expect((await client.get(['modem_main_state'])).modem_main_state).toBe('modem_waitpin');
    expect(await client.set('ENTER_PIN', { PinNumber: '0000' })).toEqual({ result: 'failure' });
    expect((await client.get(['pinnumber'])).pinnumber).toBe('2');
    await client.set('ENTER_PIN', { PinNumber: '0000' });
    await client.set('ENTER_PIN', { PinNumber: '0000' });
    expect((await client.get(['modem_main_state'])).modem_main_state).toBe('modem_waitpuk');
    expect(await client.set('ENTER_PUK', { PUKNumber: '12345678', PinNumber: '4321' })).toEqual({ result: 'success' });
    expect((await client.get(['modem_main_state'])).modem_main_state).toBe('modem_init_complete');
    expect(emu.device.state.sim.pin).toBe('4321');
  });
});
