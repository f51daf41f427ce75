import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator, takeUnhandled } from '../../helpers/emulator.js';
import { UbusProbe, ZERO_SID, loginHash, sha256Upper } from '../../helpers/ubus.js';

// The ZWRT surface as clients send to it (ubus-api.md §2-§5): sessions, ACL, lockout, expiry, encryption, HTTP.

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

describe('ubus sessions and login (§4)', () => {
  it('hashes the password as the worked vector of §4.3 and logs in with it', () => {
    expect(sha256Upper('ZTEPASSWORD')).toBe('D2989352E891805206B7DD0072EE7718EF00403FFE563998880E60B082392728');
    expect(loginHash('ZTEPASSWORD', 'D537DFE05F21D78962E8996209E6ECA2CCCC7BE985DC55FC47F5EC38F460EBA6')).toBe('3A45B80A45E9F192B12F4D3D63767643E520CB60A90B3DD5C2CB4C2FE5A06843');
    emu = createTestEmulator({ profile: 'g5ts', password: 'ZTEPASSWORD' });
    const probe = new UbusProbe(emu);
    const info = probe.call('zwrt_web', 'web_login_info', {}, ZERO_SID);
    expect(info).toMatchObject({ jsonrpc: '2.0', id: 1, result: [0, { login_fail_num: 5, login_fail_lock_lefttime: 0 }] });
    expect(info.result![1]!.zte_web_sault).toMatch(/^[0-9A-F]{64}$/);
    const answer = probe.login('ZTEPASSWORD');
    expect(answer.result).toEqual([0, { result: 0, ubus_rpc_session: expect.stringMatching(/^[0-9a-f]{32}$/) as string, timeout: 300 }]);
    expect(probe.data('zwrt_wlan', 'report').main2g_ssid).toBe(emu.device.state.wifi.main.ssid);
  });

  it('counts wrong passwords down, locks for 300 virtual seconds after the fifth, then lets the right one in', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const probe = new UbusProbe(emu);
    for (let left = 4; left >= 1; left--) {
      expect(probe.login('wrong').result![1]).toMatchObject({ result: 1, login_fail_num: left });
      expect(probe.call('zwrt_web', 'web_login_info', {}, ZERO_SID).result![1]).toMatchObject({ login_fail_num: left, login_fail_lock_lefttime: 0 });
    }
    expect(probe.login('wrong').result![1]).toMatchObject({ result: 2, login_fail_lock_lefttime: 300 });
    // §4.5: while locked, attempts show 0 (D and E do not try) and the right password is refused too.
    expect(probe.call('zwrt_web', 'web_login_info', {}, ZERO_SID).result![1]).toMatchObject({ login_fail_num: 0, login_fail_lock_lefttime: 300 });
    expect(probe.login('admin').result![1]).toMatchObject({ result: 2 });
    emu.clock.advance(120_000);
    expect(probe.call('zwrt_web', 'web_login_info', {}, ZERO_SID).result![1]).toMatchObject({ login_fail_lock_lefttime: 180 });
    emu.clock.advance(181_000);
    expect(probe.login('admin').result![1]).toMatchObject({ result: 0 });
    expect(probe.call('zwrt_web', 'web_login_info', {}, ZERO_SID).result![1]).toMatchObject({ login_fail_num: 5 });
  });

  it('expires a session after 300 idle virtual seconds with -32002 on every element, and renews it on use', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const probe = new UbusProbe(emu);
    probe.login();
    emu.clock.advance(299_000);
    expect(probe.call('zwrt_data', 'get_wwaniface', { source_module: 'web', cid: 1 }).result?.[0]).toBe(0);
    emu.clock.advance(299_000);
    expect(probe.call('zwrt_data', 'get_wwaniface', { source_module: 'web', cid: 1 }).result?.[0]).toBe(0);
    emu.clock.advance(300_000);
    const batch = probe.batch([['zwrt_data', 'get_wwaniface'], ['zwrt_router.api', 'router_get_status']]);
    expect(batch.map((a) => a.error)).toEqual([{ code: -32002, message: 'Access denied' }, { code: -32002, message: 'Access denied' }]);
  });

  it('renews only on Z-Mode: 1 calls where the firmware does that (refresh z-mode)', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    emu.device.reset({ profile: { ...emu.device.profile, ubus: { ...emu.device.profile.ubus, refresh: 'z-mode' } } });
    const poll = new UbusProbe(emu, { zMode: '0' });
    poll.login();
    emu.clock.advance(200_000);
    expect(poll.call('zwrt_wlan', 'report').result?.[0]).toBe(0);
    emu.clock.advance(101_000);
    // The 1-second poll with Z-Mode: 0 did not keep the session alive (§4.6).
    expect(poll.call('zwrt_wlan', 'report').error?.code).toBe(-32002);
    const user = new UbusProbe(emu, { zMode: '1' });
    user.login();
    emu.clock.advance(200_000);
    expect(user.call('zwrt_wlan', 'report').result?.[0]).toBe(0);
    emu.clock.advance(200_000);
    expect(user.call('zwrt_wlan', 'report').result?.[0]).toBe(0);
  });

  it('lets a second login take the session over (takeover), or refuses it with result 3 (refuse)', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const first = new UbusProbe(emu);
    const second = new UbusProbe(emu);
    first.login();
    second.login();
    expect(first.call('zwrt_wlan', 'report').error?.code).toBe(-32002);
    expect(second.call('zwrt_wlan', 'report').result?.[0]).toBe(0);
    emu.device.reset({ profile: { ...emu.device.profile, ubus: { ...emu.device.profile.ubus, sessionPolicy: 'refuse' } } });
    const a = new UbusProbe(emu);
    const b = new UbusProbe(emu);
    expect(a.login().result![1]).toMatchObject({ result: 0 });
    expect(b.login().result![1]).toEqual({ result: 3 });
    expect(a.call('zwrt_wlan', 'report').result?.[0]).toBe(0);
  });

  it('ends the session on web_logout', () => {
    emu = createTestEmulator({ profile: 'u60pro' });
    const probe = new UbusProbe(emu);
    probe.login();
    expect(probe.call('zwrt_web', 'web_logout').result).toEqual([0]);
    expect(probe.call('zwrt_wlan', 'report', {}).error?.code).toBe(-32002);
  });

  it('changes the password with the old one hashed, and ends every session', () => {
    emu = createTestEmulator({ profile: 'u60pro' });
    const probe = new UbusProbe(emu);
    probe.login();
    expect(probe.data('zwrt_web', 'web_change_password', { password_old: sha256Upper('nope'), password_new: 'n3wPass' })).toEqual({ result: 1 });
    expect(probe.data('zwrt_web', 'web_change_password', { password_old: sha256Upper('admin'), password_new: 'n3wPass' })).toEqual({ result: 0 });
    expect(probe.call('zwrt_wlan', 'report').error?.code).toBe(-32002);
    expect(new UbusProbe(emu).login('admin').result![1]).toMatchObject({ result: 1 });
    expect(new UbusProbe(emu).login('n3wPass').result![1]).toMatchObject({ result: 0 });
  });
});

