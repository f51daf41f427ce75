import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { computeAd, listProfiles, loadProfile, type Emulator } from '../../../emulator/index.js';
import { GoformClient } from '../../../hil/index.js';
import { AtProbe } from '../../helpers/at.js';
import { createTestEmulator, startLoggedIn, TestClient } from '../../helpers/emulator.js';

// goform-api.md §9: what public field clients and stock web UIs rely on, replayed as they send it (exact query
// strings, bodies and cookie names), per profile.

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex').toUpperCase();
const READ = '/goform/goform_get_cmd_process';

async function rawGet(client: TestClient, query: string): Promise<Record<string, string>> {
  return JSON.parse(await (await client.raw(`${READ}?${query}`)).text()) as Record<string, string>;
}

describe('§9.1 reads', () => {
  it('LD exists only where the login uses it; a client that picks the encoding from LD logs in on every profile', async () => {
    for (const name of listProfiles('goform')) {
      emu = createTestEmulator({ profile: name });
      const client = new TestClient(emu);
      const usesLd = emu.device.profile.auth.passwordEncoding === 'sha256-ld';
      const ld = (await rawGet(client, 'isTest=false&cmd=LD')).LD!;
      expect(ld, name).toMatch(usesLd ? /^[0-9A-F]{64}$/ : /^$/);
      // The client of §9.1: SHA256(SHA256(pw) + LD) when LD is non-empty, else base64 (or SHA256(base64) on G2-1).
      const enc = emu.device.profile.auth.passwordEncoding;
      const password = ld ? sha256(sha256('admin') + ld) : enc === 'sha256-base64' ? sha256(Buffer.from('admin').toString('base64')) : Buffer.from('admin').toString('base64');
      const auth = emu.device.profile.auth;
      const result = auth.multiUser ? await client.set('LOGIN_MULTI_USER', { user: 'admin', password }, null) : await client.set('LOGIN', { password }, null);
      expect(result.result, name).toBe('0');
      await emu.close();
    }
  });

  it('LD and RD inside a multi-key read are the values that log in and sign a write', async () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const client = new TestClient(emu);
    // A browser-console script's first read, then its login with that LD.
    const first = await rawGet(client, 'isTest=false&cmd=wa_inner_version,cr_version,RD,LD&multi_data=1');
    expect(first.RD).toMatch(/^[0-9a-f]{32}$/);
    expect(first.LD).toMatch(/^[0-9A-F]{64}$/);
    expect((await client.set('LOGIN', { password: sha256(sha256('admin') + first.LD!) }, null)).result).toBe('0');
    const again = await rawGet(client, 'isTest=false&cmd=RD&multi_data=1');
    const ad = computeAd('sha256', `${first.wa_inner_version}${first.cr_version}`, again.RD!);
    expect(await client.set('SET_WEB_LANGUAGE', { Language: 'de' }, ad)).toEqual({ result: 'success' });
    expect(emu.device.state.system.language).toBe('de');
  });

  it('splits a double-encoded key list', async () => {
    emu = createTestEmulator();
    const client = new TestClient(emu);
    const answer = await rawGet(client, 'isTest=false&cmd=Language%252Ccr_version%252Cwa_inner_version&multi_data=1');
    expect(Object.keys(answer).sort()).toEqual(['Language', 'cr_version', 'wa_inner_version']);
    expect(answer.wa_inner_version).toBe(emu.device.profile.firmware.wa_inner_version);
    expect(Object.keys(await rawGet(client, 'isTest=false&cmd=Language%2ccr_version&multi_data=1')).sort()).toEqual(['Language', 'cr_version']);
  });

  it('answers GET / and /index.html with the device page', async () => {
    emu = createTestEmulator();
    const client = new TestClient(emu);
    for (const path of ['/', '/index.html']) {
      const res = await client.raw(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('MF79U');
    }
  });

  it('answers the keys older and ZXIC home pages read', async () => {
    ({ emu } = await startLoggedIn({ profile: 'mf761' }));
    const client = new TestClient(emu);
    await client.login();
    const k = await client.get(['cur_rsrq', 'detail_cell_rsrq', 'detail_cell_sinr', 'detail_cell_pci', 'ethwan_mode', 'psw_changed', 'hw_version', 'fota_updateMode', 'fota_updateIntervalDay', 'fota_allowRoamingUpdate']);
    const r = emu.device.state.radio;
    expect(k).toMatchObject({ cur_rsrq: String(r.rsrqDb), detail_cell_rsrq: String(r.rsrqDb), detail_cell_sinr: String(r.sinrDb), detail_cell_pci: String(r.pci), ethwan_mode: 'AUTO', psw_changed: '0', hw_version: 'MF761-HW1.0' });
    expect(k.fota_updateMode).not.toBe('');
    // Changing the password from the default stops the nag.
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    expect(await client.set('CHANGE_PASSWORD', { oldPassword: b64('admin'), newPassword: b64('Secret-1') })).toEqual({ result: 'success' });
    expect((await client.get(['psw_changed', 'loginfo'])).psw_changed).toBe('1');
  });

  it.each(['mf761', 'mf823', 'mu5001', 'mf79u', 'mf286d'])('answers the WAN page\'s keys on %s: cellular gateway, Ethernet WAN AUTO, no cable WAN up', async (profile) => {
    // What the WAN / operation-mode pages read (§3.10, §9.1): on a router whose WAN is cellular, ethwan_mode is the
    // cable's own mode (AUTO: not the PPPoE form) and every key answers, with or without an Ethernet port.
    ({ emu } = await startLoggedIn({ profile }));
    const client = new TestClient(emu);
    await client.login();
    const keys = ['opms_wan_mode', 'opms_wan_auto_mode', 'blc_wan_mode', 'blc_wan_auto_mode', 'ethwan_mode', 'rj45_state'];
    // A CPE starts in AUTO (cable when present), here on cellular (AUTO_PPP).
    const mode = profile === 'mf286d' ? 'AUTO' : 'PPP';
    expect(await client.get(keys)).toEqual({ opms_wan_mode: mode, opms_wan_auto_mode: 'AUTO_PPP', blc_wan_mode: mode, blc_wan_auto_mode: 'AUTO_PPP', ethwan_mode: 'AUTO', rj45_state: 'dead' });
    if (profile !== 'mf286d') return;
    // A CPE whose WAN moves to the cable: the Ethernet WAN mode follows and the cable WAN is up.
    expect(await client.set('OPERATION_MODE', { opms_wan_mode: 'DHCP' })).toEqual({ result: 'success' });
    expect(await client.get(keys)).toMatchObject({ opms_wan_mode: 'DHCP', ethwan_mode: 'DHCP', rj45_state: 'working' });
  });

  it.each(['mc801a', 'mu5001', 'mc888'])('switches bridge mode on %s with OPERATION_MODE as MC/MU scripts post it (opMode, ethernet_port_specified)', async (profile) => {
    ({ emu } = await startLoggedIn({ profile }));
    const client = new TestClient(emu);
    await client.login();
    expect(await client.set('OPERATION_MODE', { opMode: 'LTE_BRIDGE', ethernet_port_specified: '1' })).toEqual({ result: 'success' });
    expect(await client.get(['opms_wan_mode', 'ethernet_port_specified', 'loginfo'])).toMatchObject({ opms_wan_mode: 'LTE_BRIDGE', ethernet_port_specified: '1' });
    expect(await client.set('OPERATION_MODE', { opMode: 'PPP', ethernet_port_specified: '0' })).toEqual({ result: 'success' });
    expect((await client.get(['opms_wan_mode', 'loginfo'])).opms_wan_mode).toBe('PPP');
    // A mode no firmware has is refused in goform's way.
    expect(await client.set('OPERATION_MODE', { opMode: 'WARP' })).toEqual({ result: 'failure' });
  });

  it('a device without a battery answers battery_charging "0" (not charging), one with a charger plugged in "1"', async () => {
    // §3.3: the web UIs read a missing battery_charging as "0"; an empty one draws the charging icon.
    ({ emu } = await startLoggedIn({ profile: 'mf823' }));
    const stick = new TestClient(emu);
    await stick.login();
    expect(emu.device.state.battery.present).toBe(false);
    expect((await stick.get(['battery_charging', 'loginfo'])).battery_charging).toBe('0');
    await emu.close();
    ({ emu } = await startLoggedIn({ profile: 'mf79u' }));
    const mifi = new TestClient(emu);
    await mifi.login();
    emu.device.power.setBattery({ percent: 50, charger: true });
    expect((await mifi.get(['battery_charging', 'loginfo'])).battery_charging).toBe('1');
    emu.device.power.setBattery({ charger: false });
    expect((await mifi.get(['battery_charging', 'loginfo'])).battery_charging).toBe('0');
  });

  it('the older FOTA key set answers on mf79u, whose home page reads it', async () => {
    const { emu: e, client } = await startLoggedIn({ profile: 'mf79u' });
    emu = e;
    const k = await client.get(['fota_updateMode', 'fota_updateIntervalDay', 'fota_allowRoamingUpdate']);
    expect(k).toEqual({ fota_updateMode: emu.device.state.fota.autoCheck.mode, fota_updateIntervalDay: String(emu.device.state.fota.autoCheck.intervalDays), fota_allowRoamingUpdate: emu.device.state.fota.autoCheck.roamPermission });
  });

  it('queryWiFiModuleSwitch answers in the §1.2 shape and follows switchWiFiModule', async () => {
    const { emu: e, client } = await startLoggedIn({ profile: 'mc888' });
    emu = e;
    expect(await client.get('queryWiFiModuleSwitch')).toEqual({ WiFiModuleSwitch: '1' });
    expect(await client.set('switchWiFiModule', { SwitchOption: '0' })).toEqual({ result: 'success' });
    expect(await client.get('queryWiFiModuleSwitch')).toEqual({ WiFiModuleSwitch: '0' });
    expect(emu.device.state.wifi.enabled).toBe(false);
  });

  it('sms_cmd_status_info reaches a result for sms_cmd 1 and for 5 after SET_MSG_READ', async () => {
    const { emu: e, client } = await startLoggedIn();
    emu = e;
    expect(await client.get('sms_cmd_status_info', { sms_cmd: '1' })).toEqual({ sms_cmd: '1', sms_cmd_status_result: '3' });
    const r = emu.device.sms.receive({ number: '+4915100000001', text: 'hi' });
    const id = r.refused ? 0 : r.message.id;
    expect(await client.set('SET_MSG_READ', { msg_id: `${id};`, tag: '0' })).toEqual({ result: 'success' });
    expect(await client.get('sms_cmd_status_info', { sms_cmd: '5' })).toEqual({ sms_cmd: '5', sms_cmd_status_result: '3' });
  });

  it('generates the Wi-Fi QR code as a PNG from the current SSID and key', async () => {
    const { emu: e, client } = await startLoggedIn();
    emu = e;
    const png = async (): Promise<Buffer> => {
      const res = await client.raw('/img/qrcode_ssid_wifikey.png');
      expect(res.headers.get('content-type')).toBe('image/png');
      return Buffer.from(await res.arrayBuffer());
    };
    const before = await png();
    expect(before.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    emu.device.wifi.configure({ ssid: 'Another-Net' });
    expect((await png()).equals(before)).toBe(false);
  });

  it('reads also as POST bodies (MF297D clients)', async () => {
    const { emu: e, client } = await startLoggedIn({ profile: 'mf297d' });
    emu = e;
    const res = await client.raw(READ, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'isTest=false&multi_data=1&cmd=loginfo,wa_inner_version' });
    expect(JSON.parse(await res.text())).toEqual({ loginfo: 'ok', wa_inner_version: 'BD_MF297DV1.0.0B06' });
  });
});

