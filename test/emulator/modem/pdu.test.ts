import { describe, expect, it } from 'vitest';
import { buildDeliver, buildSubmit, concatOf, decodePdu, encodePdu, relativeValidityMinutes, splitText, type DeliverPdu, type StatusReportPdu, type SubmitPdu } from '../../../emulator/modem/pdu.js';
import { packSeptets, toSeptets, unpackSeptets } from '../../../emulator/modem/gsm7.js';

// Every vector of modem-at.md §6.3, decoded and re-encoded byte for byte.

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

interface Vector { hex: string; check: (pdu: ReturnType<typeof decodePdu>) => void }

const VECTORS: Record<string, Vector> = {
  'dreamfabric DELIVER "How are you?"': {
    hex: '07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07',
    check(p) {
      const d = p as DeliverPdu;
      expect(d).toMatchObject({ type: 'deliver', smsc: { value: '+31624000000' }, originator: { value: '+31641600986' }, text: 'How are you?' });
      expect(iso(d.timestamp.utcMs)).toBe('2002-08-26T19:37:41Z');
      expect(d.timestamp.tzQuarters).toBe(-0);
    },
  },
  'DELIVER "Test2" at +02:00': {
    hex: '06917228195339040B917228214365F700003130805120618005D4F29C2E03',
    check(p) {
      const d = p as DeliverPdu;
      expect(d).toMatchObject({ smsc: { value: '+2782913593' }, originator: { value: '+27821234567' }, text: 'Test2' });
      expect(d.timestamp.tzQuarters).toBe(8);
      expect(iso(d.timestamp.utcMs)).toBe('2013-03-08T13:02:16Z');
    },
  },
  'DELIVER at +08:00': {
    hex: '07915892000000F0040B915892214365F700007040213252242331493A283D0795C3F33C88FE06C9CB6132885EC6D341EDF27C1E3E97E7207B3A0C0A5241E377BB1D7693E72E',
    check(p) {
      const d = p as DeliverPdu;
      expect(d.text).toBe('It is easy to read text messages via AT commands.');
      expect(d.timestamp.tzQuarters).toBe(32);
      expect(iso(d.timestamp.utcMs)).toBe('2007-04-12T15:25:42Z');
    },
  },
  'DELIVER with UDH concat 8-bit ref and national sender': {
    hex: '0591721891F1400781721881F800003160526104848059050003C30101916536FB1DCABEEB2074D85E064941B19CAB060319A5C522289C96D3D3ED32286C0FA7D96131BBEC024941B19CAB0603DDD36C36A88C87A7E565D0DB0D82C55EB0DB4B068BCD5C20',
    check(p) {
      expect(p).toMatchObject({ smsc: { value: '+2781191' }, originator: { value: '2781188' } });
      expect((p as DeliverPdu).text).toBe('Hello!You have R 19.50 FREE airtime available. R 19.50 will expire on 01/07/2013. ');
      expect(concatOf(p)).toEqual({ ref: 0xc3, total: 1, seq: 1, refBits: 8 });
    },
  },
  'DELIVER UCS-2 from alphanumeric "Megafon", part 1/2': {
    hex: '07919762020033F1400DD0CDF2396C7EBB010008415072411084618C0500035602010053004D005300200063006F00640065003A00200034003800350036002C00200063006F006E006600690072006D006100740069006F006E0020006F00660020006100730073006F00630069006100740069006F006E0020006200650074007700650065006E0020006100630063006F0075006E007400200061006E00640020004D00650067',
    check(p) {
      const d = p as DeliverPdu;
      expect(d.originator).toEqual({ value: 'Megafon', toa: 0xd0 });
      expect(d.text).toBe('SMS code: 4856, confirmation of association between account and Meg');
      expect(concatOf(p)).toEqual({ ref: 0x56, total: 2, seq: 1, refBits: 8 });
      expect(d.timestamp.tzQuarters).toBe(16);
      expect(iso(d.timestamp.utcMs)).toBe('2014-05-27T10:01:48Z');
    },
  },
  'DELIVER GSM-7 with extension characters': {
    hex: '06917228195339040B917228214365F70000313062315352800A800D8A5E98D337A910',
    check(p) {
      expect((p as DeliverPdu).text).toBe('@{tést}!');
    },
  },
  'STATUS-REPORT delivered': {
    hex: '0006D60B911326880736F4111011719551401110117195714000',
    check(p) {
      const s = p as StatusReportPdu;
      expect(s).toMatchObject({ type: 'status-report', smsc: null, mr: 214, recipient: { value: '+31628870634' }, status: 0 });
      // 17:59:15 local at +01:00 (zone octet 40 = 4 quarter hours).
      expect(iso(s.timestamp.utcMs)).toBe('2011-01-11T16:59:15Z');
      expect(s.timestamp.tzQuarters).toBe(4);
    },
  },
  'SUBMIT "Hello World!" without VP': {
    hex: '0001000B917228001011F100000CC8329BFD065DDF72363904',
    check(p) {
      expect(p).toMatchObject({ type: 'submit', smsc: null, mr: 0, destination: { value: '+27820001111' }, validity: { format: 'none' }, text: 'Hello World!' });
    },
  },
  'SUBMIT with relative VP of 4 days': {
    hex: '0011000B916407281553F80000AA0AE8329BFD4697D9EC37',
    check(p) {
      const s = p as SubmitPdu;
      expect(s).toMatchObject({ destination: { value: '+46708251358' }, validity: { format: 'relative', code: 0xaa }, text: 'hellohello' });
      expect(relativeValidityMinutes(0xaa)).toBe(4 * 1440);
    },
  },
  'SUBMIT with the RD bit (the "flash" caveat)': {
    hex: '0005000B917228001011F10000094676788E064D9B53',
    check(p) {
      expect(p.firstOctet & 0x04).toBe(0x04);
      expect((p as SubmitPdu).text).toBe('Flash SMS');
    },
  },
  'SUBMIT UCS-2 with SMSC': {
    hex: '07914400000000F01100099121436587F90008F40A4E16754C60A8597DFF01',
    check(p) {
      expect(p).toMatchObject({ smsc: { value: '+44000000000' }, destination: { value: '+123456789' }, text: '世界您好！', validity: { format: 'relative', code: 0xf4 } });
    },
  },
  'SUBMIT with status report request': {
    hex: '07911326040000F0310D0B911326880736F40000A90FF7FBDD454E87CDE1B0DB357EB701',
    check(p) {
      expect(p).toMatchObject({ mr: 0x0d, destination: { value: '+31628870634' }, text: 'www.diafaan.com' });
      expect(p.firstOctet & 0x20).toBe(0x20);
    },
  },
  'SUBMIT with absolute VP': {
    hex: '0019000B917228001011F100003170013193008017D474BB3CA787DB70903DCC4E93D3F43C885E9ED301',
    check(p) {
      const s = p as SubmitPdu;
      expect(s.text).toBe('Timestamp validity test');
      expect(s.validity.format).toBe('absolute');
      if (s.validity.format === 'absolute') {
        expect(iso(s.validity.time.utcMs)).toBe('2013-07-10T11:39:00Z');
        expect(s.validity.time.tzQuarters).toBe(8);
      }
    },
  },
};

