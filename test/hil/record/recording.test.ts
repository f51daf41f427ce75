import { afterEach, describe, expect, it } from 'vitest';
import { isLuhnValid } from '../../../emulator/state/identity.js';
import { createEmulatorTarget } from '../../../hil/drivers/emulator-target.js';
import { applyRecording, checkFidelity, connectTarget, emulatorFromRecording, emulatorOptionsFromRecording, loadRecording, recordTarget, replayFidelity, scrub, type Recording, type Target } from '../../../hil/index.js';
import { createEmulator } from '../../../emulator/index.js';

// Record a device, scrub it, start an emulator from it, and check fidelity both ways.

describe('recordings', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0)) await fn();
  });
  async function target(options: Parameters<typeof createEmulatorTarget>[0] = {}): Promise<{ target: Target }> {
    const t = await createEmulatorTarget({ clockMode: 'paused', seed: 3, ...options });
    cleanup.push(() => t.close());
    return { target: t };
  }

  it('scrubs IMEI, IMSI, ICCID, MSISDN, MACs and phone numbers consistently, keeping their shapes', async () => {
    const { target: t } = await target({ profile: 'mf79u' });
    const ids = await t.require('router').get(['imei', 'imsi', 'sim_iccid', 'msisdn', 'mac_address']);
    await t.require('stimuli').apply('sms', { from: '+4915112345678', text: 'x' });
    const rec = await recordTarget(t, 'test');
    const text = JSON.stringify(rec);
    for (const v of [...Object.values(ids), '+4915112345678']) expect(text).not.toContain(v);
    const g = Object.assign({}, ...rec.goform.filter((e) => e.multi).map((e) => e.response)) as Record<string, string>;
    expect(g.imei).toMatch(/^\d{15}$/);
    expect(g.imei!.slice(0, 8)).toBe(ids.imei!.slice(0, 8));
    expect(isLuhnValid(g.imei!)).toBe(true);
    expect(isLuhnValid(g.sim_iccid!)).toBe(true);
    expect(g.imsi!.slice(0, 5)).toBe('26201');
    expect(g.mac_address!.slice(0, 8)).toBe(ids.mac_address!.slice(0, 8));
    // The same IMEI everywhere: goform and AT+CGSN agree after scrubbing.
    expect(rec.at.find((a) => a.command === 'AT+CGSN')!.lines[0]).toBe(g.imei);
    expect(rec.at.find((a) => a.command === 'AT+CNUM')!.lines[0]).toContain(g.msisdn);
    expect(text).toMatch(/"scrubbed":true/);
    // Scrubbed international numbers stay E.164: the country code kept, a national number that does not start with 0.
    expect(g.msisdn).toMatch(/^\+49[1-9]\d{6,12}$/);
    const numbers = [...text.matchAll(/\+49\d{7,13}/g)].map((m) => m[0]);
    expect(numbers.length).toBeGreaterThan(1);
    for (const n of numbers) expect(n, n).toMatch(/^\+49[1-9]/);
  });

  it('records without side effects: unread SMS stay unread, the modem settings it changes are put back', async () => {
    const { target: t } = await target({ profile: 'mf79u' });
    await t.require('stimuli').apply('sms', { from: '+4915112345678', text: 'still unread' });
    const modem = t.require('modem');
    await modem.command('AT+CMGF=1');
    // One command at a time on an AT line.
    const settings = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const c of ['AT+CREG?', 'AT+COPS?', 'AT+CMGF?']) out.push((await modem.command(c)).lines.join('|'));
      return out;
    };
    const before = await settings();
    const warnings: string[] = [];
    const rec = await recordTarget(t, 'test', (w) => warnings.push(w));
    expect(warnings).toEqual([]);
    expect(rec.at.map((a) => a.command)).not.toContain('AT+CMGL=4');
    expect(await settings()).toEqual(before);
    expect(before[2]).toBe('+CMGF: 1');
    const inbox = await t.require('router').getAggregate<{ messages: { tag: string }[] }>('sms_data_total', { page: '0', data_per_page: '10', mem_store: '1', tags: '10', order_by: 'order by id desc' });
    expect(inbox.messages.map((m) => m.tag)).toEqual(['1']);
  });

  it('says what it cannot record: a real router (router: target) has no AT part', async () => {
    const emu = createEmulator({ clockMode: 'paused', seed: 3, onUnhandled: 'silent' });
    cleanup.push(() => emu.close());
    const t = await connectTarget(`router:${await emu.listen({ port: 0 })}?password=admin`);
    cleanup.push(() => t.close());
    expect(t.has('modem')).toBe(false);
    const warnings: string[] = [];
    const rec = await recordTarget(t, 'test', (w) => warnings.push(w));
    expect(rec.at).toEqual([]);
    expect(warnings.join('\n')).toMatch(/has no modem capability: the recording has no AT part/);
  });

  it('records a ZWRT router over ubus, and an emulator started from that recording answers it with zero differences', async () => {
    const { target: router } = await target({ profile: 'g5ts', seed: 21 });
    await router.require('stimuli').apply('sms', { from: '+4917100000005', text: 'recorded over ubus' });
    const warnings: string[] = [];
    const rec = await recordTarget(router, 'test', (w) => warnings.push(w));
    expect(rec._meta).toMatchObject({ kind: 'capture', model: expect.stringMatching(/G5TS|GT5S/) as unknown });
    expect(rec.exchanges.map((x) => x.kind)).toEqual(['ubus', 'ubus', 'ubus', 'ubus']);
    expect(rec.exchanges.map((x) => x.name)).toContain('zwrt_wms.zte_libwms_get_sms_data');
    // Its modem too; the SMS list is read over ubus, so nothing is marked read (no AT+CMGL=4).
    expect(rec.at.map((a) => a.command)).toContain('AT+CGSN');
    expect(rec.at.map((a) => a.command)).not.toContain('AT+CMGL=4');
    expect(warnings).toEqual([]);
    expect((router as Target & { emulator: { device: { state: { sms: { messages: { tag: number }[] } } } } }).emulator.device.state.sms.messages[0]!.tag).toBe(1);
    const identity = (router as Target & { emulator: { device: { state: { identity: { imei: string; imsi: string } } } } }).emulator.device.state.identity;
    expect(JSON.stringify(rec)).not.toContain(identity.imei);
    expect(JSON.stringify(rec)).not.toContain(identity.imsi);
    const serial = (router as Target & { emulator: { device: { state: { identity: { serialNumber: string } } } } }).emulator.device.state.identity.serialNumber;
    expect(serial.length).toBeGreaterThan(5);
    expect(JSON.stringify(rec)).not.toContain(serial);
    const replay = await emulatorFromRecording(rec);
    cleanup.push(() => replay.close());
    const report = await replayFidelity(rec, replay);
    expect(report.differences).toEqual([]);
    expect(report.replayed).toBeGreaterThanOrEqual(10);
    expect(replay.emulator!.device.state.sms.messages.map((m) => m.text)).toEqual(['recorded over ubus']);
    // Another device of the profile differs (its identity, its empty inbox): the comparison can fail.
    const other = await createEmulatorTarget({ clockMode: 'paused', profile: 'g5ts', seed: 22 });
    cleanup.push(() => other.close());
    expect((await replayFidelity(rec, other)).differences.length).toBeGreaterThan(0);
  });

  it('an emulator started from a recording reports zero differences against it', async () => {
    const { target: source } = await target({ profile: 'mc888' });
    await source.require('stimuli').apply('sms', { from: '+4915112345678', text: 'Hallo, field bug' });
    await source.require('stimuli').apply('signal', { rsrpDbm: -104, rsrqDb: -13, sinrDb: 4 });
    const rec = await recordTarget(source, 'test: emulator mc888');
    const replica = await replicaOf(rec);
    const diffs = await checkFidelity(rec, replica);
    expect(diffs).toEqual([]);
  });

  it('a device compared with its own recording shows zero differences (scrubbed identities compare as identities)', async () => {
    const { target: device } = await target({ profile: 'mf79u' });
    await device.require('stimuli').apply('sms', { from: '+4915112345678', text: 'call +4915187654321' });
    // Read already: recording lists the inbox (AT+CMGL marks unread messages read), which would change it.
    const router = device.require('router');
    await router.markSmsRead((await router.listSms()).map((m) => m.id));
    const rec = await recordTarget(device, 'test: its own recording');
    expect(JSON.stringify(rec)).not.toContain('+4915187654321');
    expect(await checkFidelity(rec, device)).toEqual([]);
  });

  it('reports each difference planted in an edited copy', async () => {
    const { target: source } = await target({ profile: 'mf79u' });
    const rec = await recordTarget(source, 'test: emulator mf79u');
    const replica = await replicaOf(rec);
    const edited = structuredClone(rec);
    const status = edited.goform.find((e) => e.cmd.startsWith('signalbar'))!.response;
    status.lte_rsrp = '-999';
    status.cell_id = String(parseInt(String(status.cell_id), 16));
    delete status.rmcc;
    status.made_up_key = '1';
    edited.at.find((a) => a.command === 'AT+CGMI')!.lines[0] = 'ZTE INCORPORATED';
    const diffs = await checkFidelity(edited, replica);
    expect(diffs.map((d) => [d.surface, d.field, d.kind])).toEqual([
      ['goform', 'lte_rsrp', 'value'],
      ['goform', 'cell_id', expect.stringMatching(/format|value/)],
      ['goform', 'made_up_key', 'missing'],
      ['goform', 'rmcc', 'extra'],
      ['at', 'line 1', 'value'],
    ]);
  });

  async function replicaOf(rec: Recording): Promise<Target> {
    const options = emulatorOptionsFromRecording(rec);
    const t = await createEmulatorTarget({ clockMode: 'paused', seed: 99, ...options });
    cleanup.push(() => t.close());
    applyRecording(t.emulator!, rec);
    return t;
  }
});