describe('§9.2 sessions and login', () => {
  it.each(listProfiles('goform'))('%s: the SDK logs in with its generation and holds the session under its cookie name', async (name) => {
    emu = createTestEmulator({ profile: name });
    const base = await emu.listen({ port: 0 });
    const profile = loadProfile(name);
    const seen: string[] = [];
    const fetchSpy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const c = res.headers.get('set-cookie');
      if (c) seen.push(c.split('=')[0]!);
      return res;
    };
    const client = new GoformClient({ baseUrl: base, password: 'admin', fetch: fetchSpy, ...(profile.auth.multiUser ? { user: 'admin' } : {}) });
    await client.login();
    expect(seen).toEqual(profile.auth.cookie ? [profile.auth.cookie] : []);
    expect((await client.get(['loginfo', 'imei'])).loginfo).toBe('ok');
    expect(await client.set('SET_WEB_LANGUAGE', { Language: 'de' })).toEqual({ result: 'success' });
  });

  it('multi-user firmware logs in with LOGIN_MULTI_USER only, and cmd=user names the account', async () => {
    for (const name of ['mf286r', 'mf266']) {
      emu = createTestEmulator({ profile: name });
      const client = new TestClient(emu);
      const pw = await client.encodePassword('admin');
      expect((await client.set('LOGIN', { password: pw }, null)).result, name).toBe('failure');
      expect((await client.set('LOGIN_MULTI_USER', { user: 'nobody', password: await client.encodePassword('admin') }, null)).result).toBe('3');
      expect((await client.set('LOGIN_MULTI_USER', { user: 'user', password: await client.encodePassword('admin') }, null)).result).toBe('0');
      expect(await client.get(['user', 'web_current_account', 'web_username1', 'web_username2', 'loginfo'])).toEqual({ user: 'user', web_current_account: 'user', web_username1: 'admin', web_username2: 'user', loginfo: 'ok' });
      expect(client.cookies.has(emu.device.profile.auth.cookie!)).toBe(true);
      await emu.close();
    }
    emu = createTestEmulator({ profile: 'mf79u' });
    const single = new TestClient(emu);
    expect((await single.set('LOGIN_MULTI_USER', { user: 'admin', password: await single.encodePassword('admin') }, null)).result).toBe('failure');
    expect((await single.get('user')).user).toBe('');
  });

  it('DEVELOPER_OPTION_LOGIN is posted like LOGIN', async () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const client = new TestClient(emu);
    expect((await client.set('DEVELOPER_OPTION_LOGIN', { password: await client.encodePassword('admin') }, null)).result).toBe('0');
    expect((await client.get(['loginfo'])).loginfo).toBe('ok');
  });

  it('LOGOUT without the session cookie answers success and ends nobody else\'s session', async () => {
    const { emu: e, client } = await startLoggedIn();
    emu = e;
    const stranger = new TestClient(emu);
    expect(await stranger.set('LOGOUT', {}, null)).toEqual({ result: 'success' });
    expect((await client.get(['loginfo'])).loginfo).toBe('ok');
    expect(await client.set('LOGOUT')).toEqual({ result: 'success' });
    expect((await client.get(['loginfo'])).loginfo).toBe('no');
  });
});

