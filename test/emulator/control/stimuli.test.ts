import { afterEach, describe, expect, it } from 'vitest';
import { encodeUcs2Hex, type Emulator } from '../../../emulator/index.js';
import { AtProbe } from '../../helpers/at.js';
import { ControlClient } from '../../helpers/control.js';
import { startLoggedIn, type TestClient } from '../../helpers/emulator.js';

// Every stimulus through the control API, with its effect checked on the goform and AT surfaces.

describe('stimuli through the control API', () => {
  let emu: Emulator;
  let client: TestClient;
  let control: ControlClient;
  let at: AtProbe;
  afterEach(async () => {
    at.close();
    await emu.close();
  });
  async function start(profile = 'mf79u'): Promise<void> {
    ({ emu, client } = await startLoggedIn({ profile }));
    control = new ControlClient(emu);
    at = new AtProbe(emu);
    at.send('ATE0;+CMEE=1\r');
  }
  const atLine = (cmd: string): string => AtProbe.lines(at.at(cmd))[0] ?? '';
  const keys = async (...names: string[]): Promise<Record<string, unknown>> => client.get(names);

  it('signal: dBm values and bars move signalbar, lte_rsrp, +CSQ and +CESQ', async () => {
    await start();
    await control.stimulus('signal', { rsrpDbm: -118, rssiDbm: -95, rsrqDb: -15, sinrDb: 2 });
    expect(await keys('signalbar', 'lte_rsrp', 'lte_rsrq', 'lte_snr')).toEqual({ signalbar: '1', lte_rsrp: '-118', lte_rsrq: '-15', lte_snr: '2' });
    expect(atLine('+CSQ')).toBe('+CSQ: 9,99');
    expect(atLine('+CESQ')).toBe('+CESQ: 99,99,255,255,10,23');
    await control.stimulus('signal', { bars: 5 });
    expect((await keys('signalbar')).signalbar).toBe('5');
  });

  it('signal trace: a fixture plays on the virtual clock', async () => {
    await start();
    expect(await control.stimulus('signal-trace', { fixture: 'tunnel-drive' })).toMatchObject({ points: 6, durationS: 60 });
    emu.clock.advance(30_000);
    expect(await keys('lte_rsrp', 'signalbar')).toEqual({ lte_rsrp: '-126', signalbar: '0' });
    emu.clock.advance(30_000);
    expect((await keys('lte_rsrp')).lte_rsrp).toBe('-90');
  });

  it('handover: the new cell shows on goform and in the +CREG URC', async () => {
    await start();
    at.at('+CREG=2');
    at.out = '';
    await control.stimulus('handover', { cellId: 0x1abcdef, band: 20, pci: 77 });
    expect(await keys('cell_id', 'lte_band', 'lte_pci')).toEqual({ cell_id: '1abcdef', lte_band: '20', lte_pci: '4d' });
    expect(at.out).toMatch(/\+CREG: 1,"[0-9A-F]{4}","01ABCDEF",7/);
  });

  it('technology: network_type and +ZPAS follow, with the URC', async () => {
    await start('mc888');
    at.out = '';
    await control.stimulus('technology', { technology: 'WCDMA' });
    expect(at.out).toContain('+ZPAS: "HSPA+","PS_ONLY"');
    expect((await keys('network_type')).network_type).toBe('HSPA+');
  });

  it.each([
    ['roaming', 'International', '+CREG: 0,5'],
    ['searching', '', '+CREG: 0,2'],
    ['denied', '', '+CREG: 0,3'],
    ['none', '', '+CREG: 0,0'],
  ])('registration %s reads the same on goform and AT', async (registration, roam, creg) => {
    await start();
    await control.stimulus('registration', { registration });
    expect((await keys('simcard_roam')).simcard_roam).toBe(roam);
    expect(atLine('+CREG?')).toBe(creg);
  });

  it.each([
    ['absent', 'modem_sim_undetected', '\r\n+CME ERROR: 10\r\n'],
    ['pin', 'modem_waitpin', '\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n'],
    ['puk', 'modem_waitpuk', '\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n'],
    ['ready', 'modem_init_complete', '\r\n+CPIN: READY\r\n\r\nOK\r\n'],
  ])('sim %s: modem_main_state and +CPIN agree', async (status, main, cpin) => {
    await start();
    await control.stimulus('sim', { status });
    expect((await keys('modem_main_state')).modem_main_state).toBe(main);
    expect(at.at('+CPIN?')).toBe(cpin);
  });

  it('battery: level, charger and drain rate', async () => {
    await start();
    await control.stimulus('battery', { percent: 42, charger: true });
    expect(await keys('battery_vol_percent', 'battery_charging')).toEqual({ battery_vol_percent: '42', battery_charging: '1' });
    expect(atLine('+CBC')).toBe('+CBC: 1,42');
    await control.stimulus('battery', { charger: false, drainPerHour: 60 });
    emu.clock.advance(60_000);
    expect(Number((await keys('battery_vol_percent')).battery_vol_percent)).toBeLessThan(42);
  });

  it('battery on a device without one answers 409', async () => {
    await start('mc888');
    expect((await control.call('POST', '/devices/dev-0/stimuli/battery', { percent: 5 })).status).toBe(409);
  });

  it('incoming SMS: single, unicode, long and a flood; goform lists them and AT raises +CMTI', async () => {
    await start();
    at.at('+CNMI=2,1,0,2,0');
    at.out = '';
    await control.stimulus('sms', { from: '+4915100000001', text: 'Grüße 😀' });
    expect(at.out).toMatch(/\+CMTI: "ME",1/);
    await control.stimulus('sms', { from: 'BANK', text: 'x'.repeat(400) });
    // Its three parts arrive as a network delivers them, 3 virtual seconds apart by default.
    expect(emu.device.state.sms.messages.find((m) => m.number === 'BANK')?.parts).toHaveLength(1);
    emu.clock.advance(3000);
    expect(emu.device.state.sms.messages.find((m) => m.number === 'BANK')?.parts).toHaveLength(2);
    emu.clock.advance(3000);
    expect(await control.stimulus('sms', { from: '+1', text: 'flood', count: 20 })).toMatchObject({ refused: 0 });
    const list = (await client.get('sms_data_total', { page: '0', data_per_page: '100', mem_store: '1', tags: '10', order_by: 'order by id asc' })).messages as { content: string }[];
    expect(list).toHaveLength(22);
    expect(list[0]!.content).toBe(encodeUcs2Hex('Grüße 😀'));
    expect(list[1]!.content).toBe(encodeUcs2Hex('x'.repeat(400)));
    // The 400-character text is three parts on the AT side.
    expect(AtProbe.lines(at.at('+CMGL=4')).filter((l) => l.startsWith('+CMGL')).length).toBe(24);
  });

  it('SMS storage full: the store fills and the next SMS is refused', async () => {
    await start();
    expect(await control.stimulus('sms-storage-full', { store: 'device' })).toEqual({ ok: true, added: 100 });
    expect((await client.get('sms_capacity_info')).sms_nvused_total).toBe('100');
    expect(await control.stimulus('sms', { from: '+1', text: 'no room' })).toMatchObject({ refused: 1 });
  });

  it('SMS send failure: goform sms_cmd 4 ends in 2 and AT+CMGS is refused... and works again', async () => {
    await start();
    await control.stimulus('sms-send-failure', { enabled: true });
    await client.set('SEND_SMS', { Number: '+1', MessageBody: encodeUcs2Hex('x'), ID: '-1' });
    emu.clock.advance(1000);
    expect((await client.get('sms_cmd_status_info', { sms_cmd: '4' })).sms_cmd_status_result).toBe('2');
    await control.stimulus('sms-send-failure', { enabled: false });
    await client.set('SEND_SMS', { Number: '+1', MessageBody: encodeUcs2Hex('y'), ID: '-1' });
    emu.clock.advance(1000);
    expect((await client.get('sms_cmd_status_info', { sms_cmd: '4' })).sms_cmd_status_result).toBe('3');
  });

  it('network drop and restore', async () => {
    await start();
    await control.stimulus('network', { state: 'drop' });
    emu.clock.advance(1000);
    expect(await keys('network_type', 'ppp_status')).toEqual({ network_type: 'No Service', ppp_status: 'ppp_disconnected' });
    expect(atLine('+COPS?')).toBe('+COPS: 0');
    await control.stimulus('network', { state: 'restore' });
    emu.clock.advance(3000);
    expect(await keys('network_type', 'ppp_status')).toEqual({ network_type: 'LTE', ppp_status: 'ppp_connected' });
  });

  it('PDP reject: data goes down and CONNECT_NETWORK counts a dial failure', async () => {
    await start();
    await control.stimulus('pdp-reject', { enabled: true });
    emu.clock.advance(1000);
    await client.set('CONNECT_NETWORK');
    emu.clock.advance(3000);
    expect(await keys('ppp_status', 'ppp_dial_conn_fail_counter')).toEqual({ ppp_status: 'ppp_disconnected', ppp_dial_conn_fail_counter: '2' });
    expect(at.at('+CGACT=1,1')).toBe('\r\n+CME ERROR: 148\r\n');
    await control.stimulus('pdp-reject', { enabled: false });
    emu.clock.advance(3000);
    expect((await keys('ppp_status')).ppp_status).toBe('ppp_connected');
  });

  it('data usage jump and monthly reset', async () => {
    await start();
    await control.stimulus('data-usage', { rxBytes: 5_000_000_000 });
    expect(Number((await keys('monthly_rx_bytes')).monthly_rx_bytes)).toBeGreaterThanOrEqual(5_000_000_000);
    await control.stimulus('monthly-reset');
    expect((await keys('monthly_rx_bytes')).monthly_rx_bytes).toBe('0');
  });

  it('stations join, leave, and a blocked one is refused', async () => {
    await start();
    expect(await control.stimulus('station', { action: 'join', mac: '02:00:00:00:00:01', hostname: 'phone' })).toMatchObject({ online: true, ip: '192.168.0.100' });
    expect((await client.get('station_list')).station_list).toEqual([{ mac_addr: '02:00:00:00:00:01', hostname: 'phone', ip_addr: '192.168.0.100', ssid_index: '0' }]);
    await client.set('WIFI_MAC_FILTER', { ACL_mode: '2', wifi_mac_black_list: '02:00:00:00:00:66;' });
    expect(await control.stimulus('station', { action: 'join', mac: '02:00:00:00:00:66' })).toMatchObject({ online: false, blockedAttempts: 1 });
    await control.stimulus('station', { action: 'leave', mac: '02:00:00:00:00:01' });
    expect((await keys('wifi_access_sta_num')).wifi_access_sta_num).toBe('0');
    expect((await control.call('POST', '/devices/dev-0/stimuli/station', { action: 'leave', mac: '02:00:00:00:00:01' })).status).toBe(409);
  });

  it('firmware publish, then the stall, checksum, power-loss and rollback faults', async () => {
    await start('mc888');
    await control.stimulus('firmware', { version: 'B11', sizeBytes: 524_288, description: 'fixes' });
    await client.set('IF_UPGRADE', { select_op: 'check' });
    emu.clock.advance(3000);
    expect((await keys('new_version_state')).new_version_state).toBe('version_has_new_optional_software');
    await control.stimulus('fota-fault', { fault: 'stall' });
    await client.set('IF_UPGRADE', { select_op: '1' });
    emu.clock.advance(10_000);
    expect(await client.get('pack_size_info')).toEqual({ pack_total_size: '524288', download_size: '0' });
    await control.stimulus('fota-fault', { fault: 'checksum' });
    emu.clock.advance(3000);
    expect((await keys('current_upgrade_state')).current_upgrade_state).toBe('verify_failed');
    await control.stimulus('fota-fault', { fault: 'power-loss' });
    await client.set('IF_UPGRADE', { select_op: '1' });
    emu.clock.advance(60_000);
    await client.login();
    expect(await keys('wa_version', 'upgrade_result')).toEqual({ wa_version: 'BD_MC888V1.0.0B10', upgrade_result: 'fail' });
    expect((await control.call('POST', '/devices/dev-0/stimuli/fota-fault', { fault: 'rollback' })).status).toBe(409);
    await client.set('IF_UPGRADE', { select_op: '1' });
    emu.clock.advance(60_000);
    await client.login();
    expect((await keys('wa_version')).wa_version).toBe('B11');
    await control.stimulus('fota-fault', { fault: 'rollback' });
    emu.clock.advance(30_000);
    await client.login();
    expect(await keys('wa_version', 'upgrade_result')).toEqual({ wa_version: 'BD_MC888V1.0.0B10', upgrade_result: 'rollback' });
  });

  it('reboot and factory reset', async () => {
    await start();
    await control.stimulus('reboot');
    expect((await client.raw('/goform/goform_get_cmd_process?cmd=Language')).status).toBe(503);
    emu.clock.advance(30_000);
    await client.login();
    await client.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'Before reset', security_mode: 'OPEN' });
    await control.stimulus('factory-reset');
    emu.clock.advance(30_000);
    await client.login();
    expect((await keys('SSID1', 'restore_flag')).restore_flag).toBe('1');
    expect((await keys('SSID1')).SSID1).not.toBe('Before reset');
  });
});