describe('ubus access and errors (§3.4, §4.9)', () => {
  it('answers the anonymous set of each profile and -32002 for the rest', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const g5 = new UbusProbe(emu);
    const answers = g5.batch([['zte_nwinfo_api', 'nwinfo_get_netinfo'], ['zwrt_wlan', 'report'], ['zwrt_router.api', 'router_get_status_no_auth'], ['zwrt_router.api', 'router_get_status'], ['zwrt_data', 'get_wwandst', { source_module: 'web', cid: 1, type: 4 }]]);
    expect(answers.map((a) => a.result?.[0] ?? a.error?.code)).toEqual([0, 0, 0, -32002, -32002]);
  });

  it('gives MC7510 no anonymous reads but the login pair (P7510)', async () => {
    emu = createTestEmulator({ profile: 'mc7510' });
    const probe = new UbusProbe(emu);
    expect(probe.call('zte_nwinfo_api', 'nwinfo_get_netinfo').error?.code).toBe(-32002);
    expect(probe.call('zwrt_web', 'web_login_info').result?.[0]).toBe(0);
    expect(probe.login().result![1]).toMatchObject({ result: 0, timeout: 600 });
    await emu.close();
    emu = createTestEmulator({ profile: 'u60pro' });
    const mu = new UbusProbe(emu);
    // MU5250 ACL: anonymous uci read of zwrt_common_info only.
    expect(mu.call('uci', 'get', { config: 'zwrt_common_info', section: 'common_config' }).result?.[1]).toMatchObject({ values: { '.type': 'common_config', model_name: 'MU5250' } });
    expect(mu.call('uci', 'get', { config: 'network', section: 'lan' }).result).toEqual([6]);
  });

  it('checks in uhttpd order: unknown object (-32000) before the session, then access, then ubus_rpc_session in args', () => {
    emu = createTestEmulator({ profile: 'g5ts', onUnhandled: 'silent' });
    const probe = new UbusProbe(emu);
    const stale = 'ffffffffffffffffffffffffffffffff';
    expect(probe.call('zwrt_router.firewall', 'get', {}, stale).error).toEqual({ code: -32000, message: 'Object not found' });
    expect(probe.call('zwrt_wlan', 'report', {}, stale).error?.code).toBe(-32002);
    probe.login();
    expect(probe.call('zwrt_wlan', 'no_such_method').error?.code).toBe(-32002);
    expect(probe.call('zwrt_wlan', 'report', { ubus_rpc_session: probe.sid }).error).toEqual({ code: -32602, message: 'Invalid parameters' });
    // A battery object on a CPE, a USSD object on firmware without one: not found.
    expect(probe.call('zwrt_bsp.battery', 'list').error?.code).toBe(-32000);
    expect(probe.call('zwrt_ussd', 'libzte_ussd_web_process', { ussd_data: '*100#' }).error?.code).toBe(-32000);
  });

  it('answers what no firmware sends for an unimplemented call under the error policy, and names it', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const probe = new UbusProbe(emu);
    probe.login();
    expect(probe.call('zwrt_nosuch', 'x').error).toEqual({ code: -32603, message: "[emulator:ubus] not implemented (onUnhandled 'error')" });
    expect(probe.call('zwrt_wlan', 'no_such_method').error?.code).toBe(-32603);
    expect(takeUnhandled()).toEqual(['ubus: object zwrt_nosuch', 'ubus: zwrt_wlan.no_such_method']);
  });

  it('answers a batch in order with ids echoed, a failing element on its own, and a single object as an object', () => {
    emu = createTestEmulator({ profile: 'g5ts', onUnhandled: 'silent' });
    const probe = new UbusProbe(emu);
    const text = probe.raw(JSON.stringify([
      { jsonrpc: '2.0', id: 'a', method: 'call', params: [ZERO_SID, 'zwrt_web', 'web_login_info', {}] },
      { jsonrpc: '2.0', id: 0, method: 'call', params: [ZERO_SID, 'nope', 'x', {}] },
      { jsonrpc: '2.0', method: 'call', params: [ZERO_SID, 'zwrt_wlan', 'report', {}] },
      { jsonrpc: '2.0', id: 9, method: 'call', params: [ZERO_SID, 'zwrt_wlan', 'report'] },
    ]));
    const answers = JSON.parse(text) as { id: unknown; result?: unknown[]; error?: { code: number } }[];
    expect(answers.map((a) => a.id)).toEqual(['a', 0, null, 9]);
    expect(answers.map((a) => a.result?.[0] ?? a.error?.code)).toEqual([0, -32000, 0, -32700]);
    expect(text).not.toMatch(/": |, /);
    const single = probe.raw(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'call', params: [ZERO_SID, 'zwrt_web', 'web_login_info', {}] }));
    expect(single.startsWith('{"jsonrpc":"2.0","id":5,"result":[0,{')).toBe(true);
    expect(probe.raw('[]')).toBe('[]');
    expect(probe.raw('not json')).toBe('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
  });

  it('answers numbers or numeric strings by the profile switch (§6.22)', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    emu.device.reset({ profile: { ...emu.device.profile, ubus: { ...emu.device.profile.ubus, numbers: false } } });
    const probe = new UbusProbe(emu);
    expect(probe.call('zwrt_web', 'web_login_info').result![1]).toMatchObject({ login_fail_num: '5', login_fail_lock_lefttime: '0' });
    expect(probe.login().result![1]).toMatchObject({ result: '0', timeout: '300' });
  });
});