describe('§9.3 writes', () => {
  it.each(listProfiles('goform'))('%s: writes need an AD exactly where the firmware checks one', async (name) => {
    const { emu: e, client } = await startLoggedIn({ profile: name });
    emu = e;
    const needsAd = emu.device.profile.auth.ad !== 'none';
    expect(await client.set('SET_WEB_LANGUAGE', { Language: 'fr' }, null)).toEqual({ result: 'success' }); // §1.3: never needs AD
    expect((await client.set('SET_DEVICE_LED', { night_mode_switch: '0' }, null)).result).toBe(needsAd ? 'failure' : 'success');
    expect(await client.set('SET_DEVICE_LED', { night_mode_switch: '0' })).toEqual({ result: 'success' });
  });

  it('the ZXIC UI writes without AD: SMS, Wi-Fi, update check, logout', async () => {
    const { emu: e, client } = await startLoggedIn({ profile: 'mf761' });
    emu = e;
    expect(await client.set('SEND_SMS', { Number: '+4915100000002', MessageBody: '0068', ID: '-1', encode_type: 'GSM7_default' }, null)).toEqual({ result: 'success' });
    expect(await client.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'UFI-Lab', broadcastSsidEnabled: '0', MAX_Access_num: '5', security_mode: 'WPA2PSK', cipher: '1', passphrase: Buffer.from('key-12345').toString('base64'), NoForwarding: '0' }, null)).toEqual({ result: 'success' });
    expect(await client.set('IF_UPGRADE', { select_op: 'check' }, null)).toEqual({ result: 'success' });
    expect(await client.set('LOGOUT', {}, null)).toEqual({ result: 'success' });
    expect(emu.device.state.wifi.main.ssid).toBe('UFI-Lab');
    expect(emu.device.state.sms.messages.at(-1)).toMatchObject({ number: '+4915100000002', tag: 2 });
  });

  it('cell and band locks move the radio, read back, show on AT and hold across a reboot', async () => {
    const { emu: e, client } = await startLoggedIn({ profile: 'mc888' });
    emu = e;
    const at = new AtProbe(emu);
    at.at('E0');
    const cellBefore = at.at('+ZCELLINFO?');
    expect(await client.set('LTE_LOCK_CELL_SET', { lte_pci_lock: '123', lte_earfcn_lock: '1850' })).toEqual({ result: 'success' });
    expect(await client.get(['lte_pci_lock', 'lte_earfcn_lock', 'lte_pci'])).toEqual({ lte_pci_lock: '123', lte_earfcn_lock: '1850', lte_pci: (123).toString(16) });
    expect(emu.device.state.radio).toMatchObject({ pci: 123, earfcn: 1850 });
    expect(at.at('+ZCELLINFO?')).not.toBe(cellBefore);
    expect(await client.set('BAND_SELECT', { is_gw_band: '0', gw_band_mask: '0', is_lte_band: '1', lte_band_mask: '0x4' })).toEqual({ result: 'success' });
    expect(emu.device.state.radio.band).toBe(3);
    expect(await client.set('WAN_PERFORM_NR5G_BAND_LOCK', { nr5g_band_mask: '1,3,28' })).toEqual({ result: 'success' });
    expect(emu.device.state.radio.nr?.band).toBe('n1');
    expect(await client.set('NR5G_LOCK_CELL_SET', { nr5g_cell_lock: '501,627264,78,30' })).toEqual({ result: 'success' });
    expect(await client.get(['nr5g_band_lock', 'nr5g_cell_lock', 'lte_band_lock'])).toEqual({ nr5g_band_lock: '1,3,28', nr5g_cell_lock: '501,627264,78,30', lte_band_lock: '0x4' });
    expect(emu.device.state.radio.nr).toMatchObject({ pci: 501, band: 'n78' });
    // A reboot finds the same locks applied.
    emu.device.network.handover({ pci: 7, earfcn: 100, band: 20 });
    emu.device.power.reboot();
    emu.clock.advance(31_000);
    expect(emu.device.state.radio).toMatchObject({ pci: 123, earfcn: 1850, band: 3 });
    // The reboot ended the session (§4.1); log in again to remove the lock.
    expect(await client.login()).toBe('0');
    expect(await client.set('LTE_LOCK_CELL_SET', { lte_pci_lock: '0', lte_earfcn_lock: '0' })).toEqual({ result: 'success' });
    expect(emu.device.state.network.locks.lteCell).toBeNull();
    expect((await client.get(['lte_pci_lock', 'loginfo'])).lte_pci_lock).toBe('0');
    at.close();
  });

  it('an NR lock on an LTE-only device fails and changes nothing', async () => {
    const { emu: e, client } = await startLoggedIn({ profile: 'mf79u' });
    emu = e;
    expect(await client.set('WAN_PERFORM_NR5G_BAND_LOCK', { nr5g_band_mask: '78' })).toEqual({ result: 'failure' });
    expect(await client.set('NR5G_LOCK_CELL_SET', { nr5g_cell_lock: '1,2,78,30' })).toEqual({ result: 'failure' });
    expect(emu.device.state.network.locks).toEqual({ gwBandMask: '', nrBands: [], lteCell: null, nrCell: null });
  });

  it('ALL_DELETE_SMS with a garbage which_cgi fails and deletes nothing; a valid one empties its box', async () => {
    const { emu: e, client } = await startLoggedIn();
    emu = e;
    for (let i = 0; i < 3; i++) emu.device.sms.receive({ number: `+491510000000${i}`, text: `m${i}` });
    for (const which of ['xyz', 'native', 'inbox', 'native_inbox_x', '']) expect(await client.set('ALL_DELETE_SMS', { which_cgi: which }), which).toEqual({ result: 'failure' });
    expect(emu.device.state.sms.messages).toHaveLength(3);
    expect(await client.set('ALL_DELETE_SMS', { which_cgi: 'native_inbox' })).toEqual({ result: 'success' });
    expect(emu.device.state.sms.messages).toHaveLength(0);
  });
});

