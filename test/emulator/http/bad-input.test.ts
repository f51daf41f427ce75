import { afterEach, describe, expect, it } from 'vitest';
import { encodeUcs2Hex, type Emulator } from '../../../emulator/index.js';
import { createTestEmulator, TestClient } from '../../helpers/emulator.js';

// Bad input answers the firmware's failure shape, never a stack trace or a crash, and leaves state unchanged.

describe('bad input on goform_set_cmd_process', () => {
  let emu: Emulator;
  let client: TestClient;
  afterEach(async () => {
    await emu.close();
  });

  const cases: [string, string, Record<string, string>][] = [
    ['unknown goformId', 'NO_SUCH_THING', {}],
    ['empty goformId', '', {}],
    ['missing field', 'SEND_SMS', { Number: '+1' }],
    ['bad hex body', 'SEND_SMS', { Number: '+1', MessageBody: 'ZZZZ' }],
    ['odd hex length', 'SEND_SMS', { Number: '+1', MessageBody: '006' }],
    ['bad phone number', 'SEND_SMS', { Number: 'call me', MessageBody: encodeUcs2Hex('x') }],
    ['wrong type', 'SET_WIFI_INFO', { wifiEnabled: 'yes' }],
    ['out of range', 'SET_WIFI_SSID1_SETTINGS', { ssid: 'x', security_mode: 'OPEN', MAX_Access_num: '99' }],
    ['bad enum', 'SET_CONNECTION_MODE', { ConnectionMode: 'sometimes' }],
    ['bad base64', 'SET_WIFI_SSID1_SETTINGS', { ssid: 'x', security_mode: 'WPA2PSK', passphrase: '%%%' }],
    ['bad id list', 'DELETE_SMS', { msg_id: 'a;b;' }],
    ['bad APN index', 'APN_PROC_EX', { apn_action: 'save', index: '20', pdp_type: 'IP', profile_name: 'x', wan_apn: 'y' }],
    ['bad IP', 'WAN_GATEWAYMODE_STATIC', { static_wan_ipaddr: '300.1.1.1', static_wan_netmask: '255.255.255.0', static_wan_gateway: '1.1.1.1', static_wan_primary_dns: '1.1.1.1' }],
    ['bad MAC', 'EDIT_HOSTNAME', { mac: 'nope', hostname: 'x' }],
    ['bad time', 'SET_DEVICE_LED', { night_mode_switch: '1', night_mode_start_time: '7pm', night_mode_end_time: '07:00' }],
  ];

  it.each(cases)('%s answers {"result":"failure"} and changes nothing', async (_name, goformId, fields) => {
    // Unknown and empty goformIds are among the cases on purpose: the firmware's answer is the point.
    emu = createTestEmulator({ onUnhandled: 'silent' });
    client = new TestClient(emu);
    await client.login();
    const before = JSON.stringify(emu.device.state);
    const res = await client.set(goformId, fields);
    expect(res).toEqual({ result: 'failure' });
    expect(JSON.stringify(emu.device.state)).toBe(before);
  });

  it('refuses an oversized body with failure and keeps serving', async () => {
    emu = createTestEmulator();
    client = new TestClient(emu);
    await client.login();
    const res = await client.raw('/goform/goform_set_cmd_process', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `goformId=SEND_SMS&Number=1&MessageBody=${'0041'.repeat(40_000)}`,
    });
    expect(await res.text()).toBe('{"result":"failure"}');
    expect(emu.device.state.sms.messages).toHaveLength(0);
    expect((await client.get(['loginfo'])).loginfo).toBe('ok');
  });

  it('answers a malformed form body and a body of binary junk without crashing', async () => {
    emu = createTestEmulator({ onUnhandled: 'silent' });
    client = new TestClient(emu);
    for (const body of ['%%%=%%%&&&', new Uint8Array([0, 255, 1, 254, 61, 38])]) {
      const res = await client.raw('/goform/goform_set_cmd_process', { method: 'POST', body });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{"result":"failure"}');
    }
  });

  it('answers unknown paths with 404 and no stack trace', async () => {
    emu = createTestEmulator({ onUnhandled: 'silent' });
    const res = await new TestClient(emu).raw('/goform/nothing_here');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toMatch(/at .*\.ts/);
  });

  it('reports an unimplemented goformId to the onUnhandled policy once per call', async () => {
    const seen: string[] = [];
    emu = createTestEmulator({ onUnhandled: (what) => seen.push(what) });
    client = new TestClient(emu);
    await client.login();
    await client.set('VXLAN_SET', {});
    expect(seen).toEqual(['goformId=VXLAN_SET']);
  });
});
