import { afterEach, describe, expect, it } from 'vitest';
import { decodeUcs2Hex, encodeUcs2Hex, type Emulator } from '../../../emulator/index.js';
import { buildSubmit, concatOf, decodePdu, encodePdu, type DeliverPdu, type StatusReportPdu } from '../../../emulator/modem/pdu.js';
import { tpduLength } from '../../../emulator/modem/mapping.js';
import { AtProbe } from '../../helpers/at.js';
import { ControlClient } from '../../helpers/control.js';
import { startLoggedIn, type TestClient, withState } from '../../helpers/emulator.js';

// modem-at.md §10: each part of a concatenated SMS is its own slot; delivery reports come back as SMS-STATUS-REPORTs.

// One emulator per test, logged in on goform, with an AT port (echo off, numeric errors).
let emu: Emulator;
let client: TestClient;
let at: AtProbe;
afterEach(async () => {
  at.close();
  await emu.close();
});
async function start(): Promise<void> {
  ({ emu, client } = await startLoggedIn({ profile: 'mf79u' }));
  at = new AtProbe(emu);
  at.at('E0;+CMEE=1');
}

const LONG = 'Part one of a long message that needs two SMS parts to arrive: '.repeat(3) + 'and this is where it ends.';

describe('the SMS store keeps concatenated messages as parts', () => {
  const inbox = async (): Promise<Record<string, string>[]> =>
    ((await client.get('sms_data_total', { page: '0', data_per_page: '500', mem_store: '1', tags: '10', order_by: 'order by id desc' })) as { messages: Record<string, string>[] }).messages;

  it('gives each part its own index and +CMTI, lists them with one concatenation reference, and deletes them one by one', async () => {
    await start();
    at.at('+CNMI=2,1,0,0,0');
    at.out = '';
    emu.device.sms.receive({ number: '+4915100000001', text: LONG, partGapMs: 0 });
    expect(at.out).toBe('\r\n+CMTI: "ME",1\r\n\r\n+CMTI: "ME",2\r\n');

    const lines = AtProbe.lines(at.at('+CMGL=4'));
    expect(lines.filter((l) => l.startsWith('+CMGL:')).map((l) => l.split(',')[0])).toEqual(['+CMGL: 1', '+CMGL: 2']);
    const parts = [lines[1]!, lines[3]!].map((hex) => decodePdu(hex) as DeliverPdu);
    const concat = parts.map((p) => concatOf(p)!);
    expect(concat.map((c) => [c.seq, c.total])).toEqual([[1, 2], [2, 2]]);
    expect(concat[0]!.ref).toBe(concat[1]!.ref);
    expect(parts.map((p) => p.text).join('')).toBe(LONG);
    expect(at.at('+CPMS?')).toContain('"ME",2,100');

    // goform shows one joined message; deleting part 1 on AT leaves part 2 at its own index.
    expect((await inbox()).map((m) => [decodeUcs2Hex(m.content!), m.concat_sms_total, m.concat_sms_received, m.received_all_concat_sms])).toEqual([[LONG, '2', '2', '1']]);
    expect(at.at('+CMGD=1')).toBe('\r\nOK\r\n');
    expect(at.at('+CMGR=1')).toBe('\r\n+CMS ERROR: 321\r\n');
    expect(decodePdu(AtProbe.lines(at.at('+CMGR=2'))[1]!)).toMatchObject({ text: parts[1]!.text });
    expect((await inbox()).map((m) => [decodeUcs2Hex(m.content!), m.concat_sms_received, m.received_all_concat_sms])).toEqual([[parts[1]!.text, '1', '0']]);
    expect((await client.get(['sms_nvused_total'])).sms_nvused_total).toBe('1');
    expect(at.at('+CMGD=2')).toBe('\r\nOK\r\n');
    expect(await inbox()).toEqual([]);
  });

  it('reuses a freed index for the next part that arrives, lowest first', async () => {
    await start();
    emu.device.sms.receive({ number: '+1', text: 'a' });
    emu.device.sms.receive({ number: '+1', text: 'b' });
    emu.device.sms.receive({ number: '+1', text: 'c' });
    at.at('+CMGD=2');
    at.at('+CNMI=2,1,0,0,0');
    at.out = '';
    emu.device.sms.receive({ number: '+2', text: LONG, partGapMs: 0 });
    expect(at.out).toBe('\r\n+CMTI: "ME",2\r\n\r\n+CMTI: "ME",4\r\n');
  });

  it('shows a message that is still arriving as partial on goform, one +CMTI per part as it lands', async () => {
    await start();
    at.at('+CNMI=2,1,0,0,0');
    at.out = '';
    await new ControlClient(emu).stimulus('sms', { from: '+4915100000001', text: LONG, partGapMs: 30_000 });
    expect(at.out).toBe('\r\n+CMTI: "ME",1\r\n');
    const partial = (await inbox())[0]!;
    expect([partial.concat_sms_total, partial.concat_sms_received, partial.received_all_concat_sms]).toEqual(['2', '1', '0']);
    at.out = '';
    emu.clock.advance(30_000);
    expect(at.out).toBe('\r\n+CMTI: "ME",2\r\n');
    const whole = (await inbox())[0]!;
    expect([decodeUcs2Hex(whole.content!), whole.concat_sms_received, whole.received_all_concat_sms]).toEqual([LONG, '2', '1']);
  });

  it('deletes every part when goform deletes the message, and delivers each part as its own +CMT', async () => {
    await start();
    at.at('+CNMI=2,2,0,0,0');
    at.out = '';
    emu.device.sms.receive({ number: '+1', text: LONG, partGapMs: 0 });
    const cmts = at.out.match(/\+CMT: ,\d+\r\n[0-9A-F]+/g) ?? [];
    expect(cmts).toHaveLength(2);
    const id = emu.device.state.sms.messages[0]!.id;
    await client.set('DELETE_SMS', { msg_id: `${id};` });
    expect(AtProbe.lines(at.at('+CMGL=4'))).toEqual([]);
    expect(at.at('+CPMS?')).toContain('"ME",0,100');
  });

  it('counts parts the same on both surfaces: full together, used never above total', async () => {
    await start();
    withState(emu.device, (s) => void (s.sms.deviceCapacity = 5));
    emu.device.sms.receive({ number: '+1', text: LONG, partGapMs: 0 });
    emu.device.sms.receive({ number: '+1', text: LONG, partGapMs: 0 });
    expect(line(at, '+CPMS?')).toBe('+CPMS: "ME",4,5,"ME",4,5,"ME",4,5');
    expect((await client.get(['sms_nvused_total', 'sms_nv_total'])).sms_nvused_total).toBe('4');
    // A two-part message does not fit in one free slot.
    expect(emu.device.sms.receive({ number: '+1', text: LONG, partGapMs: 0 })).toMatchObject({ refused: 'store-full' });
    // A message sent with AT+CMGS is the router's record: not in modem memory, but it takes its room.
    at.at('+CMGF=1');
    at.send('AT+CMGS="+222"\r');
    expect(at.send('short\x1a')).toMatch(/\+CMGS: \d+/);
    expect(line(at, '+CPMS?')).toBe('+CPMS: "ME",4,4,"ME",4,4,"ME",4,4');
    expect((await client.get(['sms_nvused_total'])).sms_nvused_total).toBe('5');
    at.send('AT+CMGS="+222"\r');
    expect(at.send('no room\x1a')).toBe('\r\n+CMS ERROR: 322\r\n');
  });

  it('deletes every location in turn after a two-part SMS (what Gammu deleteallsms does)', async () => {
    await start();
    emu.device.sms.receive({ number: '+1', text: LONG, partGapMs: 0 });
    emu.device.sms.receive({ number: '+1', text: 'single' });
    for (const index of [1, 2, 3]) expect(at.at(`+CMGD=${index}`), `index ${index}`).toBe('\r\nOK\r\n');
    expect(emu.device.state.sms.messages).toEqual([]);
  });
});