describe('field clients of issue #26', () => {
  it('MF297D: a Home Assistant-style client reads cr_version as the software version and reboots without AD', async () => {
    let client: TestClient;
    ({ emu, client } = await startLoggedIn({ profile: 'mf297d', clockMode: 'paused' }));
    const v = await rawGet(client, 'isTest=false&multi_data=1&cmd=cr_version,wa_inner_version');
    expect(v.cr_version).toMatch(/^CR_MF297D/);
    // Still behind the login and the AD for every other write.
    expect(await client.set('SET_WIFI_INFO', { SSID1: 'x' }, null)).toEqual({ result: 'failure' });
    expect(await client.set('REBOOT_DEVICE', {}, null)).toEqual({ result: 'success' });
    emu.clock.advance(1000);
    expect(emu.device.power.isUp()).toBe(false);
    const anonymous = new TestClient(emu);
    emu.clock.advance(60_000);
    expect(await anonymous.set('REBOOT_DEVICE', {}, null)).toEqual({ result: 'failure' });
  });

  it('MF761: the ZXIC device-information page finds a software version in cr_version', async () => {
    emu = createTestEmulator({ profile: 'mf761' });
    const client = new TestClient(emu);
    expect((await rawGet(client, 'isTest=false&multi_data=1&cmd=cr_version,wa_version')).cr_version).not.toBe('');
  });
});