describe('the status batch replayed from a template', () => {
  it('answers a repeated batch with new ids exactly as the full path does, until the state, the second or the session changes', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const probe = new UbusProbe(emu);
    probe.login();
    const batch = (id: number): string => JSON.stringify([['zwrt_router.api', 'router_get_status'], ['zte_nwinfo_api', 'nwinfo_get_netinfo'], ['zwrt_wlan', 'report']].map(([o, m], i) => ({ jsonrpc: '2.0', id: id + i, method: 'call', params: [probe.sid, o, m, {}] })));
    type Answers = { result: [number, Record<string, unknown>]; error: { code: number } }[];
    const parse = (text: string): Answers => JSON.parse(text) as Answers;
    const first = probe.raw(batch(1));
    const again = probe.raw(batch(100));
    expect(again).toBe(first.replace('"id":1,', '"id":100,').replace('"id":2,', '"id":101,').replace('"id":3,', '"id":102,'));
    expect(emu.journal.query({ surface: 'ubus', name: 'zte_nwinfo_api.nwinfo_get_netinfo' })).toHaveLength(2);
    emu.device.network.setSignal({ rsrpDbm: -118 });
    expect(parse(probe.raw(batch(200)))[1]!.result[1].lte_rsrp).toBe(-118);
    emu.device.wifi.configure({ enabled: false });
    expect(parse(probe.raw(batch(300)))[2]!.result[1].wifi_onoff).toBe('0');
    probe.call('zwrt_web', 'web_logout');
    expect(parse(probe.raw(batch(400)))[0]!.error.code).toBe(-32002);
  });
});