describe('delivery reports', () => {
  const sendPdu = (text: string, statusReport: boolean): number => {
    const { hex } = encodePdu(buildSubmit({ to: '+4915112345678', text, statusReport })[0]!);
    expect(at.send(`AT+CMGS=${tpduLength(hex)}\r`)).toBe('\r\n> ');
    const answer = at.send(`${hex}\x1a`);
    const mr = /\+CMGS: (\d+)/.exec(answer);
    expect(mr, answer).not.toBeNull();
    return Number(mr![1]);
  };
  const plan = async (body: object): Promise<void> => {
    await new ControlClient(emu).stimulus('sms-delivery-report', body);
  };

  it('answers a SUBMIT with TP-SRR with +CDS after the plan\'s virtual delay, carrying its TP-MR (CNMI ds=1)', async () => {
    await start();
    at.at('+CNMI=2,1,0,1,0');
    const mr = sendPdu('report me', true);
    at.out = '';
    emu.clock.advance(4999);
    expect(at.out).toBe('');
    emu.clock.advance(1);
    const m = /^\r\n\+CDS: (\d+)\r\n([0-9A-F]+)\r\n$/.exec(at.out);
    expect(m, at.out).not.toBeNull();
    expect(tpduLength(m![2]!)).toBe(Number(m![1]));
    const report = decodePdu(m![2]!) as StatusReportPdu;
    expect(report).toMatchObject({ type: 'status-report', mr, recipient: { value: '+4915112345678' }, status: 0 });
    expect(report.dischargeTime.utcMs - report.timestamp.utcMs).toBe(5000);
  });

  it('sends no report for a SUBMIT without TP-SRR', async () => {
    await start();
    at.at('+CNMI=2,1,0,1,0');
    sendPdu('no report', false);
    at.out = '';
    emu.clock.advance(60_000);
    expect(at.out).toBe('');
    expect(emu.device.state.sms.reports).toEqual([]);
  });

  it('stores the report in SR memory with +CDSI (ds=2): read with CMGR, listed, deleted; goform lists it', async () => {
    await start();
    at.at('+CNMI=2,1,0,2,0');
    await plan({ status: 'failed', delayMs: 20_000 });
    const mr = sendPdu('will fail', true);
    at.out = '';
    emu.clock.advance(20_000);
    expect(at.out).toBe('\r\n+CDSI: "SR",1\r\n');
    expect((await client.get(['sts_received_flag'])).sts_received_flag).toBe('1');
    const rpt = (await client.get('sms_status_rpt_data', { page: '0', data_per_page: '10' })) as { messages: Record<string, string>[] };
    expect(rpt.messages).toHaveLength(1);
    expect(rpt.messages[0]).toMatchObject({ number: '+4915112345678', status: String(0x43) });

    expect(at.at('+CPMS="SR","ME","ME"')).toBe('\r\n+CPMS: 1,100,0,99,0,99\r\n\r\nOK\r\n');
    const lines = AtProbe.lines(at.at('+CMGR=1'));
    expect(lines[0]).toMatch(/^\+CMGR: 0,,\d+$/);
    expect(decodePdu(lines[1]!)).toMatchObject({ type: 'status-report', mr, status: 0x43 });
    expect(AtProbe.lines(at.at('+CMGL=4'))[0]).toMatch(/^\+CMGL: 1,1,,\d+$/);
    expect((await client.get(['sts_received_flag'])).sts_received_flag).toBe('0');
    expect(at.at('+CMGD=1')).toBe('\r\nOK\r\n');
    expect(at.at('+CMGR=1')).toBe('\r\n+CMS ERROR: 321\r\n');
    expect(at.at('+CPMS="SR","SR"')).toBe('\r\n+CMS ERROR: 302\r\n');
  });

  it('asks for a report in text mode with +CSMP fo 49 and shows it as text-mode +CDS (an expired one)', async () => {
    await start();
    at.at('+CMGF=1;+CSMP=49,167,0,0;+CNMI=2,1,0,1,0');
    await plan({ status: 'expired', delayMs: 1000 });
    at.send('AT+CMGS="+4915112345678"\r');
    const mr = Number(/\+CMGS: (\d+)/.exec(at.send('hello\x1a'))![1]);
    at.out = '';
    emu.clock.advance(1000);
    expect(at.out).toMatch(new RegExp(`^\\r\\n\\+CDS: 6,${mr},"\\+4915112345678",145,"\\d\\d/\\d\\d/\\d\\d,\\d\\d:\\d\\d:\\d\\d[+-]\\d\\d","[^"]+",70\\r\\n$`));
  });

  it('gives goform sends a report when the SMS centre setting asks for one', async () => {
    await start();
    expect((await client.set('SET_MESSAGE_CENTER', { save_time: 'largest', MessageCenter: '+4915200000000', status_save: '1', save_location: 'native' })).result).toBe('success');
    at.at('+CNMI=2,1,0,2,0');
    expect((await client.set('SEND_SMS', { Number: '+4915112345678', MessageBody: encodeUcs2Hex('hi'), ID: '-1', encode_type: 'GSM7_default' })).result).toBe('success');
    at.out = '';
    emu.clock.advance(5000);
    expect(at.out).toBe('\r\n+CDSI: "SR",1\r\n');
    expect(emu.device.state.sms.reports.map((r) => [r.number, r.status, r.messageId])).toEqual([['+4915112345678', 'delivered', emu.device.state.sms.messages.at(-1)!.id]]);
  });

  it('keeps at most 100 reports in SR memory, the oldest making room', async () => {
    await start();
    await plan({ status: 'delivered', delayMs: 0 });
    withState(emu.device, (s) => void (s.sms.deviceCapacity = 500));
    for (let i = 0; i < 105; i++) emu.device.sms.send({ number: '+1', text: `m${i}`, report: true });
    emu.clock.advance(1);
    const reports = emu.device.state.sms.reports;
    expect(reports).toHaveLength(100);
    expect(reports[0]!.id).toBe(6);
  });

  it('refuses a bad report plan with a 400 naming the field', async () => {
    await start();
    const r = await new ControlClient(emu).call('POST', '/devices/dev-0/stimuli/sms-delivery-report', { status: 'lost' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('status');
  });
});

function line(at: AtProbe, cmd: string): string {
  return AtProbe.lines(at.at(cmd))[0] ?? '';
}