describe('MC801A/MC7010 and MU5001 classes (issue #26)', () => {
  const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
  const loginHash = (pw: string, ld: string): string => sha256(sha256(pw) + ld);

  it('MC801A: logs in with a GET to goform_set_cmd_process (LD double-SHA256), then writes with an MD5 AD', async () => {
    emu = createTestEmulator({ profile: 'mc801a', clockMode: 'paused' });
    const client = new TestClient(emu);
    const ld = (await rawGet(client, 'isTest=false&cmd=LD')).LD!;
    const res = await client.raw(`/goform/goform_set_cmd_process?isTest=false&goformId=LOGIN&password=${loginHash('admin', ld)}`);
    expect(await res.json()).toEqual({ result: '0' });
    const v = await rawGet(client, 'isTest=false&multi_data=1&cmd=wa_inner_version,cr_version');
    const rd = (await rawGet(client, 'isTest=false&cmd=RD')).RD!;
    const ad = md5(md5(v.wa_inner_version! + v.cr_version!) + rd);
    const sms = await client.set('SEND_SMS', { Number: '+4915100000004', MessageBody: '0068', ID: '-1', encode_type: 'GSM7_default' }, ad);
    expect(sms).toEqual({ result: 'success' });
    // The SDK client finds the same generation by itself.
    const base = await emu.listen({ port: 0 });
    const sdk = new GoformClient({ baseUrl: base, password: 'admin' });
    await sdk.login();
    await sdk.set('SET_BEARER_PREFERENCE', { BearerPreference: 'WL_AND_5G' });
    // Elsewhere a GET write is not a route at all.
    emu2 = createTestEmulator({ profile: 'mc888' });
    expect((await new TestClient(emu2).raw('/goform/goform_set_cmd_process?isTest=false&goformId=LOGIN&password=x')).status).toBe(404);
  });

  it('MC801A: switches the ARP proxy as the MC/MU scripts post it (arp_proxy_switch 1|0 with an MD5 AD)', async () => {
    emu = createTestEmulator({ profile: 'mc801a', clockMode: 'paused' });
    const client = new TestClient(emu);
    const ld = (await rawGet(client, 'isTest=false&cmd=LD')).LD!;
    expect(await (await client.raw(`/goform/goform_set_cmd_process?isTest=false&goformId=LOGIN&password=${loginHash('admin', ld)}`)).json()).toEqual({ result: '0' });
    const ad = async (): Promise<string> => {
      const v = await rawGet(client, 'isTest=false&multi_data=1&cmd=wa_inner_version,cr_version,RD');
      return md5(md5(v.wa_inner_version! + v.cr_version!) + v.RD!);
    };
    expect(await client.set('ARP_PROXY_SWITCH', { arp_proxy_switch: '1' }, await ad())).toEqual({ result: 'success' });
    expect(emu.device.state.wan.arpProxy).toBe(true);
    // A value the switch does not have, or a stale AD, is refused and changes nothing.
    expect(await client.set('ARP_PROXY_SWITCH', { arp_proxy_switch: 'on' }, await ad())).toEqual({ result: 'failure' });
    expect(await client.set('ARP_PROXY_SWITCH', { arp_proxy_switch: '0' }, md5('stale'))).toEqual({ result: 'failure' });
    expect(emu.device.state.wan.arpProxy).toBe(true);
    expect(await client.set('ARP_PROXY_SWITCH', { arp_proxy_switch: '0' }, await ad())).toEqual({ result: 'success' });
    expect(emu.device.state.wan.arpProxy).toBe(false);
  });

  it('MU5001: sets the session cookie bare, so a client that strips only one quote still sends it right; locks an NR band with an MD5 AD', async () => {
    emu = createTestEmulator({ profile: 'mu5001', clockMode: 'paused' });
    const base = await emu.listen({ port: 0 });
    const ld = ((await (await fetch(`${base}/goform/goform_get_cmd_process?isTest=false&cmd=LD`, { headers: { Referer: `${base}/` } })).json()) as { LD: string }).LD;
    const login = await fetch(`${base}/goform/goform_set_cmd_process`, { method: 'POST', headers: { Referer: `${base}/`, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `isTest=false&goformId=LOGIN&password=${loginHash('admin', ld)}` });
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^stok=[0-9a-f]+; /);
    // The library's handling: drop a leading quote only.
    const cookie = setCookie.split(';')[0]!.replace('="', '=');
    const read = await fetch(`${base}/goform/goform_get_cmd_process?isTest=false&multi_data=1&cmd=loginfo,imei`, { headers: { Referer: `${base}/`, Cookie: cookie } });
    expect(await read.json()).toEqual({ loginfo: 'ok', imei: emu.device.state.identity.imei });
    const sdk = new GoformClient({ baseUrl: base, password: 'admin' });
    await sdk.login();
    await sdk.set('WAN_PERFORM_NR5G_BAND_LOCK', { nr5g_band_mask: '78' });
    expect(emu.journal.query({ surface: 'goform', name: 'WAN_PERFORM_NR5G_BAND_LOCK' }).map((e) => e.response)).toEqual(['result=success']);
  });
});

