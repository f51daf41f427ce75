import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { UbusProbe, loginHash, ucs2 } from '../../helpers/ubus.js';

// Every object of ubus-api.md §6 reads back what a write (or a stimulus) changed, through the one device.

let emu: Emulator;
let ubus: UbusProbe;
const web = { source_module: 'web', cid: 1 };

beforeEach(() => {
  emu = createTestEmulator({ profile: 'g5ultra' });
  emu.clock.advance(5000);
  ubus = new UbusProbe(emu);
  ubus.login();
});
afterEach(async () => {
  await emu.close();
});

describe('ubus objects read back their writes (§6)', () => {
  it('netinfo: the §6.5 keys with the MC7510 types, and nrca always present', () => {
    const n = ubus.data('zte_nwinfo_api', 'nwinfo_get_netinfo');
    expect(n).toMatchObject({ network_type: 'SA', signalbar: expect.stringMatching(/^[0-5]$/) as string, nrca: '', simcard_roam: 'Home' });
    for (const k of ['rmcc', 'rmnc', 'cell_id', 'lac_code', 'nr5g_pci', 'nr5g_rsrp', 'nr5g_rsrq', 'nr5g_action_channel', 'lteca_state']) expect(typeof n[k], k).toBe('number');
    for (const k of ['nr5g_snr', 'nr5g_bandwidth', 'nr5g_action_band', 'wan_active_band', 'lte_band']) expect(typeof n[k], k).toBe('string');
    expect(n.nr5g_action_band).toMatch(/^n\d+$/);
    expect(n.nr5g_snr).toMatch(/^-?\d+\.\d$/);
  });

  it('zte_nwinfo_api: network mode, band locks, cell locks and their reset', () => {
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_set_netselect', { net_select: 'Only_LTE' }).result).toEqual([0]);
    expect(ubus.data('zte_nwinfo_api', 'nwinfo_get_netinfo')).toMatchObject({ net_select: 'Only_LTE', network_type: expect.stringMatching(/^LTE/) as string });
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_set_netselect', { net_select: 'ONLY_4G' }).result).toEqual([2]);
    // bit N-1 = band N: 1 + 4 + 524288 = bands 1, 3, 20 (GAP: a decimal string).
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_set_gwl_bandlock', { is_gw_band: '0', gw_band_mask: '0', is_lte_band: '1', lte_band_mask: String(1 + 4 + 524288) }).result).toEqual([0]);
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_set_gwl_bandlock', { is_gw_band: '0', gw_band_mask: '0', is_lte_band: '1', lte_band_mask: '1,3,20' }).result).toEqual([2]);
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_set_nrbandlock', { nr5g_type: 'SA', nr5g_band: '78,3' }).result).toEqual([0]);
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_lock_lte_cell', { lock_lte_pci: '259', lock_lte_earfcn: '75' }).result).toEqual([0]);
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_lock_nr_cell', { lock_nr_pci: '463', lock_nr_earfcn: '640704', lock_nr_cell_band: '78' }).result).toEqual([0]);
    const locked = ubus.data('zte_nwinfo_api', 'nwinfo_get_netinfo');
    expect(locked).toMatchObject({ lte_band: '1,3,20', lte_band_lock: '0x80005', nr5g_sa_band_lock: '3,78', lock_lte_cell: '259,75', lock_nr_cell: '463,640704,78' });
    expect(BigInt(locked.lte_band_lock as string)).toBe(0x80005n);
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_reset_band_cell_setting').result).toEqual([0]);
    expect(ubus.data('zte_nwinfo_api', 'nwinfo_get_netinfo')).toMatchObject({ lte_band_lock: '', nr5g_sa_band_lock: '', lock_lte_cell: '0,0', lock_nr_cell: '0,0,0' });
  });

  it('zte_nwinfo_api: manual scan, contents and registration as the stock UI polls them (§6.9)', () => {
    ubus.call('zte_nwinfo_api', 'nwinfo_manual_scan');
    expect(ubus.data('zte_nwinfo_api', 'nwinfo_m_netselect_status').m_netselect_status).toBe('manual_selecting');
    emu.clock.advance(6000);
    expect(ubus.data('zte_nwinfo_api', 'nwinfo_m_netselect_status').m_netselect_status).toBe('');
    const contents = ubus.data('zte_nwinfo_api', 'nwinfo_m_netselect_contents').m_netselect_contents as string;
    const entries = [...contents.matchAll(/(\d),"([^"]*)",(\d+),(\d+);/g)];
    expect(entries.length).toBeGreaterThan(0);
    const home = emu.device.state.homeOperator;
    const entry = entries.find((e) => e[3] === home.mcc + home.mnc)!;
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_manual_register', { m_mcc_mnc: entry[3], m_rat: '7' }).result).toEqual([0]);
    emu.clock.advance(4000);
    expect(ubus.data('zte_nwinfo_api', 'nwinfo_m_netselect_result').m_netselect_result).toBe('manual_success');
    expect(ubus.call('zte_nwinfo_api', 'nwinfo_manual_register', { m_mcc_mnc: entry[3], m_rat: '5' }).result).toEqual([2]);
  });

  it('zwrt_data: mobile data off and on, mode and roaming, counters, the monthly limit and calibration', () => {
    expect(ubus.data('zwrt_data', 'get_wwaniface', web)).toMatchObject({ enable: 1, connect_mode: 0, roam_enable: 0 });
    expect(ubus.data('zwrt_data', 'set_wwaniface', { ...web, enable: 0 })).toMatchObject({ enable: 0 });
    emu.clock.advance(2000);
    expect(ubus.data('zwrt_data', 'get_wwaniface', web)).toMatchObject({ connect_status: 'disconnected', enable: 0, ipv4_address: '0' });
    expect(ubus.data('zwrt_router.api', 'router_get_status').current_wan_status).toBe('disconnected');
    ubus.call('zwrt_data', 'set_wwaniface', { ...web, enable: 1 });
    emu.clock.advance(3000);
    expect(ubus.data('zwrt_data', 'get_wwaniface', web).connect_status).toMatch(/^ipv4(_ipv6)?_connected$/);
    expect(ubus.data('zwrt_data', 'set_wwaniface', { ...web, connect_mode: 1, roam_enable: 1 })).toMatchObject({ connect_mode: 1, roam_enable: 1 });
    expect(emu.device.state.network).toMatchObject({ connectionMode: 'manual_dial', dataRoaming: true });
    emu.clock.advance(60_000);
    const counters = ubus.data('zwrt_data', 'get_wwandst', { ...web, type: 4 });
    expect(counters.month_rx_bytes).toBe(emu.device.state.traffic.monthlyRxBytes);
    expect(counters.real_rx_speed).toBe(emu.device.state.traffic.rxBytesPerSecond);
    expect(ubus.call('zwrt_data', 'set_wwandst_monthlimit', { ...web, enable: 1, type: 2, value: '2048', ratio: 80 }).result).toEqual([0]);
    expect(ubus.data('zwrt_data', 'get_wwandst_monthlimit', web)).toMatchObject({ enable: 1, type: 2, value: '2048', ratio: 80 });
    expect(ubus.call('zwrt_data', 'set_wwandst_calibmonth', { ...web, type: 2, value: '100' }).result).toEqual([0]);
    const month = ubus.data('zwrt_data', 'get_wwandst', { ...web, type: 2 });
    expect((month.month_rx_bytes as number) + (month.month_tx_bytes as number)).toBe(100 * 1024 * 1024);
    expect(ubus.call('zwrt_data', 'set_wwandst_clearday', { ...web, enable: 1, clearday: 15 }).result).toEqual([0]);
    expect(ubus.data('zwrt_data', 'get_wwandst_clearday', web)).toEqual({ enable: 1, clearday: 15 });
  });

  it('zwrt_wlan: SSID, key, encryption and the radio switch read back on every Wi-Fi read', () => {
    const b64 = Buffer.from('s3cret-pass').toString('base64');
    ubus.keyExchange();
    expect(ubus.call('zwrt_wlan', 'set', { main_2g: { ssid: 'Lab', encryption: 'psk-mixed+tkip+ccmp', key: ubus.enc(b64), maxassoc: '10' }, main_5g: { ssid: 'Lab', key: ubus.enc(b64) } }).result).toEqual([0]);
    expect(ubus.data('zwrt_wlan', 'report')).toMatchObject({ main2g_ssid: 'Lab', main5g_ssid: 'Lab', wifi_onoff: '1' });
    const main = (ubus.data('zwrt_wlan', 'iface_report').ifaces as Record<string, string>[]).find((i) => i.section_name === 'main_2g')!;
    expect(main).toMatchObject({ ssid: 'Lab', encryption: 'psk-mixed+tkip+ccmp', maxassoc: '10', disabled: '0' });
    expect(Buffer.from(ubus.dec(main.key_encode!), 'base64').toString()).toBe('s3cret-pass');
    expect(ubus.data('uci', 'get', { config: 'wireless', section: 'main_5g' }).values).toMatchObject({ ssid: 'Lab' });
    expect(ubus.call('zwrt_wlan', 'set', { zte_mbb: { wifi_onoff: '0' } }).result).toEqual([0]);
    expect(ubus.data('zwrt_wlan', 'report')).toMatchObject({ wifi_onoff: '0', radio2: '0' });
    // Validated as a whole: one bad section changes nothing.
    expect(ubus.call('zwrt_wlan', 'set', { zte_mbb: { wifi_onoff: '1' }, main_2g: { ssid: '' } }).result).toEqual([2]);
    expect(emu.device.state.wifi.enabled).toBe(false);
  });

  it('zwrt_router.api: counts and pages connected and offline clients, renames one', () => {
    for (let i = 0; i < 70; i++) emu.device.wifi.join({ mac: `02:00:00:00:00:${i.toString(16).padStart(2, '0').toUpperCase()}`, hostname: `host${i}` });
    emu.device.wifi.join({ mac: '02:00:00:00:01:00', hostname: 'desk', medium: 'lan' });
    emu.device.wifi.leave('02:00:00:00:00:05');
    const counts = ubus.data('zwrt_router.api', 'router_get_user_list_num');
    const online = emu.device.state.stations.filter((s) => s.online);
    expect(counts).toMatchObject({ access_total_num: online.length, lan_num: 1, wireless_num: online.length - 1, offline_num: emu.device.state.stations.length - online.length });
    const wireless = counts.wireless_num as number;
    const first = ubus.data('zwrt_router.api', 'router_wireless_access_list', { start_id: 1, end_id: 64 }).wireless_access_list_info as unknown[];
    const second = ubus.data('zwrt_router.api', 'router_wireless_access_list', { start_id: 65, end_id: 128 }).wireless_access_list_info as unknown[];
    expect(first.length + second.length).toBe(wireless);
    expect(first.length).toBe(Math.min(64, wireless));
    expect(ubus.data('zwrt_router.api', 'router_lan_access_list').lan_access_list_info).toMatchObject([{ mac_address: '02:00:00:00:01:00', hostname: 'desk' }]);
    expect(ubus.data('zwrt_router.api', 'router_offline_list', { start_id: 1, end_id: 64 }).offline_list_info).toContainEqual(expect.objectContaining({ mac_address: '02:00:00:00:00:05', addr_type: '3' }));
    expect(ubus.call('zwrt_router.api', 'router_modify_lan_hostname', { mac: '02:00:00:00:01:00', hostname: 'nas' }).result).toEqual([0]);
    expect(ubus.data('zwrt_router.api', 'router_lan_access_list').lan_access_list_info).toMatchObject([{ hostname: 'nas' }]);
    expect(ubus.call('zwrt_router.api', 'router_modify_lan_hostname', { mac: '02:00:00:00:09:99', hostname: 'x' }).result).toEqual([4]);
  });

  it('zwrt_router.api: the operation mode as the stock UI sets it (router_set_wan_mode), read back by both status calls', async () => {
    const mode = (): unknown[] => [ubus.data('zwrt_router.api', 'router_get_status').opms_wan_mode, ubus.data('zwrt_router.api', 'router_get_status_no_auth').opms_wan_mode];
    expect(mode()).toEqual(['AUTO', 'AUTO']);
    expect(ubus.call('zwrt_router.api', 'router_set_wan_mode', { opms_wan_mode: 'LTE_BRIDGE' }).result).toEqual([0]);
    expect(mode()).toEqual(['LTE_BRIDGE', 'LTE_BRIDGE']);
    expect(ubus.call('zwrt_router.api', 'router_set_wan_mode', { opms_wan_mode: 'PPP' }).result).toEqual([0]);
    expect(mode()).toEqual(['PPP', 'PPP']);
    expect(ubus.call('zwrt_router.api', 'router_set_wan_mode', { opms_wan_mode: 'BRIDGE' }).result).toEqual([2]);
    expect(ubus.call('zwrt_router.api', 'router_set_wan_mode', {}).result).toEqual([2]);
    expect(mode()).toEqual(['PPP', 'PPP']);
    // A ZWRT MiFi reports AUTO too, before anything is set.
    const mifi = createTestEmulator({ profile: 'u60pro' });
    try {
      const probe = new UbusProbe(mifi);
      probe.login();
      expect(probe.data('zwrt_router.api', 'router_get_status').opms_wan_mode).toBe('AUTO');
    } finally {
      await mifi.close();
    }
  });

  it('zwrt_mc.device.manager: fast power-on set as the stock UI sends it, read back, and off again after a factory reset', () => {
    const info = (): unknown => ubus.data('zwrt_mc.device.manager', 'get_device_info', { deviceInfoList: ['hightemp_datalimit_status'] }).quicken_power_on;
    expect(info()).toBe('0');
    expect(ubus.call('zwrt_mc.device.manager', 'set_device_info', { deviceInfoList: { quicken_power_on: '1' } }).result).toEqual([0]);
    expect(info()).toBe('1');
    for (const bad of [{}, { deviceInfoList: ['quicken_power_on'] }, { deviceInfoList: { quicken_power_on: 'yes' } }, { deviceInfoList: { quicken_power_on: '0', device_uptime: '5' } }]) {
      expect(ubus.call('zwrt_mc.device.manager', 'set_device_info', bad).result, JSON.stringify(bad)).toEqual([2]);
    }
    expect(info()).toBe('1');
    emu.device.power.factoryReset();
    emu.clock.advance(120_000);
    ubus.login();
    expect(info()).toBe('0');
  });

  it('zwrt_router.api: the ARP proxy switch answers only a developer session, takes a number, and shows in uci once used', () => {
    const network = (): Record<string, unknown> => ubus.data('uci', 'get', { config: 'zwrt_router', section: 'network' }).values as Record<string, unknown>;
    expect(network()).not.toHaveProperty('arp_proxy_enable');
    // A web session is refused as the field clients see it (their `accessDenied`), and nothing changes.
    expect(ubus.call('zwrt_router.api', 'router_set_arp_proxy', { arp_proxy_enable: 1 }).error).toEqual({ code: -32002, message: 'Access denied' });
    expect(emu.device.state.wan.arpProxy).toBeNull();
    // §4.8: the developer login takes the same salted hash, with the current session.
    const salt = ubus.data('zwrt_web', 'web_login_info').zte_web_sault as string;
    expect(ubus.data('zwrt_web', 'web_developer_option_login', { password: loginHash('admin', salt) })).toEqual({ result: '0' });
    expect(ubus.call('zwrt_router.api', 'router_set_arp_proxy', { arp_proxy_enable: '1' }).result).toEqual([2]);
    expect(ubus.call('zwrt_router.api', 'router_set_arp_proxy', { arp_proxy_enable: 1 }).result).toEqual([0]);
    expect(network()).toMatchObject({ arp_proxy_enable: '1', lan_ipaddr: emu.device.state.wan.lan.ip });
    expect(ubus.call('zwrt_router.api', 'router_set_arp_proxy', { arp_proxy_enable: 0 }).result).toEqual([0]);
    expect(network().arp_proxy_enable).toBe('0');
    // Another session, not raised, is still refused.
    const other = new UbusProbe(emu);
    other.login();
    expect(other.call('zwrt_router.api', 'router_set_arp_proxy', { arp_proxy_enable: 1 }).error?.code).toBe(-32002);
    expect(emu.device.state.wan.arpProxy).toBe(false);
  });

  it('zwrt_wms: send with the sms_cmd poll, receive, mark read, draft, delete, capacity and parameters', () => {
    const before = ubus.data('zwrt_wms', 'zwrt_wms_get_wms_capacity');
    expect(ubus.call('zwrt_wms', 'zte_libwms_send_sms', { number: '+4915100000002', sms_time: '26;01;01;00;00;05;+1', message_body: ucs2('Hallo 😀'), id: '-1', encode_type: 'UNICODE' }).result).toEqual([0]);
    expect(ubus.data('zwrt_wms', 'zwrt_wms_get_cmd_status', { sms_cmd: 4 })).toEqual({ sms_cmd: 4, sms_cmd_status_result: 1 });
    emu.clock.advance(5000);
    expect(ubus.data('zwrt_wms', 'zwrt_wms_get_cmd_status', { sms_cmd: 4 })).toEqual({ sms_cmd: 4, sms_cmd_status_result: 3 });
    expect(ubus.call('zwrt_wms', 'zte_libwms_send_sms', { number: '+4915100000002', sms_time: '26,01,01,00,00,05,+1', message_body: ucs2('x'), id: '-1', encode_type: 'GSM7_default' }).result).toEqual([2]);
    emu.device.sms.receive({ number: '+4915100000003', text: 'incoming' });
    const list = ubus.data('zwrt_wms', 'zte_libwms_get_sms_data', { page: 0, data_per_page: 50, mem_store: 1, tags: 10, order_by: 'order by id desc' }).messages as Record<string, string>[];
    expect(list.map((m) => [m.number, Buffer.from(m.content!, 'hex').swap16().toString('utf16le'), m.tag])).toEqual([['+4915100000003', 'incoming', '1'], ['+4915100000002', 'Hallo 😀', '2']]);
    expect(list[0]!.date).toMatch(/^\d{2},\d{2},\d{2},\d{2},\d{2},\d{2},[+-]?\d+/);
    expect(ubus.data('zwrt_wms', 'zwrt_wms_get_wms_capacity')).toMatchObject({ sms_nv_rev_total: (before.sms_nv_rev_total as number) + 1, sms_dev_unread_num: 1 });
    expect(ubus.call('zwrt_wms', 'zwrt_wms_modify_tag', { id: `${list[0]!.id};`, tag: 0 }).result).toEqual([0]);
    expect(ubus.data('zwrt_wms', 'zwrt_wms_get_wms_capacity').sms_dev_unread_num).toBe(0);
    expect(ubus.call('zwrt_wms', 'zwrt_wms_write_sms', { message: ucs2('draft'), number: '+4915100000004;', index: '-1', encode_type: 'GSM7_default', sms_time: '26;01;01;00;00;09;+1', draft_group_id: '' }).result).toEqual([0]);
    const drafts = ubus.data('zwrt_wms', 'zte_libwms_get_sms_data', { page: 0, data_per_page: 50, mem_store: 1, tags: 4 }).messages as Record<string, string>[];
    expect(drafts.map((m) => m.number)).toEqual(['+4915100000004']);
    expect(ubus.call('zwrt_wms', 'zwrt_wms_delete_sms', { id: list.map((m) => m.id).join(';') + ';' }).result).toEqual([0]);
    expect(ubus.data('zwrt_wms', 'zwrt_wms_get_cmd_status', { sms_cmd: 6 }).sms_cmd_status_result).toBe(3);
    expect((ubus.data('zwrt_wms', 'zte_libwms_get_sms_data', { page: 0, data_per_page: 50, mem_store: 1, tags: 10 }).messages as unknown[]).length).toBe(1);
    expect(ubus.call('zwrt_wms', 'zte_wms_set_parameter', { tp_validity_period: 167, sca: '+491770000000', status_report_on: '1', mem_store: 1 }).result).toEqual([0]);
    expect(ubus.data('zwrt_wms', 'zte_wms_get_parameter')).toMatchObject({ sca: '+491770000000', status_report_on: '1', tp_validity_period: 167 });
  });

  it('zwrt_wms: the tag meaning follows the profile (0 = unread per F and K)', () => {
    emu.device.reset({ profile: { ...emu.device.profile, ubus: { ...emu.device.profile.ubus, smsUnreadTag: 0 } } });
    const probe = new UbusProbe(emu);
    probe.login();
    emu.device.sms.receive({ number: '+4915100000003', text: 'new' });
    const [m] = probe.data('zwrt_wms', 'zte_libwms_get_sms_data', { page: 0, data_per_page: 5, mem_store: 1, tags: 10 }).messages as Record<string, string>[];
    expect(m!.tag).toBe('0');
    probe.call('zwrt_wms', 'zwrt_wms_modify_tag', { id: m!.id, tag: 1 });
    expect(emu.device.state.sms.messages.find((x) => String(x.id) === m!.id)!.tag).toBe(0);
  });

  it('zwrt_apn_object: add, list in both naming styles, enable, mode and delete', () => {
    const added = ubus.data('zwrt_apn_object', 'add_manu_apn', { profilename: 'lab', pdpType: 2, wanapn: 'internet.lab', pppAuthMode: 1, username: 'u', password: 'p' });
    const id = added.profileId as number;
    expect(ubus.data('zwrt_apn_object', 'getManuApnList').apnListArray).toContainEqual({ profileId: String(id), profilename: 'lab', wanapn: 'internet.lab', pdpType: 'IPv4v6', pppAuthMode: '1', username: 'u', password: 'p' });
    expect(ubus.data('zwrt_apn_object', 'get_manu_apn_list').apnListArray).toContainEqual(expect.objectContaining({ profileId: id, pdpType: 2, pppAuthMode: 1 }));
    const batch = ubus.batch([['zwrt_apn_object', 'set_apn_mode', { apn_mode: 1 }], ['zwrt_apn_object', 'enable_manu_apn_id', { profileId: id }]]);
    expect(batch.map((a) => a.result)).toEqual([[0], [0]]);
    expect(ubus.data('zwrt_apn_object', 'get_apn_mode')).toEqual({ apn_mode: 1 });
    expect(emu.device.state.apn).toMatchObject({ mode: 'manual', defaultIndex: id });
    expect(ubus.call('zwrt_apn_object', 'delete_manu_apn', { profileId: id }).result).toEqual([2]);
    ubus.call('zwrt_apn_object', 'set_apn_mode', { apn_mode: 0 });
    expect(ubus.call('zwrt_apn_object', 'delete_manu_apn', { profileId: id }).result).toEqual([0]);
    expect(ubus.data('zwrt_apn_object', 'getManuApnList').apnListArray).toEqual([]);
  });

  it('zwrt_zte_mdm.api: SIM state and the PIN lock', () => {
    expect(ubus.data('zwrt_zte_mdm.api', 'get_sim_info')).toMatchObject({ sim_states: 'ready', modem_main_state: 'modem_init_complete', pin_status: 0 });
    const pin = emu.device.state.sim.pin;
    expect(ubus.call('zwrt_zte_mdm.api', 'sim_change_pin_mode', { pin_num_m: pin, pin_mode: 1 }).result).toEqual([0]);
    expect(ubus.data('zwrt_zte_mdm.api', 'get_sim_info').pin_status).toBe(1);
    expect(ubus.call('zwrt_zte_mdm.api', 'sim_change_pin_mode', { pin_num_m: '0000', pin_mode: 0 }).result?.[0]).toBe(2);
    expect(ubus.data('zwrt_zte_mdm.api', 'get_sim_info').pin_remaining).toBe(2);
  });

  it('zwrt_led, zwrt_zte_dm, zwrt_mc.device.manager, zwrt_ussd, uci and the web flags', () => {
    expect(ubus.call('zwrt_led', 'set_nightmode_state', { switch: '1', starttime: '21:30', endtime: '06:00' }).result).toEqual([0]);
    expect(ubus.data('zwrt_led', 'get_nightmode_state')).toMatchObject({ switch: '1', starttime: '21:30', endtime: '06:00' });
    ubus.call('zwrt_led', 'set_ODU_switch_state', { switch: '0', offtime: '15' });
    expect(ubus.data('zwrt_led', 'get_ODU_switch_state')).toEqual({ switch: '0' });
    emu.device.fota.publish({ version: 'BD_ROUTERLABG5UV1.0.0B09', sizeBytes: 52_428_800, description: 'fixes' });
    ubus.call('zwrt_zte_dm', 'check_new_version');
    emu.clock.advance(4000);
    expect(ubus.data('zwrt_zte_dm', 'get_update_info')).toMatchObject({ dm_new_version: 'BD_ROUTERLABG5UV1.0.0B09', dm_pkg_total_size: '52428800' });
    expect(ubus.data('zwrt_zte_dm', 'get_update_info').new_version_state).not.toBe('');
    expect(ubus.call('zwrt_mc.device.manager', 'device_reboot', { moduleName: 'nope' }).result).toEqual([2]);
    expect(ubus.data('zwrt_mc.device.manager', 'get_device_info').device_uptime).toBeGreaterThan(0);
    expect(ubus.data('zwrt_ussd', 'libzte_ussd_web_process', { ussd_data: '*100#' }).ussd_flag).toBe('15');
    emu.clock.advance(5000);
    expect(ubus.data('zwrt_ussd', 'libzte_ussd_web_get_result')).toMatchObject({ ussd_flag: '16', ussd_data: expect.any(String) as string });
    expect(ubus.call('zwrt_web', 'web_language_set', { web_language: 'de' }).result).toEqual([0]);
    expect(ubus.data('zwrt_web', 'web_language_get')).toEqual({ web_language: 'de' });
    expect(ubus.data('uci', 'get', { config: 'zwrt_zte_mdm', section: 'device_info', option: 'imei' })).toEqual({ value: emu.device.state.identity.imei });
    expect(ubus.call('uci', 'get', { config: 'nosuch' }).result).toEqual([6]);
    expect(ubus.call('uci', 'get', { config: 'zwrt_nosuch' }).result).toEqual([4]);
  });

  it('zwrt_bsp.battery and charger on the MiFi follow the battery stimulus', async () => {
    await emu.close();
    emu = createTestEmulator({ profile: 'u60pro' });
    const mifi = new UbusProbe(emu);
    mifi.login();
    emu.device.power.setBattery({ percent: 40, charger: true });
    expect(mifi.data('zwrt_bsp.battery', 'list')).toMatchObject({ battery_capacity: 40, charge_status: 1 });
    expect(mifi.data('zwrt_bsp.charger', 'list')).toMatchObject({ charger_connect: 1 });
    emu.device.power.setBattery({ charger: false });
    expect(mifi.data('zwrt_bsp.battery', 'list')).toMatchObject({ charge_status: 0, battery_time_to_full: -1 });
  });
});
