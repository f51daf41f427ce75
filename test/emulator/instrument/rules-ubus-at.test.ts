import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { AtProbe } from '../../helpers/at.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { UbusProbe } from '../../helpers/ubus.js';

// Rules on the ubus and AT surfaces, in each surface's own language (instrument/rules.ts).

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});
const rule = (spec: Parameters<Emulator['faults']['rules']['add']>[0]): string => emu.faults.rules.add(spec).id;

describe('rules on ubus', () => {
  it('denies one call of the stock status batch with -32002 and answers the others; the journal names the rule', () => {
    emu = createTestEmulator({ profile: 'g5ts', clockMode: 'paused' });
    const probe = new UbusProbe(emu);
    probe.login();
    const id = rule({ surface: 'ubus', match: { name: 'zwrt_router.api.router_get_status' }, action: { kind: 'error' }, times: 1 });
    const calls: [string, string, Record<string, unknown>][] = [['zte_nwinfo_api', 'nwinfo_get_netinfo', {}], ['zwrt_router.api', 'router_get_status', {}], ['zwrt_data', 'get_wwandst', { source_module: 'web', cid: 1, type: 4 }]];
    const first = probe.batch(calls);
    expect(first[0]!.result?.[0]).toBe(0);
    expect(first[1]).toMatchObject({ error: { code: -32002 } });
    expect(first[1]!.result).toBeUndefined();
    expect(first[2]!.result?.[0]).toBe(0);
    // Spent: the next batch is whole again.
    expect(probe.batch(calls).every((a) => a.result?.[0] === 0)).toBe(true);
    const journaled = emu.journal.query({ surface: 'ubus', name: 'zwrt_router.api.router_get_status' });
    expect(journaled.map((e) => e.response)).toEqual([`error -32002 (rule ${id}: error)`, '[0]']);
  });

  it('answers a status code, an override result, or the real data with fields changed', () => {
    emu = createTestEmulator({ profile: 'g5ts', clockMode: 'paused' });
    const probe = new UbusProbe(emu);
    probe.login();
    rule({ surface: 'ubus', match: { name: 'zwrt_wlan.report' }, action: { kind: 'error', code: 4 }, times: 1 });
    expect(probe.call('zwrt_wlan', 'report').result).toEqual([4]);
    rule({ surface: 'ubus', match: { name: 'zwrt_wlan.report' }, action: { kind: 'patch', fields: { main2g_ssid: 'Patched' } }, times: 1 });
    const patched = probe.data('zwrt_wlan', 'report');
    expect(patched.main2g_ssid).toBe('Patched');
    expect(Object.keys(patched).length).toBeGreaterThan(3);
    rule({ surface: 'ubus', match: { name: 'zwrt_wlan.report' }, action: { kind: 'answer', body: [0, { main2g_ssid: 'Only' }] }, times: 1 });
    expect(probe.call('zwrt_wlan', 'report').result).toEqual([0, { main2g_ssid: 'Only' }]);
    // Parameters are matched one level flattened.
    rule({ surface: 'ubus', match: { name: 'zwrt_data.get_wwandst', params: { type: { pattern: '^4$' } } }, action: { kind: 'error', code: 2 } });
    expect(probe.call('zwrt_data', 'get_wwandst', { source_module: 'web', cid: 1, type: 4 }).result).toEqual([2]);
    expect(probe.call('zwrt_data', 'get_wwandst', { source_module: 'web', cid: 1, type: 2 }).result?.[0]).toBe(0);
  });
});

describe('rules on AT', () => {
  const start = (): AtProbe => {
    emu = createTestEmulator({ clockMode: 'paused' });
    const at = new AtProbe(emu);
    at.at('E0;+CMEE=1;+CMGF=1');
    return at;
  };

  it('leaves one AT+CMGS without a final result: the prompt opens, the body is taken, the SMS is not sent', () => {
    const at = start();
    const id = rule({ surface: 'at', match: { name: 'AT+CMGS' }, action: { kind: 'hang' }, times: 1 });
    expect(at.send('AT+CMGS="+4915100000001"\r')).toBe('\r\n> ');
    expect(at.send('lost\x1a')).toBe('');
    expect(at.at('+CSQ')).toMatch(/\+CSQ: \d+,\d+\r\n\r\nOK\r\n$/); // the line works again
    at.send('AT+CMGS="+4915100000002"\r');
    expect(at.send('delivered\x1a')).toMatch(/\+CMGS: \d+\r\n\r\nOK/);
    expect(emu.device.state.sms.messages.filter((m) => m.tag === 2).map((m) => m.number)).toEqual(['+4915100000002']);
    expect(emu.journal.query({ surface: 'at', name: { pattern: '^AT\\+CMGS' } }).map((e) => e.response)).toEqual([`(no answer) (rule ${id}: hang)`, 'OK']);
  });

  it('answers ERROR or +CME ERROR, a scripted answer, and garbage before the real one', () => {
    const at = start();
    rule({ surface: 'at', match: { name: '+CSQ', params: { syntax: 'exec' } }, action: { kind: 'error', code: 30 }, times: 1 });
    expect(at.at('+CSQ')).toBe('\r\n+CME ERROR: 30\r\n');
    rule({ surface: 'at', match: { name: '+CSQ' }, action: { kind: 'answer', body: ['+CSQ: 99,99', 'OK'] }, times: 1 });
    expect(at.at('+CSQ')).toBe('\r\n+CSQ: 99,99\r\n\r\nOK\r\n');
    rule({ surface: 'at', match: { name: '+COPS', params: { syntax: 'read' } }, action: { kind: 'error' }, times: 1 });
    expect(at.at('+COPS?')).toBe('\r\nERROR\r\n');
    rule({ surface: 'at', match: { name: '+CGMI' }, action: { kind: 'garbage' }, times: 1 });
    expect(at.at('+CGMI')).toMatch(/^\r\n.+\r\n\r\nZTE CORPORATION\r\n\r\nOK\r\n$/s);
    // Matched by the argument text.
    rule({ surface: 'at', match: { name: '+CPMS', params: { args: { pattern: 'SM' } } }, action: { kind: 'error', code: 310 } });
    expect(at.at('+CPMS="SM"')).toBe('\r\n+CME ERROR: 310\r\n');
    expect(at.at('+CPMS="ME"')).toMatch(/OK\r\n$/);
  });
});

describe('the AT journal', () => {
  it('keeps PINs out of both the parameters and the command line it names', () => {
    emu = createTestEmulator({ clockMode: 'paused' });
    const at = new AtProbe(emu);
    at.send('ATE0\r');
    at.at('+CPIN="1234";+CSQ');
    at.at('+CLCK="SC",0,"1234"');
    const entries = emu.journal.query({ surface: 'at', kind: 'command' }).filter((e) => /CPIN|CLCK/.test(e.name));
    expect(entries.map((e) => e.name)).toEqual(['AT+CPIN=***;+CSQ', 'AT+CLCK=***']);
    expect(entries[0]!.params).toEqual({ '+CPIN': '***', '+CSQ': '' });
    expect(JSON.stringify(entries)).not.toContain('1234');
    at.close();
  });
});