let emu2: Emulator | undefined;
afterEach(async () => {
  await emu2?.close();
  emu2 = undefined;
});

describe('legacy sticks (issue #26)', () => {
  it('MF823: a PHP client lists and deletes SMS without logging in (msg_id without ";"); other writes still need the login', async () => {
    emu = createTestEmulator({ profile: 'mf823', clockMode: 'paused' });
    emu.device.sms.receive({ number: '+4915100000007', text: 'stick one' });
    emu.device.sms.receive({ number: '+4915100000007', text: 'stick two' });
    const php = new TestClient(emu);
    const list = (await rawGet(php, 'isTest=false&cmd=sms_data_total&page=0&data_per_page=50&mem_store=1&tags=10&order_by=order+by+id+desc')) as unknown as { messages: { id: string }[] };
    expect(list.messages).toHaveLength(2);
    const res = await php.raw('/goform/goform_set_cmd_process', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `isTest=false&goformId=DELETE_SMS&msg_id=${list.messages[0]!.id}&notCallback=true` });
    expect(await res.json()).toEqual({ result: 'success' });
    expect(emu.device.state.sms.messages).toHaveLength(1);
    expect(await php.set('SET_WIFI_INFO', { SSID1: 'x' }, null)).toEqual({ result: 'failure' });
    expect((await rawGet(php, 'isTest=false&cmd=imsi')).imsi).toBe('');
  });
});