describe('SMS PDU codec against the reference vectors', () => {
  it.each(Object.entries(VECTORS))('%s decodes to the documented fields', (_name, v) => {
    v.check(decodePdu(v.hex));
  });

  it.each(Object.entries(VECTORS))('%s re-encodes byte for byte', (_name, v) => {
    expect(encodePdu(decodePdu(v.hex)).hex).toBe(v.hex.toUpperCase());
  });

  it('reports the TPDU length without the SMSC field, as AT+CMGS wants it', () => {
    const hex = '07914400000000F01100099121436587F90008F40A4E16754C60A8597DFF01';
    expect(encodePdu(decodePdu(hex)).tpduLength).toBe(hex.length / 2 - 8);
  });
});

describe('building PDUs', () => {
  it('splits a 200-character GSM-7 text into two concatenated SUBMIT parts and they decode back', () => {
    const text = 'abcdefghij'.repeat(20);
    const parts = buildSubmit({ to: '+4915112345678', text, concatRef: 42 });
    expect(parts).toHaveLength(2);
    const decoded = parts.map((p) => decodePdu(encodePdu(p).hex) as SubmitPdu);
    expect(decoded.map((d) => d.text).join('')).toBe(text);
    expect(decoded.map((d) => concatOf(d))).toEqual([
      { ref: 42, total: 2, seq: 1, refBits: 8 },
      { ref: 42, total: 2, seq: 2, refBits: 8 },
    ]);
    expect(decoded[0]!.text).toHaveLength(153);
  });

  it('uses 16-bit references when asked, and UCS-2 for emoji without splitting surrogate pairs', () => {
    const text = '😀'.repeat(40);
    const parts = buildSubmit({ to: '123', text, concatRef: 0x1234, concatRefBits: 16 });
    const decoded = parts.map((p) => decodePdu(encodePdu(p).hex) as SubmitPdu);
    expect(decoded.map((d) => d.text).join('')).toBe(text);
    expect(concatOf(decoded[0]!)).toMatchObject({ ref: 0x1234, refBits: 16 });
    expect(decoded.every((d) => d.dcs === 0x08)).toBe(true);
  });

  it('builds DELIVER PDUs with a time stamp and zone that decode back', () => {
    const ts = { utcMs: Date.UTC(2026, 0, 1, 12, 0, 0), tzQuarters: 4 };
    const [pdu] = buildDeliver({ from: 'TELKOMSEL', text: 'Price: 5€ [promo]', smsc: '+4915900000000', timestamp: ts });
    const back = decodePdu(encodePdu(pdu!).hex) as DeliverPdu;
    expect(back).toMatchObject({ originator: { value: 'TELKOMSEL', toa: 0xd0 }, text: 'Price: 5€ [promo]', timestamp: ts });
  });

  it('counts extension characters as two septets when splitting', () => {
    expect(splitText('€'.repeat(80)).parts).toHaveLength(1);
    expect(splitText('€'.repeat(81)).parts).toHaveLength(2);
    expect(splitText('a'.repeat(160)).parts).toHaveLength(1);
    expect(splitText('é'.repeat(70)).alphabet).toBe('gsm7');
    expect(splitText('ł'.repeat(71)).parts).toHaveLength(2);
  });

  it('packs 8 septets into 7 octets and back, with UDH fill bits', () => {
    const septets = toSeptets('abcdefgh')!;
    expect(packSeptets(septets)).toHaveLength(7);
    expect(unpackSeptets(packSeptets(septets), 8)).toEqual(septets);
    expect(unpackSeptets(packSeptets(septets, 1), 8, 1)).toEqual(septets);
  });

  it('refuses malformed hex and truncated PDUs with INVALID_ARGUMENT', () => {
    expect(() => decodePdu('0G')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => decodePdu('0001000B9172')).toThrow(/ends too early/);
  });
});