describe('field encryption (§5)', () => {
  it('takes a session key over RSA and then answers and accepts fields under AES-256-GCM', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const probe = new UbusProbe(emu);
    probe.login();
    // Before the key exchange the firmware's behaviour is unknown (§8.6); the emulator answers in clear.
    expect(probe.data('zwrt_zte_mdm.api', 'get_sim_info').sim_imsi).toBe(emu.device.state.identity.imsi);
    expect(probe.keyExchange().result).toEqual([0]);
    const sim = probe.data('zwrt_zte_mdm.api', 'get_sim_info');
    expect(sim.sim_imsi).not.toBe(emu.device.state.identity.imsi);
    expect(probe.dec(sim.sim_imsi as string)).toBe(emu.device.state.identity.imsi);
    expect(probe.dec(sim.msisdn as string)).toBe(emu.device.state.identity.msisdn);
    // Wi-Fi key: ENC(base64(passphrase)) both ways.
    const key = (probe.data('zwrt_wlan', 'wlan_get_key').wlan_keys as { section_name: string; key_encode: string }[])[0]!;
    expect(Buffer.from(probe.dec(key.key_encode), 'base64').toString()).toBe(emu.device.state.wifi.main.password);
    expect(probe.call('zwrt_wlan', 'set', { main_2g: { ssid: 'Encrypted', encryption: 'psk2+ccmp', key: probe.enc(Buffer.from('n3w-secret!').toString('base64')) } }).result).toEqual([0]);
    expect(emu.device.state.wifi.main).toMatchObject({ ssid: 'Encrypted', password: 'n3w-secret!' });
  });

  it('refuses a web_enstr that does not decrypt, and keeps the device key the same for the same seed', async () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const probe = new UbusProbe(emu);
    probe.login();
    expect(probe.call('zwrt_web', 'web_http_enstr_set', { web_enstr: Buffer.from('garbage').toString('base64') }).result).toEqual([2]);
    const pem = probe.data('zwrt_web', 'web_crt_get').result as string;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----MII[A-Za-z0-9+/=]+-----END PUBLIC KEY-----$/);
    await emu.close();
    emu = createTestEmulator({ profile: 'g5ts' });
    const again = new UbusProbe(emu);
    again.login();
    expect(again.data('zwrt_web', 'web_crt_get').result).toBe(pem);
  });

  it('refuses plaintext SMS fields with [2] on strict firmware and takes them encrypted (§5.4 MU5250 B27)', () => {
    emu = createTestEmulator({ profile: 'u60pro' });
    emu.device.reset({ profile: { ...emu.device.profile, ubus: { ...emu.device.profile.ubus, encryption: 'strict' } } });
    const probe = new UbusProbe(emu);
    probe.login();
    probe.keyExchange();
    const send = { sms_time: '26;01;01;00;00;05;+0', id: '-1', encode_type: 'GSM7_default' };
    const before = emu.device.state.sms.messages.length;
    expect(probe.call('zwrt_wms', 'zte_libwms_send_sms', { ...send, number: '+4915100000001', message_body: '00480069' }).result).toEqual([2]);
    expect(emu.device.state.sms.messages.length).toBe(before);
    expect(probe.call('zwrt_wms', 'zte_libwms_send_sms', { ...send, number: probe.enc('+4915100000001'), message_body: probe.enc('00480069') }).result).toEqual([0]);
    emu.clock.advance(5000);
    expect(emu.device.state.sms.messages.at(-1)).toMatchObject({ number: '+4915100000001', text: 'Hi', tag: 2 });
  });
});