describe('the shipped recording fixture', () => {
  it('fixtures/recordings/emulator-mf79u replays with zero differences against an emulator started from it', async () => {
    const rec = loadRecording('fixtures/recordings/emulator-mf79u');
    expect(rec._meta.scrubbed).toBe(true);
    const t = await createEmulatorTarget({ clockMode: 'paused', ...emulatorOptionsFromRecording(rec) });
    try {
      applyRecording(t.emulator!, rec);
      expect(await checkFidelity(rec, t)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('scrub', () => {
  it('replaces national-format numbers in goform, +CNUM and inside PDUs, and leaves operator codes alone', async () => {
    const { scrub } = await import('../../../hil/index.js');
    const { buildDeliver, encodePdu, decodePdu } = await import('../../../emulator/modem/pdu.js');
    const pdu = encodePdu(buildDeliver({ from: '01761234567', text: 'hi', smsc: '+491710760000', timestamp: { utcMs: 0, tzQuarters: 4 } })[0]!).hex;
    const rec = scrub({
      _meta: { version: 1, kind: 'capture', source: 't', model: 'MF79U', firmware: 'x', capturedAt: 'now', scrubbed: true },
      goform: [
        { cmd: 'msisdn,rmcc', multi: true, extra: {}, response: { msisdn: '01769876543', rmcc: '262' } },
        { cmd: 'sms_data_total', multi: false, extra: {}, response: { messages: [{ id: '1', number: '01761234567', content: '0068' }] } },
      ],
      at: [
        { command: 'AT+CNUM', lines: ['+CNUM: "","01769876543",129'], final: 'OK' },
        { command: 'AT+COPS?', lines: ['+COPS: 0,2,"26201",7'], final: 'OK' },
        { command: 'AT+CMGL=4', lines: ['+CMGL: 1,0,,20', pdu], final: 'OK' },
      ],
      exchanges: [],
    });
    const text = JSON.stringify(rec);
    for (const real of ['01769876543', '01761234567', '491710760000']) expect(text).not.toContain(real);
    expect(rec.at[1]!.lines[0]).toBe('+COPS: 0,2,"26201",7');
    const scrubbedPdu = decodePdu(rec.at[2]!.lines[1]!);
    const scrubbedSender = (rec.goform[1]!.response.messages as { number: string }[])[0]!.number;
    expect(scrubbedPdu).toMatchObject({ type: 'deliver', text: 'hi', originator: { value: scrubbedSender } });
    expect(scrubbedSender).toMatch(/^01\d{9}$/);
    expect(rec.at[0]!.lines[0]).toContain(String(rec.goform[0]!.response.msisdn));
  });
});

describe('scrub of a proxy recording', () => {
  it('replaces every identity in requests, answers, paths and SMS texts consistently, and masks secrets', async () => {
    const { scrub, RECORDING_VERSION } = await import('../../../hil/index.js');
    const { encodeUcs2Hex, decodeUcs2Hex } = await import('../../../emulator/http/codec.js');
    const ids = { imei: '864589004703101', imsi: '262011335462806', sim_iccid: '89494511893688001808', msisdn: '+4915908079727', mac_address: '34:4B:50:12:34:56' };
    const friend = '+4917612345678';
    const x = (seq: number, kind: 'goform-read' | 'goform-write', path: string, fields: Record<string, string>, json: unknown) => ({
      seq, wallTime: '2026-12-01T00:00:00.000Z', relMs: seq, method: kind === 'goform-read' ? 'GET' : 'POST', path, kind, request: { fields, bytes: 0 }, status: 200, response: { bytes: 0, json },
    });
    const read = { ...ids, LD: 'ABCDEF0123', RD: '99887766', WPAPSK1: 'c2VjcmV0LWtleQ==', signalbar: '4' };
    const rec = scrub({
      _meta: { version: RECORDING_VERSION, kind: 'proxy', source: 'test', model: 'MF79U', firmware: 'x', capturedAt: 'now', scrubbed: true },
      goform: [{ cmd: Object.keys(read).join(','), multi: true, extra: {}, response: read }],
      at: [],
      exchanges: [
        x(1, 'goform-read', `/goform/goform_get_cmd_process?isTest=false&multi_data=1&cmd=${Object.keys(read).join(',')}`, { cmd: Object.keys(read).join(','), multi_data: '1' }, read),
        x(2, 'goform-write', '/goform/goform_set_cmd_process', { goformId: 'LOGIN', password: 'YWRtaW4=' }, { result: '0' }),
        x(3, 'goform-write', '/goform/goform_set_cmd_process', { goformId: 'SEND_SMS', Number: `${friend};`, MessageBody: encodeUcs2Hex(`ring ${friend} or ${ids.msisdn}`), AD: 'deadbeef' }, { result: 'success' }),
        x(4, 'goform-read', '/goform/goform_get_cmd_process?cmd=sms_data_total&token=abc123', { cmd: 'sms_data_total', token: 'abc123' }, { messages: [{ id: '1', number: friend, content: encodeUcs2Hex(`my IMEI is ${ids.imei}, call ${friend}`), tag: '1' }] }),
        x(5, 'goform-read', '/goform/goform_get_cmd_process?cmd=station_list', { cmd: 'station_list' }, { station_list: [{ mac_addr: 'a4:5e:60:11:22:33', hostname: 'phone' }] }),
      ],
    });
    const text = JSON.stringify(rec);
    for (const v of [...Object.values(ids), friend, friend.slice(1), 'a4:5e:60:11:22:33', 'YWRtaW4=', 'deadbeef', 'ABCDEF0123', '99887766', 'c2VjcmV0LWtleQ==', 'abc123']) expect(text, v).not.toContain(v);
    const answer = rec.exchanges[0]!.response.json as Record<string, string>;
    expect(answer).toMatchObject({ LD: '***', RD: '***', WPAPSK1: '***', signalbar: '4' });
    expect(answer.imei).toBe((rec.goform[0]!.response as Record<string, string>).imei);
    expect(answer.imei).toMatch(/^86458900\d{7}$/);
    expect(rec.exchanges[1]!.request.fields!.password).toBe('***');
    const send = rec.exchanges[2]!.request.fields!;
    expect(send.AD).toBe('***');
    const fakeFriend = send.Number!.replace(/;$/, '');
    expect(fakeFriend).toMatch(/^\+49\d{11}$/);
    expect(decodeUcs2Hex(send.MessageBody!)).toBe(`ring ${fakeFriend} or ${answer.msisdn}`);
    const sms = (rec.exchanges[3]!.response.json as { messages: { number: string; content: string }[] }).messages[0]!;
    expect(sms.number).toBe(fakeFriend);
    expect(decodeUcs2Hex(sms.content)).toBe(`my IMEI is ${answer.imei}, call ${fakeFriend}`);
    expect(rec.exchanges[3]!.path).toBe('/goform/goform_get_cmd_process?cmd=sms_data_total&token=***');
    expect((rec.exchanges[4]!.response.json as { station_list: { mac_addr: string }[] }).station_list[0]!.mac_addr).toMatch(/^A4:5E:60:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2}$/);
  });
});

describe('recording format', () => {
  it('schemas/recording.schema.json is generated from the schema in the code (npm run schema)', async () => {
    const { readFileSync } = await import('node:fs');
    const { recordingJsonSchema } = await import('../../../hil/record/json-schema.js');
    expect(JSON.parse(readFileSync('schemas/recording.schema.json', 'utf8'))).toEqual(recordingJsonSchema());
  });

  it('reads a version 1 recording (no exchanges, no kind) as a capture', async () => {
    const { recordingSchema } = await import('../../../hil/index.js');
    const v1 = { _meta: { source: 's', model: 'm', firmware: 'f', capturedAt: 'c', scrubbed: true }, goform: [], at: [] };
    expect(recordingSchema.parse(v1)).toMatchObject({ _meta: { version: 1, kind: 'capture' }, exchanges: [] });
    expect(recordingSchema.safeParse({ ...v1, _meta: { ...v1._meta, version: 4 } }).success).toBe(false);
  });
});

describe('scrubbed phone numbers', () => {
  it('stay E.164 whatever the hash draws: 200 international numbers, none with a national number starting with 0', () => {
    const meta = { version: 3, kind: 'capture' as const, source: 'test', model: 'MF79U', firmware: 'x', capturedAt: '2026-01-01T00:00:00Z', scrubbed: true as const };
    for (let i = 0; i < 200; i++) {
      const msisdn = `+49151${String(10_000_000 + i * 7919).slice(0, 8)}`;
      const out = scrub({ _meta: meta, goform: [{ cmd: 'msisdn', multi: false, extra: {}, response: { msisdn } }], at: [], exchanges: [] });
      const fake = out.goform[0]!.response.msisdn as string;
      expect(fake, `${msisdn} -> ${fake}`).toMatch(/^\+49[1-9]\d+$/);
      expect(fake).toHaveLength(msisdn.length);
      expect(fake).not.toBe(msisdn);
    }
  });
});
