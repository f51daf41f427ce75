import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { Rules } from '../../../emulator/instrument/rules.js';
import { Journal } from '../../../emulator/instrument/journal.js';
import { AtProbe } from '../../helpers/at.js';
import { ControlClient } from '../../helpers/control.js';
import { startLoggedIn, type TestClient } from '../../helpers/emulator.js';

// Rules on the goform surface, through the control API and the client's own requests (instrument/rules.ts).

const SMS = { encode_type: 'GSM7_default', ID: '-1', MessageBody: '00680069' };

describe('rules (the engine)', () => {
  it('fires after skip, at most times, inside its virtual window, and counts what it matched', () => {
    let now = 0;
    const rules = new Rules(1);
    rules.attach({ now: () => now, journal: null, deviceId: 'd' });
    const r = rules.add({ surface: 'goform', match: { name: 'SEND_SMS' }, action: { kind: 'error' }, skip: 1, times: 2, from: '10s', until: '1m' });
    const fire = (): boolean => rules.hit('goform', 'SEND_SMS', () => ({}), 'c') !== null;
    expect(fire()).toBe(false); // before its window
    now = 10_000;
    expect([fire(), fire(), fire(), fire()]).toEqual([true, true, false, false]); // 2nd match onwards, twice
    expect(rules.get(r.id)).toMatchObject({ matched: 5, fired: 2, spent: true });
    const late = rules.add({ surface: 'goform', action: { kind: 'drop' }, until: '1s' });
    now = 11_000;
    expect(rules.hit('goform', 'anything', () => ({}), 'c')).toBeNull();
    expect(rules.get(late.id)!.matched).toBe(1);
  });

  it('matches parameters by equality and pattern, client, and a read by one key of its cmd list', () => {
    const rules = new Rules(1);
    rules.add({ surface: 'goform', match: { name: 'SET_CONNECTION_MODE', params: { roam_setting_option: 'off', ConnectionMode: { pattern: '^auto' } } }, action: { kind: 'error' } });
    rules.add({ surface: 'goform', match: { name: 'signalbar', client: { pattern: '^10\\.' } }, action: { kind: 'error' } });
    const hit = (name: string, params: Record<string, string>, client = '127.0.0.1'): boolean => rules.hit('goform', name, () => params, client) !== null;
    expect(hit('SET_CONNECTION_MODE', { roam_setting_option: 'off', ConnectionMode: 'auto_dial' })).toBe(true);
    expect(hit('SET_CONNECTION_MODE', { roam_setting_option: 'on', ConnectionMode: 'auto_dial' })).toBe(false);
    expect(hit('SET_CONNECTION_MODE', { roam_setting_option: 'off' })).toBe(false);
    expect(hit('network_type,signalbar,ppp_status', {}, '10.0.0.2')).toBe(true);
    expect(hit('network_type,signalbar,ppp_status', {}, '192.168.0.100')).toBe(false);
    expect(hit('signalbar_x', {}, '10.0.0.2')).toBe(false);
    expect(() => rules.add({ surface: 'goform', match: { name: { pattern: '(' } }, action: { kind: 'drop' } })).toThrow(/not a regular expression/);
  });

  it('draws probability from the seed: the same seed fires on the same requests', () => {
    const run = (seed: number): number[] => {
      const rules = new Rules(seed);
      rules.add({ surface: 'at', match: { name: '+CSQ' }, action: { kind: 'error' }, probability: 0.3 });
      // A certain rule on another surface draws nothing: it does not shift the uncertain one's draws.
      rules.add({ surface: 'goform', action: { kind: 'latency', ms: 1 } });
      const out: number[] = [];
      for (let i = 0; i < 200; i++) {
        rules.hit('goform', 'x', () => ({}), 'c');
        if (rules.hit('at', 'AT+CSQ', () => ({}), 'at')) out.push(i);
      }
      return out;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    expect(run(7).length).toBeGreaterThan(40);
    expect(run(7).length).toBeLessThan(80);
  });

  it('lets the highest priority act, then the oldest; journals each firing with the rule id', () => {
    const journal = new Journal(100);
    const rules = new Rules(1);
    rules.attach({ now: () => 5, journal, deviceId: 'dev-9' });
    rules.add({ surface: 'ubus', action: { kind: 'error' } });
    const high = rules.add({ surface: 'ubus', match: { name: 'zwrt_wms.zte_libwms_send_sms' }, action: { kind: 'hang' }, priority: 5, note: 'the send hangs' });
    expect(rules.hit('ubus', 'zwrt_wms.zte_libwms_send_sms', () => ({}), 'ip')).toEqual({ id: high.id, action: { kind: 'hang' }, delayMs: 0 });
    expect(rules.hit('ubus', 'zwrt_web.web_login', () => ({}), 'ip')!.id).toBe('r1');
    const fired = journal.query({ surface: 'ubus' });
    expect(fired.map((e) => [e.kind, e.name, e.params.request, e.params.action])).toEqual([
      ['rule', 'r2', 'zwrt_wms.zte_libwms_send_sms', 'hang'],
      ['rule', 'r1', 'zwrt_web.web_login', 'error'],
    ]);
    expect(fired[0]!.params.note).toBe('the send hangs');
    rules.reset();
    expect(rules.list()).toEqual([]);
    expect(rules.add({ surface: 'ubus', action: { kind: 'drop' } }).id).toBe('r1');
  });
});

describe('rules on goform', () => {
  let emu: Emulator;
  let client: TestClient;
  let control: ControlClient;
  afterEach(async () => {
    await emu?.close();
  });
  const start = async (): Promise<void> => {
    ({ emu, client } = await startLoggedIn({ clockMode: 'paused' }));
    control = new ControlClient(emu);
  };
  const addRule = async (rule: unknown): Promise<{ id: string }> => {
    const r = await control.call('POST', `/devices/${emu.device.state.id}/rules`, rule);
    expect(r.status, r.text).toBe(200);
    return r.json as { id: string };
  };
  const sent = (): number => emu.device.state.sms.messages.filter((m) => m.tag === 2).length;

  it('fails only the second SEND_SMS, which is not carried out; the journal names the rule', async () => {
    await start();
    const rule = await addRule({ surface: 'goform', match: { name: 'SEND_SMS' }, action: { kind: 'error' }, skip: 1, times: 1 });
    const results = [];
    for (const n of ['+4915100000001', '+4915100000002', '+4915100000003']) results.push((await client.set('SEND_SMS', { ...SMS, Number: n })).result);
    expect(results).toEqual(['success', 'failure', 'success']);
    emu.clock.advance(10_000);
    expect(emu.device.state.sms.messages.filter((m) => m.tag === 2).map((m) => m.number)).toEqual(['+4915100000001', '+4915100000003']);
    const { json } = await control.call('GET', `/devices/${emu.device.state.id}/rules/${rule.id}`);
    expect(json).toMatchObject({ matched: 3, fired: 1, spent: true });
    const writes = emu.journal.query({ surface: 'goform', name: 'SEND_SMS' });
    expect(writes.map((e) => e.response)).toEqual(['result=success', `result=failure (rule ${rule.id}: error)`, 'result=success']);
    expect(emu.journal.query({ surface: 'goform', name: rule.id }).map((e) => e.kind)).toEqual(['rule']);
  });

  it('answers a read with an override, or the real answer with fields changed, or empty keys for an error', async () => {
    await start();
    await addRule({ surface: 'goform', match: { name: 'signalbar' }, action: { kind: 'patch', fields: { signalbar: '0', network_type: 'NO_SERVICE' } }, times: 1 });
    const patched = await client.get(['signalbar', 'network_type', 'ppp_status']);
    expect(patched).toMatchObject({ signalbar: '0', network_type: 'NO_SERVICE' });
    expect(patched.ppp_status).toBe(emu.device.state.connection.ppp);
    await addRule({ surface: 'goform', match: { name: 'battery_vol_percent' }, action: { kind: 'answer', body: { battery_vol_percent: '3' } }, times: 1 });
    expect(await client.get('battery_vol_percent')).toEqual({ battery_vol_percent: '3' });
    await addRule({ surface: 'goform', match: { name: 'sms_unread_num' }, action: { kind: 'error' }, times: 1 });
    expect(await client.get(['sms_unread_num', 'signalbar'])).toEqual({ sms_unread_num: '', signalbar: '' });
    // Spent rules let the next requests through as they are.
    expect((await client.get(['signalbar'])).signalbar).not.toBe('');
  });

  it('answers garbage or an HTTP 500 in goform terms', async () => {
    await start();
    await addRule({ surface: 'goform', match: { name: 'loginfo' }, action: { kind: 'garbage' }, times: 1 });
    const res = await client.raw('/goform/goform_get_cmd_process?isTest=false&cmd=loginfo');
    expect(await res.text()).toContain('routerlab garbage');
    await addRule({ surface: 'goform', match: { name: 'SET_WIFI_INFO' }, action: { kind: 'error', code: 500 }, times: 1 });
    const r500 = await client.raw('/goform/goform_set_cmd_process', { method: 'POST', body: new URLSearchParams({ goformId: 'SET_WIFI_INFO' }) });
    expect(r500.status).toBe(500);
  });

  it('carries the shorthand faults out as rules: listed with their note, below targeted rules, replaced on change', async () => {
    await start();
    await control.call('PUT', `/devices/${emu.device.state.id}/faults/goform`, { errorRate: 1, errorKind: 'failure', latency: { kind: 'uniform', minMs: 1, maxMs: 3 } });
    const listed = (await control.call('GET', `/devices/${emu.device.state.id}/rules`)).json as { surface: string; note: string; action: { kind: string } }[];
    expect(listed.map((r) => `${r.surface} ${r.action.kind} ${r.note}`)).toEqual(['goform latency faults/goform', 'goform error faults/goform', 'ubus latency faults/goform', 'ubus error faults/goform']);
    expect(await client.get('Language')).toEqual({ result: 'failure' });
    // A targeted rule acts first: the shorthand (lowest priority) is not reached, its latency neither.
    const r = await addRule({ surface: 'goform', match: { name: 'Language' }, action: { kind: 'answer', body: { Language: 'de' } } });
    expect(await client.get('Language')).toEqual({ Language: 'de' });
    expect(emu.journal.query({ surface: 'goform', kind: 'rule' }).map((e) => e.params.action)).toEqual(['latency', 'error', 'answer']);
    await control.call('DELETE', `/devices/${emu.device.state.id}/rules/${r.id}`);
    // A shorthand rule is changed through its settings, not removed on its own (they would disagree).
    const conflict = await control.call('DELETE', `/devices/${emu.device.state.id}/rules/r1`);
    expect(conflict.status).toBe(409);
    expect(conflict.text).toMatch(/PUT \/faults\/goform/);
    await control.call('PUT', `/devices/${emu.device.state.id}/faults/goform`, { errorRate: 0, latency: null });
    expect((await control.call('GET', `/devices/${emu.device.state.id}/rules`)).json).toEqual([]);
    expect((await client.get('Language')).Language).toBe('en');
    // DELETE /rules clears the shorthand settings with their rules.
    await control.call('PUT', `/devices/${emu.device.state.id}/faults/at`, { garbage: true });
    expect((await control.call('DELETE', `/devices/${emu.device.state.id}/rules`)).json).toMatchObject({ removed: 1 });
    expect((await control.call('GET', `/devices/${emu.device.state.id}/faults`)).json).toMatchObject({ at: { garbage: false } });
  });

  it('resets with the device and with DELETE, and refuses a bad rule with a problem naming the field', async () => {
    await start();
    await addRule({ surface: 'goform', action: { kind: 'drop' } });
    await addRule({ surface: 'at', match: { name: '+CMGS' }, action: { kind: 'hang' } });
    expect(((await control.call('GET', `/devices/${emu.device.state.id}/rules`)).json as unknown[]).length).toBe(2);
    const bad = await control.call('POST', `/devices/${emu.device.state.id}/rules`, { surface: 'goform', action: { kind: 'explode' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/action/);
    const badPattern = await control.call('POST', `/devices/${emu.device.state.id}/rules`, { surface: 'goform', match: { name: { pattern: '[' } }, action: { kind: 'drop' } });
    expect(badPattern.status).toBe(400);
    expect(badPattern.text).toMatch(/not a regular expression/);
    expect((await control.call('DELETE', `/devices/${emu.device.state.id}/rules/r1`)).status).toBe(200);
    expect((await control.call('DELETE', `/devices/${emu.device.state.id}/rules/r1`)).status).toBe(404);
    await control.call('POST', `/devices/${emu.device.state.id}/reset`, {});
    expect((await control.call('GET', `/devices/${emu.device.state.id}/rules`)).json).toEqual([]);
    expect(sent()).toBe(0);
  });
});

describe('journal queries by parameters', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu?.close();
  });

  it('finds a write by a parameter value or pattern, a URC by its first word, and refuses a bad pattern', async () => {
    let client: TestClient;
    ({ emu, client } = await startLoggedIn({ clockMode: 'paused' }));
    const control = new ControlClient(emu);
    await client.set('SEND_SMS', { ...SMS, Number: '+4915100000001' });
    await client.set('SEND_SMS', { ...SMS, Number: '+4915100000002' });
    const q = async (query: string): Promise<{ name: string; params: Record<string, string> }[]> => ((await control.call('GET', `/journal?${query}`)).json as { entries: { name: string; params: Record<string, string> }[] }).entries;
    expect(await q('surface=goform&name=SEND_SMS&param.Number=%2B4915100000002')).toHaveLength(1);
    expect(await q('surface=goform&name=SEND_SMS&paramPattern.Number=%5E%5C%2B49151')).toHaveLength(2);
    expect(await q('surface=goform&name=SEND_SMS&param.Number=%2B1')).toHaveLength(0);
    expect(await q('surface=goform&namePattern=%5ESEND_')).toHaveLength(2);
    emu.device.sms.receive({ number: '+4915100000009', text: 'hi' });
    const at = new AtProbe(emu);
    at.at('+CNMI=2,1,0,0,0');
    emu.device.sms.receive({ number: '+4915100000009', text: 'again' });
    expect((await q('surface=at&name=%2BCMTI')).length).toBe(1);
    const bad = await control.call('GET', '/journal?namePattern=(');
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/not a regular expression/);
    at.close();
  });
});