describe('ubus over HTTP (§2)', () => {
  it('serves POST /ubus and /ubus/ whatever the Content-Type and query, answers 404 on goform, and follows uhttpd for other methods', async () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const url = await emu.listen({ port: 0 });
    const body = JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'call', params: [ZERO_SID, 'zwrt_web', 'web_login_info', {}] }]);
    for (const [path, type] of [['/ubus/?t=1767225600000', 'application/json'], ['/ubus', 'application/json;charset=UTF-8'], ['/ubus/?t=1&t=2', 'text/plain;charset=UTF-8'], ['/ubus/', '']] as const) {
      const res = await fetch(url + path, { method: 'POST', headers: { Referer: `${url}/`, ...(type ? { 'Content-Type': type } : {}) }, body });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('set-cookie')).toMatch(/^webtoken=[0-9a-f]{32}; path=\//);
      expect((await res.json()) as unknown[]).toMatchObject([{ id: 1, result: [0, { login_fail_num: 5 }] }]);
    }
    const noReferer = await fetch(`${url}/ubus/`, { method: 'POST', body, redirect: 'manual' });
    expect(noReferer.status).toBe(307);
    const goform = await fetch(`${url}/goform/goform_get_cmd_process?isTest=false&cmd=LD`);
    expect([goform.status, await goform.text()]).toEqual([404, '<h1>Not Found</h1>']);
    expect((await fetch(`${url}/ubus/`)).status).toBe(404);
    const options = await fetch(`${url}/ubus/`, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('content-length')]).toEqual([200, '0']);
    expect((await fetch(`${url}/ubus/`, { method: 'PUT', body: '{}' })).status).toBe(400);
    const huge = await fetch(`${url}/ubus/`, { method: 'POST', headers: { Referer: `${url}/` }, body: `[${'1,'.repeat(40_000)}1]` });
    expect(await huge.text()).toBe('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
    expect((await fetch(`${url}/`)).status).toBe(200);
  });

  it('suffers the device port faults of the control API in its own language', async () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const url = await emu.listen({ port: 0 });
    const post = (): Promise<Response> => fetch(`${url}/ubus/`, { method: 'POST', headers: { Referer: `${url}/` }, body: JSON.stringify([1, 2].map((id) => ({ jsonrpc: '2.0', id, method: 'call', params: [ZERO_SID, 'zwrt_web', 'web_login_info', {}] }))) });
    emu.faults.goform = { ...emu.faults.goform, errorRate: 1, errorKind: 'failure' };
    expect(await (await post()).json()).toEqual([{ jsonrpc: '2.0', id: 1, result: [9] }, { jsonrpc: '2.0', id: 2, result: [9] }]);
    emu.faults.goform = { ...emu.faults.goform, errorKind: 'empty' };
    expect(await (await post()).json()).toEqual([{ jsonrpc: '2.0', id: 1, result: [0] }, { jsonrpc: '2.0', id: 2, result: [0] }]);
    emu.faults.goform = { ...emu.faults.goform, errorKind: 'http500' };
    expect((await post()).status).toBe(500);
    emu.faults.goform = { ...emu.faults.goform, errorRate: 0, dropRate: 1 };
    await expect(post()).rejects.toThrow();
    emu.faults.reset();
    expect(((await (await post()).json()) as { result: [number] }[])[0]!.result[0]).toBe(0);
  });

  it('journals every call as object.method with secrets masked', () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const probe = new UbusProbe(emu);
    probe.login();
    probe.call('zwrt_wlan', 'set', { main_2g: { ssid: 'Journal', key: Buffer.from('abcdefgh1').toString('base64') } });
    const entries = emu.journal.query({ surface: 'ubus' });
    expect(entries.map((e) => e.name)).toEqual(['zwrt_web.web_login_info', 'zwrt_web.web_login', 'zwrt_wlan.set']);
    expect(entries[1]!.params).toEqual({ password: '***' });
    expect(entries[2]!.params).toEqual({ 'main_2g.ssid': 'Journal', 'main_2g.key': '***' });
    expect(entries[2]!.response).toBe('[0]');
  });

  it('drops the connection while the device reboots after device_reboot answered [0]', async () => {
    emu = createTestEmulator({ profile: 'g5ts' });
    const url = await emu.listen({ port: 0 });
    const probe = new UbusProbe(emu);
    probe.login();
    expect(probe.call('zwrt_mc.device.manager', 'device_reboot', { moduleName: 'web' }).result).toEqual([0]);
    await expect(fetch(`${url}/ubus/`, { method: 'POST', headers: { Referer: `${url}/` }, body: '[]' })).rejects.toThrow();
    emu.clock.advance(31_000);
    expect(probe.call('zwrt_wlan', 'report').error?.code).toBe(-32002);
    expect(new UbusProbe(emu).login().result![1]).toMatchObject({ result: 0 });
  });
});
