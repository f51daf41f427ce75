import { afterEach, describe, expect, it } from 'vitest';
import { isLuhnValid } from '../../../emulator/state/identity.js';
import { createEmulatorTarget } from '../../../hil/drivers/emulator-target.js';
import { applyRecording, checkFidelity, emulatorOptionsFromRecording, loadRecording, recordTarget, type Recording, type Target } from '../../../hil/index.js';

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
