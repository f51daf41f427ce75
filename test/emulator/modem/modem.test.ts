import type { SmsMessage } from '../../../emulator/state/device-state.js';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeUcs2Hex, type Emulator } from '../../../emulator/index.js';
import { buildSubmit, decodePdu, encodePdu, type DeliverPdu } from '../../../emulator/modem/pdu.js';
import { AtProbe } from '../../helpers/at.js';
import { startLoggedIn, type TestClient, withState } from '../../helpers/emulator.js';

// One state, every surface: what AT and goform say about the same device agrees.

describe('AT commands over the device state', () => {
  let emu: Emulator;
  let client: TestClient;
  let at: AtProbe;
  afterEach(async () => {
    at.close();
    await emu.close();
  });
  async function start(profile = 'mf79u'): Promise<void> {
    ({ emu, client } = await startLoggedIn({ profile }));
    at = new AtProbe(emu);
    at.send('ATE0;+CMEE=1\r');
  }
  const line = (cmd: string): string => AtProbe.lines(at.at(cmd))[0] ?? '';

  it('reports the same identity as goform', async () => {
    await start();
    const g = await client.get(['imei', 'imsi', 'sim_iccid', 'msisdn', 'wa_version']);
    expect(line('+CGSN')).toBe(g.imei);
    expect(line('+CIMI')).toBe(g.imsi);
    expect(line('+ZGETICCID')).toBe(`+ZGETICCID: ${String(g.sim_iccid)}`);
    expect(line('+CNUM')).toBe(`+CNUM: "","${String(g.msisdn)}",145`);
    expect(line('+CGMR')).toBe(g.wa_version);
    expect(AtProbe.lines(at.at('I'))).toContain(`IMEI: ${String(g.imei)}`);
  });

  it('maps signal through one mapping per surface: CSQ, CESQ and signalbar move together', async () => {
    await start();
    const read = async (rsrp: number, rssi: number): Promise<[string, string, unknown]> => {
      withState(emu.device, (s) => void ((s.radio.rsrpDbm = rsrp), (s.radio.rssiDbm = rssi)));
      return [line('+CSQ'), line('+CESQ'), (await client.get(['signalbar'])).signalbar];
    };
    expect(await read(-70, -51)).toEqual(['+CSQ: 31,99', '+CESQ: 99,99,255,255,22,71', '5']);
    expect(await read(-100, -85)).toEqual(['+CSQ: 14,99', '+CESQ: 99,99,255,255,22,41', '3']);
    emu.device.network.setRegistration('none');
    expect(await read(-100, -85)).toEqual(['+CSQ: 99,99', '+CESQ: 99,99,255,255,255,255', '0']);
  });

  it('frames +CMGL and +CMGR byte for byte as 27.005 §3.4.2: each PDU on the line right after its header', async () => {
    await start();
    emu.device.sms.receive({ number: '+4915100000001', text: 'one' });
    emu.device.sms.receive({ number: '+4915100000002', text: 'two' });
    at.at('E0');
    const list = at.at('+CMGL=4');
    // stat 0 = REC UNREAD in PDU mode (27.005 §3.1); the listing marks them read.
    expect(list).toMatch(/^\r\n\+CMGL: 1,0,,\d+\r\n[0-9A-F]+\r\n\+CMGL: 2,0,,\d+\r\n[0-9A-F]+\r\n\r\nOK\r\n$/);
    expect(list).not.toContain('\r\n\r\n+CMGL');
    expect(at.at('+CMGR=1')).toMatch(/^\r\n\+CMGR: 1,,\d+\r\n[0-9A-F]+\r\n\r\nOK\r\n$/);
    // Chained commands keep one information text each (V.250 §5.7.1).
    expect(at.at('+CMEE?;+CMGF?')).toMatch(/^\r\n\+CMEE: \d\r\n\r\n\+CMGF: 0\r\n\r\nOK\r\n$/);
  });

  it('reads the +CESQ RSRQ index as 27.007 §8.69 defines it (-9 dB is 22)', async () => {
    await start();
    for (const [rsrq, index] of [[-20, 0], [-19.5, 1], [-9, 22], [-8.6, 22], [-3.5, 33], [-3, 34]] as const) {
      withState(emu.device, (s) => void (s.radio.rsrqDb = rsrq));
      expect(line('+CESQ').split(',')[4], String(rsrq)).toBe(String(index));
    }
  });

  it('reads and sets the clock (+CCLK) from the virtual clock and time zone', async () => {
    await start();
    withState(emu.device, (s) => void (s.system.tzHours = 1));
    // The paused test clock starts at 2026-01-01T00:00Z: 01:00 local at +1 h (4 quarter hours).
    expect(line('+CCLK?')).toBe('+CCLK: "26/01/01,01:00:00+04"');
    emu.clock.advance(90_061_000);
    expect(line('+CCLK?')).toBe('+CCLK: "26/01/02,02:01:01+04"');
    expect(at.at('+CCLK="26/01/02,07:31:01+22"')).toBe('\r\nOK\r\n');
    expect(emu.device.state.system.tzHours).toBe(5.5);
    expect(line('+CCLK?')).toBe('+CCLK: "26/01/02,06:31:01+22"');
    at.at('+CMEE=1');
    expect(at.at('+CCLK="26/13/02,07:31:01+22"')).toBe('\r\n+CME ERROR: 50\r\n');
  });

  it('accepts call reporting on a data-only modem: +CLIP, +CRC, +CCWA, +CVHU', async () => {
    await start();
    for (const cmd of ['+CLIP=1', '+CRC=1', '+CCWA=1', '+CVHU=0']) expect(at.at(cmd), cmd).toBe('\r\nOK\r\n');
    expect([line('+CLIP?'), line('+CRC?'), line('+CCWA?'), line('+CVHU?')]).toEqual(['+CLIP: 1,2', '+CRC: 1', '+CCWA: 1', '+CVHU: 0']);
    at.at('+CMEE=1');
    expect(at.at('+CLIP=7')).toBe('\r\n+CME ERROR: 50\r\n');
  });

  it('gives +COPS names in the +CSCS character set', async () => {
    await start();
    const ucs2 = (t: string): string => Buffer.from(t, 'utf16le').swap16().toString('hex').toUpperCase();
    at.at('+CSCS="UCS2"');
    at.at('+COPS=3,0');
    expect(line('+COPS?')).toBe(`+COPS: 0,0,"${ucs2(emu.device.state.radio.operator.longName)}",7`);
    expect(line('+COPS=?')).toContain(`"${ucs2('Orange F')}"`);
    at.at('+COPS=3,2');
    expect(line('+COPS?')).toBe(`+COPS: 0,2,"${emu.device.state.radio.operator.mcc}${emu.device.state.radio.operator.mnc}",7`);
    expect(at.at('+COPS=1,2,"20801"')).toBe('\r\nOK\r\n');
    at.at('+COPS=3,0');
    expect(at.at(`+COPS=1,0,"${ucs2('Telekom.de')}"`)).toContain('OK');
    expect(emu.device.state.radio.registration).toBe('home');
  });

  it('reports registration and roaming as stat 1/5, with +CREG/+CEREG URCs on change', async () => {
    await start();
    at.at('+CREG=2;+CEREG=1');
    expect(line('+CREG?')).toMatch(/^\+CREG: 2,1,"[0-9A-F]{4}","[0-9A-F]{8}",7$/);
    at.out = '';
    emu.device.network.setRegistration('roaming');
    expect(at.out).toMatch(/\r\n\+CREG: 5,"[0-9A-F]{4}","[0-9A-F]{8}",7\r\n\r\n\+CEREG: 5\r\n/);
    expect((await client.get(['simcard_roam'])).simcard_roam).toBe('International');
    at.at('+COPS=3,2');
    expect(line('+COPS?')).toBe('+COPS: 0,2,"20801",7');
  });

  it('selects an operator with COPS, lists the scan and refuses forbidden networks', async () => {
    await start();
    expect(line('+COPS=?')).toBe('+COPS: (2,"Telekom.de","Telekom.de","26201",7),(1,"Orange F","Orange","20801",7),(3,"Other Network","OTHER","26203",2),,(0-4),(0-2)');
    expect(at.at('+COPS=1,2,"26203"')).toBe('\r\n+CME ERROR: 32\r\n');
    expect(at.at('+COPS=1,2,"99999"')).toBe('\r\n+CME ERROR: 111\r\n');
    at.at('+COPS=1,2,"20801"');
    expect(emu.device.state.radio.registration).toBe('roaming');
    expect(line('+CREG?')).toBe('+CREG: 0,5');
    at.at('+COPS=0');
    expect(line('+CREG?')).toBe('+CREG: 0,1');
  });

  it('sends +ZPAS when the technology changes and agrees with network_type', async () => {
    await start('mc888');
    expect(line('+ZPAS?')).toBe('+ZPAS: "LTE","PS_ONLY"');
    at.out = '';
    emu.device.network.setTechnology('SA');
    expect(at.out).toBe('\r\n+ZPAS: "NR5G-SA","PS_ONLY"\r\n');
    expect((await client.get(['network_type'])).network_type).toBe('SA');
  });

  it('reads the battery as +CBC like goform battery_vol_percent', async () => {
    await start();
    emu.clock.advance(600_000);
    await client.login();
    const g = await client.get(['battery_vol_percent', 'battery_charging']);
    expect(line('+CBC')).toBe(`+CBC: 0,${String(g.battery_vol_percent)}`);
  });

  it('an SMS sent with AT+CMGS appears in goform as sent, decoded correctly', async () => {
    await start();
    const [pdu] = buildSubmit({ to: '+4915112345678', text: 'über AT 😀' });
    const { hex, tpduLength } = encodePdu(pdu!);
    expect(at.send(`AT+CMGS=${tpduLength}\r`)).toBe('\r\n> ');
    expect(at.send(`${hex}\x1a`)).toMatch(/\+CMGS: \d+/);
    emu.clock.advance(1000);
    const { messages } = (await client.get('sms_data_total', { page: '0', data_per_page: '10', mem_store: '1', tags: '10' })) as { messages: { content: string; tag: string; number: string }[] };
    expect(messages).toEqual([expect.objectContaining({ number: '+4915112345678', content: encodeUcs2Hex('über AT 😀'), tag: '2' })]);
    // 27.005 §3.5.1: AT+CMGS sends without storing: modem memory does not hold it (smstools would read it back as junk).
    at.at('E0');
    expect(at.at('+CMGL=4')).toBe('\r\nOK\r\n');
    expect(line('+CPMS?')).toMatch(/^\+CPMS: "ME",0,/);
    // AT+CMGW stores (STO UNSENT) and AT+CMSS sends from storage.
    at.at('+CMGF=1');
    at.at('+CMGW="+4915100000055"');
    const stored = at.send('kept\x1a');
    const index = /\+CMGW: (\d+)/.exec(stored)?.[1];
    expect(index).toBeDefined();
    expect(AtProbe.lines(at.at('+CMGL="ALL"'))).toEqual([`+CMGL: ${index},"STO UNSENT","+4915100000055",`, 'kept']);
    expect(at.at(`+CMSS=${index}`)).toMatch(/\+CMSS: \d+/);
  });

  it('reassembles a two-part AT+CMGS into one sent message', async () => {
    await start();
    const text = 'x'.repeat(120) + 'y'.repeat(80);
    for (const part of buildSubmit({ to: '+111', text, concatRef: 9 })) {
      const { hex, tpduLength } = encodePdu(part);
      at.send(`AT+CMGS=${tpduLength}\r`);
      expect(at.send(`${hex}\x1a`)).toMatch(/\+CMGS/);
    }
    expect(emu.device.state.sms.messages.map((m) => m.text)).toEqual([text]);
  });

  it('an SMS sent with goform SEND_SMS is the router\'s record: its sent box, not modem memory; a stored one sent with CMSS stays stored', async () => {
    await start();
    await client.set('SEND_SMS', { Number: '+222', MessageBody: encodeUcs2Hex('via goform'), ID: '-1', encode_type: 'GSM7_default' });
    expect(AtProbe.lines(at.at('+CMGL=4'))).toEqual([]);
    at.at('+CMGF=1');
    at.at('+CMGW="+333"');
    const index = /\+CMGW: (\d+)/.exec(at.send('stored\x1a'))?.[1];
    at.at(`+CMSS=${index}`);
    emu.clock.advance(1500);
    expect(AtProbe.lines(at.at('+CMGL="ALL"'))).toEqual([`+CMGL: ${index},"STO SENT","+333",`, 'stored']);
    const { messages } = (await client.get('sms_data_total', { page: '0', data_per_page: '10', mem_store: '1', tags: '10' })) as { messages: { number: string; tag: string }[] };
    expect(messages.map((m) => [m.number, m.tag]).sort()).toEqual([['+222', '2'], ['+333', '2']]);
  });

  it('an incoming SMS raises +CMTI and reads the same on both; reading it clears the goform unread flag', async () => {
    await start();
    at.at('+CNMI=2,1,0,2,0');
    at.out = '';
    emu.device.sms.receive({ number: '+4915100000001', text: 'Grüße!' });
    const cmti = /\+CMTI: "ME",(\d+)/.exec(at.out);
    expect(cmti).not.toBeNull();
    expect((await client.get(['sms_unread_num'])).sms_unread_num).toBe('1');
    const lines = AtProbe.lines(at.at(`+CMGR=${cmti![1]}`));
    expect(lines[0]).toMatch(/^\+CMGR: 0,,\d+$/);
    const pdu = decodePdu(lines[1]!) as DeliverPdu;
    expect(pdu).toMatchObject({ type: 'deliver', originator: { value: '+4915100000001' }, text: 'Grüße!' });
    expect(pdu.timestamp.tzQuarters).toBe(4);
    expect((await client.get(['sms_unread_num'])).sms_unread_num).toBe('0');
  });

  it('delivers +CMT with the PDU inline when CNMI mt=2, and text-mode +CMT with CMGF=1', async () => {
    await start();
    at.at('+CNMI=2,2,0,0,0');
    at.out = '';
    emu.device.sms.receive({ number: '+1', text: 'inline' });
    expect(at.out).toMatch(/^\r\n\+CMT: ,\d+\r\n[0-9A-F]+\r\n$/);
    at.at('+CMGF=1');
    at.out = '';
    emu.device.sms.receive({ number: '+2', text: 'text mode' });
    expect(at.out).toMatch(/^\r\n\+CMT: "\+2",,"26\/01\/01,01:00:00\+04"\r\ntext mode\r\n$/);
  });

  it('deletes agree: AT+CMGD removes from goform, goform DELETE_SMS removes from AT', async () => {
    await start();
    const { message: a } = emu.device.sms.receive({ number: '+1', text: 'a' }) as { message: SmsMessage };
    emu.device.sms.receive({ number: '+1', text: 'b' });
    at.at(`+CMGD=${emu.modem.index.indexOf(a)}`);
    expect(emu.device.state.sms.messages.map((m) => m.text)).toEqual(['b']);
    const b = emu.device.state.sms.messages[0]!;
    await client.set('DELETE_SMS', { msg_id: `${b.id};` });
    expect(AtProbe.lines(at.at('+CMGL=4'))).toEqual([]);
    expect(at.at('+CMGR=1')).toBe('\r\n+CMS ERROR: 321\r\n');
  });

  it('sends text-mode SMS in UCS2 charset and stores drafts with CMGW', async () => {
    await start();
    at.at('+CMGF=1;+CSCS="UCS2"');
    const to = Buffer.from('+333', 'utf16le').swap16().toString('hex').toUpperCase();
    expect(at.send(`AT+CMGS="${to}"\r`)).toBe('\r\n> ');
    expect(at.send(`${encodeUcs2Hex('Ωmega')}\x1a`)).toMatch(/\+CMGS: \d+/);
    at.at('+CSCS="GSM"');
    at.send('AT+CMGW="+444"\r');
    expect(at.send('draft\x1a')).toMatch(/\+CMGW: \d+/);
    expect(emu.device.state.sms.messages.map((m) => [m.number, m.text, m.tag])).toEqual([['+333', 'Ωmega', 2], ['+444', 'draft', 4]]);
  });

  it('reports memory use with CPMS and switches between ME and SM', async () => {
    await start();
    emu.device.sms.receive({ number: '+1', text: 'sim', store: 'sim' });
    expect(line('+CPMS="SM","SM","SM"')).toBe('+CPMS: 1,20,1,20,1,20');
    expect(AtProbe.lines(at.at('+CMGL=4'))).toHaveLength(2);
    expect(line('+CPMS?')).toBe('+CPMS: "SM",1,20,"SM",1,20,"SM",1,20');
    expect(at.at('+CPMS="XX"')).toBe('\r\n+CMS ERROR: 302\r\n');
  });

  it('answers USSD with a +CUSD URC in the port charset', async () => {
    await start();
    at.at('+CUSD=1,"*100#",15');
    at.out = '';
    emu.clock.advance(2000);
    expect(at.out).toBe('\r\n+CUSD: 0,"Telekom.de: your balance is 12.34 EUR.",15\r\n');
  });

  it('handles PIN entry with CPIN and the same counters as goform', async () => {
    await start();
    withState(emu.device, (s) => void ((s.sim.status = 'pin'), (s.sim.pinEnabled = true)));
    expect(line('+CPIN?')).toBe('+CPIN: SIM PIN');
    expect(at.at('+CPIN="0000"')).toBe('\r\n+CME ERROR: 16\r\n');
    expect((await client.get(['pinnumber'])).pinnumber).toBe('2');
    expect(at.at('+CPIN="1234"')).toBe('\r\nOK\r\n');
    expect((await client.get(['modem_main_state'])).modem_main_state).toBe('modem_init_complete');
  });

  it('manages PDP contexts and the data connection with CGDCONT/CGACT/CGPADDR', async () => {
    await start();
    expect(line('+CGDCONT?')).toBe('+CGDCONT: 1,"IP","internet.telekom","0.0.0.0",0,0');
    at.at('+CGACT=0,1');
    emu.clock.advance(1000);
    expect((await client.get(['ppp_status'])).ppp_status).toBe('ppp_disconnected');
    expect(line('+CGPADDR=1')).toBe('+CGPADDR: 1,"0.0.0.0"');
    at.at('+CGACT=1,1');
    emu.clock.advance(3000);
    expect(line('+CGPADDR=1')).toBe(`+CGPADDR: 1,"${emu.device.state.connection.wanIpv4}"`);
  });

  it('powers the radio down with CFUN=4 and back with CFUN=1', async () => {
    await start();
    at.at('+CFUN=4');
    expect(line('+CFUN?')).toBe('+CFUN: 4');
    expect(line('+CREG?')).toBe('+CREG: 0,0');
    at.at('+CFUN=1');
    expect(line('+CREG?')).toBe('+CREG: 0,1');
  });

  it('answers what ModemManager reads during set-up: SIM files, PIN lock, flow control, event reporting', async () => {
    await start();
    const home = emu.device.state.homeOperator;
    expect(line('+CRSM=176,28589,0,0,4')).toBe(`+CRSM: 144,0,"0000000${home.mnc.length}"`);
    // EF_SPN: display condition 01, then the name one GSM-7 character per byte, FF-padded to 16 (31.102 §4.2.12).
    const spn = /^\+CRSM: 144,0,"([0-9A-F]{34})"$/.exec(line('+CRSM=176,28486,0,0,17'))![1]!;
    expect(Buffer.from(spn.slice(2), 'hex').toString('latin1').replace(/\xff+$/, '')).toBe(home.shortName);
    expect(line('+CRSM=176,28472,0,0,15')).toBe('+CRSM: 106,130');
    expect(line('+CLCK="SC",2')).toBe('+CLCK: 0');
    const pin = emu.device.state.sim.pin;
    expect(at.at('+CLCK="SC",1,"9999"')).toBe('\r\n+CME ERROR: 16\r\n');
    expect(at.at(`+CLCK="SC",1,"${pin}"`)).toBe('\r\nOK\r\n');
    expect((await client.get(['pin_status'])).pin_status).toBe('1');
    expect(line('+CLCK="SC",2')).toBe('+CLCK: 1');
    expect(at.at('+CLCK="AO",2')).toBe('\r\n+CME ERROR: 4\r\n');
    expect(line('+IFC?')).toBe('+IFC: 2,2');
    expect(at.at('+IFC=3')).toBe('\r\n+CME ERROR: 50\r\n');
    at.at('+CGEREP=2,1;+CTZU=1');
    expect([line('+CGEREP?'), line('+CTZU?'), line('+CEMODE?')]).toEqual(['+CGEREP: 2,1', '+CTZU: 1', '+CEMODE: 0']);
    expect(at.at('+CLCC')).toBe('\r\nOK\r\n');
  });

  it('lists its commands with CLAC', async () => {
    await start();
    const names = AtProbe.lines(at.at('+CLAC'));
    expect(names).toEqual(expect.arrayContaining(['AT+CMGS', 'AT+ZPAS', 'AT+CNUM', 'AT+CESQ']));
  });
});
