import { BenchError } from '../../hil/errors.js';
import { fromSeptets, isGsm7, packSeptets, toSeptets, unpackSeptets } from './gsm7.js';

// SMS PDUs as exchanged over AT (27.005 §3.1, 23.040 §9.2): SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT,
// with the SMSC field first. decodePdu and encodePdu are inverses: encodePdu(decodePdu(hex)) === hex.

export type Alphabet = 'gsm7' | '8bit' | 'ucs2';

/** An address: `+digits` (international, TOA 0x91), digits (TOA 0x81 or as given) or alphanumeric (TOA 0xD0). */
export interface Address {
  value: string;
  toa: number;
}

/** A service-centre time stamp: the instant, and the sender's zone in quarter hours (23.040 §9.2.3.11). */
export interface Timestamp {
  utcMs: number;
  tzQuarters: number;
}

export type Validity =
  | { format: 'none' }
  | { format: 'relative'; code: number }
  | { format: 'absolute'; time: Timestamp }
  | { format: 'enhanced'; octets: string };

export interface UdhElement {
  iei: number;
  data: number[];
}

export interface Concat {
  ref: number;
  total: number;
  seq: number;
  refBits: 8 | 16;
}

interface PduBase {
  smsc: Address | null;
  /** The raw first octet; on encode its TP-MTI, TP-UDHI and TP-VPF bits are set from the content. */
  firstOctet: number;
}

interface UserData {
  pid: number;
  dcs: number;
  udh: UdhElement[] | null;
  /** The text (GSM-7 / UCS-2); for 8-bit data, one char per octet (latin1). */
  text: string;
  /** Value of the GSM-7 fill bits after a UDH, as received (senders do not all leave them zero). */
  fillValue?: number;
}

export interface DeliverPdu extends PduBase, UserData {
  type: 'deliver';
  originator: Address;
  timestamp: Timestamp;
}

export interface SubmitPdu extends PduBase, UserData {
  type: 'submit';
  mr: number;
  destination: Address;
  validity: Validity;
}

export interface StatusReportPdu extends PduBase {
  type: 'status-report';
  mr: number;
  recipient: Address;
  timestamp: Timestamp;
  dischargeTime: Timestamp;
  status: number;
}

export type Pdu = DeliverPdu | SubmitPdu | StatusReportPdu;

const MTI = { deliver: 0, submit: 1, 'status-report': 2 } as const;
const VPF = { none: 0, enhanced: 1, relative: 2, absolute: 3 } as const;

// --- decoding ---

/** Decodes a PDU with its SMSC field (as AT +CMGR/+CMGL/+CMT carry it). Throws INVALID_ARGUMENT on bad input. */
export function decodePdu(hex: string): Pdu {
  if (!/^([0-9A-Fa-f]{2})+$/.test(hex)) throw bad(`not an even-length hex string: "${hex.slice(0, 24)}"`);
  const r = new Reader(Buffer.from(hex, 'hex'));
  const smscLen = r.u8();
  const smsc = smscLen === 0 ? null : decodeSmsc(r.bytes(smscLen));
  const firstOctet = r.u8();
  const mti = firstOctet & 3;
  // Over AT, MTI 0 is an SMS-DELIVER and 1 an SMS-SUBMIT (the REPORT types do not appear in +CMGR/+CMGS).
  if (mti === 2) {
    const mr = r.u8();
    const recipient = decodeAddress(r);
    const timestamp = decodeTimestamp(r.bytes(7));
    const dischargeTime = decodeTimestamp(r.bytes(7));
    const status = r.u8();
    return { type: 'status-report', smsc, firstOctet, mr, recipient, timestamp, dischargeTime, status };
  }
  if (mti === 1) {
    const mr = r.u8();
    const destination = decodeAddress(r);
    const pid = r.u8();
    const dcs = r.u8();
    const vpf = (firstOctet >> 3) & 3;
    const validity: Validity =
      vpf === VPF.relative ? { format: 'relative', code: r.u8() }
        : vpf === VPF.absolute ? { format: 'absolute', time: decodeTimestamp(r.bytes(7)) }
          : vpf === VPF.enhanced ? { format: 'enhanced', octets: Buffer.from(r.bytes(7)).toString('hex').toUpperCase() }
            : { format: 'none' };
    const ud = decodeUserData(r, firstOctet, dcs);
    return { type: 'submit', smsc, firstOctet, mr, destination, pid, dcs, validity, ...ud };
  }
  if (mti !== 0) throw bad(`TP-MTI ${mti} is reserved`);
  const originator = decodeAddress(r);
  const pid = r.u8();
  const dcs = r.u8();
  const timestamp = decodeTimestamp(r.bytes(7));
  const ud = decodeUserData(r, firstOctet, dcs);
  return { type: 'deliver', smsc, firstOctet, originator, pid, dcs, timestamp, ...ud };
}

/** The alphabet a TP-DCS value selects (23.038 §4). */
export function dcsAlphabet(dcs: number): Alphabet {
  const group = dcs >> 4;
  if (group <= 0x7) {
    if (dcs & 0x20) return '8bit'; // compressed: treat as opaque data
    const a = (dcs >> 2) & 3;
    return a === 1 ? '8bit' : a === 2 ? 'ucs2' : 'gsm7';
  }
  if (group === 0xe) return 'ucs2';
  if (group === 0xf) return dcs & 0x04 ? '8bit' : 'gsm7';
  return 'gsm7';
}

/** The concatenation IE of a PDU (8- or 16-bit reference), or null for a single message. */
export function concatOf(pdu: Pdu): Concat | null {
  if (pdu.type === 'status-report' || !pdu.udh) return null;
  for (const e of pdu.udh) {
    if (e.iei === 0x00 && e.data.length === 3) return { ref: e.data[0]!, total: e.data[1]!, seq: e.data[2]!, refBits: 8 };
    if (e.iei === 0x08 && e.data.length === 4) return { ref: (e.data[0]! << 8) | e.data[1]!, total: e.data[2]!, seq: e.data[3]!, refBits: 16 };
  }
  return null;
}

// --- encoding ---

/** Encodes a PDU with its SMSC field. Returns upper-case hex and the TPDU length that AT+CMGS expects. */
export function encodePdu(pdu: Pdu): { hex: string; tpduLength: number } {
  const smsc = pdu.smsc ? encodeSmsc(pdu.smsc) : [0];
  const w: number[] = [];
  if (pdu.type === 'status-report') {
    w.push((pdu.firstOctet & ~3) | MTI['status-report'], pdu.mr & 0xff, ...encodeAddress(pdu.recipient));
    w.push(...encodeTimestamp(pdu.timestamp), ...encodeTimestamp(pdu.dischargeTime), pdu.status & 0xff);
  } else {
    const udhi = pdu.udh && pdu.udh.length > 0 ? 0x40 : 0;
    if (pdu.type === 'submit') {
      const vpf = VPF[pdu.validity.format];
      w.push((pdu.firstOctet & ~(3 | 0x40 | 0x18)) | MTI.submit | udhi | (vpf << 3), pdu.mr & 0xff);
      w.push(...encodeAddress(pdu.destination), pdu.pid, pdu.dcs, ...encodeValidity(pdu.validity));
    } else {
      w.push((pdu.firstOctet & ~(3 | 0x40)) | MTI.deliver | udhi);
      w.push(...encodeAddress(pdu.originator), pdu.pid, pdu.dcs, ...encodeTimestamp(pdu.timestamp));
    }
    w.push(...encodeUserData(pdu));
  }
  return { hex: Buffer.from([...smsc, ...w]).toString('hex').toUpperCase(), tpduLength: w.length };
}

export interface OutgoingText {
  to: string;
  text: string;
  smsc?: string | null;
  mr?: number;
  /** Relative validity code (0xA7 = 24 h); default none. */
  validityCode?: number;
  statusReport?: boolean;
  /** Reference for the concatenation IE when the text needs several parts; default 0. */
  concatRef?: number;
  concatRefBits?: 8 | 16;
}

/** One stored part of a message: its text, alphabet and place in the concatenation (total 1: not concatenated). */
export interface TextPart {
  text: string;
  alphabet: 'gsm7' | 'ucs2';
  seq: number;
  total: number;
}

/** SMS-SUBMIT PDUs for a text: one, or several with a concatenation header (153 septets / 67 UCS-2 units each). */
export function buildSubmit(input: OutgoingText): SubmitPdu[] {
  const { alphabet, parts } = splitText(input.text, input.concatRefBits ?? 8);
  return parts.map((text, i) => submitPart(input, { text, alphabet: alphabet === 'ucs2' ? 'ucs2' : 'gsm7', seq: i + 1, total: parts.length }, ((input.mr ?? 0) + i) & 0xff));
}

/** The SMS-SUBMIT of one part, headed as part `seq` of `total` (a stored draft or sent part reads back as this). */
export function submitPart(input: Omit<OutgoingText, 'text'>, part: TextPart, mr = input.mr ?? 0): SubmitPdu {
  return {
    type: 'submit',
    smsc: input.smsc ? parseAddress(input.smsc) : null,
    firstOctet: input.statusReport ? 0x20 : 0,
    mr,
    destination: parseAddress(input.to),
    pid: 0,
    dcs: part.alphabet === 'ucs2' ? 0x08 : 0x00,
    validity: input.validityCode === undefined ? { format: 'none' } : { format: 'relative', code: input.validityCode },
    udh: part.total > 1 ? [concatElement(input.concatRef ?? 0, part.total, part.seq, input.concatRefBits ?? 8)] : null,
    text: part.text,
  };
}

export interface IncomingText {
  from: string;
  text: string;
  smsc: string;
  timestamp: Timestamp;
  concatRef?: number;
}

/** SMS-DELIVER PDUs for an incoming text, split and headed like a network would deliver it. */
export function buildDeliver(input: IncomingText): DeliverPdu[] {
  const { alphabet, parts } = splitText(input.text, 8);
  return parts.map((text, i) => deliverPart(input, { text, alphabet: alphabet === 'ucs2' ? 'ucs2' : 'gsm7', seq: i + 1, total: parts.length }));
}

/** The SMS-DELIVER of one received part, as the network delivered it. */
export function deliverPart(input: Omit<IncomingText, 'text'>, part: TextPart): DeliverPdu {
  return {
    type: 'deliver',
    smsc: parseAddress(input.smsc),
    firstOctet: 0x04, // TP-MMS: no more messages waiting
    originator: parseAddress(input.from),
    pid: 0,
    dcs: part.alphabet === 'ucs2' ? 0x08 : 0x00,
    timestamp: input.timestamp,
    udh: part.total > 1 ? [concatElement(input.concatRef ?? 0, part.total, part.seq, 8)] : null,
    text: part.text,
  };
}

/**
 * Splits a text into SMS parts: GSM-7 when every character is in the default alphabet (160 septets single,
 * 153 per part), else UCS-2 (70 / 67 units). Escape pairs and surrogate pairs are never split.
 */
export function splitText(text: string, refBits: 8 | 16 = 8): { alphabet: Alphabet; parts: string[] } {
  const headerCost = refBits === 8 ? 6 : 7; // UDHL + IE octets
  if (isGsm7(text)) {
    const septets = toSeptets(text)!;
    if (septets.length <= 160) return { alphabet: 'gsm7', parts: [text] };
    const perPart = Math.floor((140 - headerCost) * 8 / 7);
    return { alphabet: 'gsm7', parts: chunk(text, perPart, (ch) => toSeptets(ch)!.length) };
  }
  if (text.length <= 70) return { alphabet: 'ucs2', parts: [text] };
  return { alphabet: 'ucs2', parts: chunk(text, Math.floor((140 - headerCost) / 2), (ch) => ch.length) };
}

export function parseAddress(value: string): Address {
  if (/^\+[0-9*#]+$/.test(value)) return { value, toa: 0x91 };
  if (/^[0-9*#]+$/.test(value)) return { value, toa: 0x81 };
  if (!isGsm7(value)) throw bad(`address "${value}" is neither a number nor GSM-7 text`);
  return { value, toa: 0xd0 };
}

/** Relative validity code -> minutes (23.040 §9.2.3.12.1). */
export function relativeValidityMinutes(code: number): number {
  if (code <= 143) return (code + 1) * 5;
  if (code <= 167) return 720 + (code - 143) * 30;
  if (code <= 196) return (code - 166) * 1440;
  return (code - 192) * 10080;
}

// --- internal ---

class Reader {
  #pos = 0;
  constructor(readonly buf: Buffer) {}
  u8(): number {
    if (this.#pos >= this.buf.length) throw bad('PDU ends too early');
    return this.buf[this.#pos++]!;
  }
  bytes(n: number): Uint8Array {
    if (this.#pos + n > this.buf.length) throw bad(`PDU ends too early (wanted ${n} more octets)`);
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  rest(): Uint8Array {
    return this.bytes(this.buf.length - this.#pos);
  }
}

function bad(message: string): BenchError {
  return new BenchError('INVALID_ARGUMENT', `[modem:pdu] ${message}`);
}

const BCD = '0123456789*#abc';

function decodeBcd(bytes: Uint8Array, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) {
    const b = bytes[i >> 1]!;
    const nibble = i & 1 ? b >> 4 : b & 0x0f;
    if (nibble === 0x0f) break;
    out += BCD[nibble] ?? '';
  }
  return out;
}

function encodeBcd(digits: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = BCD.indexOf(digits[i]!);
    const hi = i + 1 < digits.length ? BCD.indexOf(digits[i + 1]!) : 0x0f;
    if (lo < 0 || hi < 0) throw bad(`"${digits}" has a character that is not a BCD digit`);
    out.push((hi << 4) | lo);
  }
  return out;
}

function decodeSmsc(bytes: Uint8Array): Address {
  const toa = bytes[0]!;
  const digits = decodeBcd(bytes.subarray(1), (bytes.length - 1) * 2);
  return { value: ((toa >> 4) & 7) === 1 ? `+${digits}` : digits, toa };
}

function encodeSmsc(a: Address): number[] {
  const body = encodeBcd(a.value.replace(/^\+/, ''));
  return [body.length + 1, a.toa, ...body];
}

function decodeAddress(r: Reader): Address {
  const len = r.u8();
  const toa = r.u8();
  const octets = r.bytes(Math.ceil(len / 2));
  if (((toa >> 4) & 7) === 5) {
    // Alphanumeric: GSM-7 packed, the length counts useful semi-octets (23.040 §9.1.2.5).
    return { value: fromSeptets(unpackSeptets(octets, Math.floor((len * 4) / 7))), toa };
  }
  const digits = decodeBcd(octets, len);
  return { value: ((toa >> 4) & 7) === 1 ? `+${digits}` : digits, toa };
}

function encodeAddress(a: Address): number[] {
  if (((a.toa >> 4) & 7) === 5) {
    const septets = toSeptets(a.value);
    if (!septets) throw bad(`alphanumeric address "${a.value}" is not GSM-7`);
    const packed = packSeptets(septets);
    return [Math.ceil((septets.length * 7) / 4), a.toa, ...packed];
  }
  const digits = a.value.replace(/^\+/, '');
  return [digits.length, a.toa, ...encodeBcd(digits)];
}

function swapNibbles(b: number): number {
  return ((b & 0x0f) * 10) + (b >> 4);
}

function decodeTimestamp(b: Uint8Array): Timestamp {
  const [yy, mo, dd, hh, mi, ss] = [0, 1, 2, 3, 4, 5].map((i) => swapNibbles(b[i]!)) as [number, number, number, number, number, number];
  const tzRaw = b[6]!;
  // The zone octet: low nibble = tens (bit 3 = sign), high nibble = units, in quarter hours.
  const quarters = ((tzRaw & 0x07) * 10 + (tzRaw >> 4)) * (tzRaw & 0x08 ? -1 : 1);
  const local = Date.UTC(yy < 70 ? 2000 + yy : 1900 + yy, mo - 1, dd, hh, mi, ss);
  return { utcMs: local - quarters * 15 * 60_000, tzQuarters: quarters };
}

function encodeTimestamp(t: Timestamp): number[] {
  const d = new Date(t.utcMs + t.tzQuarters * 15 * 60_000);
  const bcd = (n: number): number => ((n % 10) << 4) | Math.floor(n / 10);
  const q = Math.abs(t.tzQuarters);
  // Object.is: a -0 zone (as in some captures) keeps its sign bit.
  const negative = t.tzQuarters < 0 || Object.is(t.tzQuarters, -0);
  return [
    bcd(d.getUTCFullYear() % 100), bcd(d.getUTCMonth() + 1), bcd(d.getUTCDate()),
    bcd(d.getUTCHours()), bcd(d.getUTCMinutes()), bcd(d.getUTCSeconds()),
    ((q % 10) << 4) | Math.floor(q / 10) | (negative ? 0x08 : 0),
  ];
}

function encodeValidity(v: Validity): number[] {
  switch (v.format) {
    case 'none':
      return [];
    case 'relative':
      return [v.code & 0xff];
    case 'absolute':
      return encodeTimestamp(v.time);
    case 'enhanced':
      return [...Buffer.from(v.octets, 'hex')];
  }
}

function decodeUserData(r: Reader, firstOctet: number, dcs: number): { udh: UdhElement[] | null; text: string; fillValue?: number } {
  const udl = r.u8();
  const rest = r.rest();
  const alphabet = dcsAlphabet(dcs);
  let udh: UdhElement[] | null = null;
  let headerOctets = 0;
  if (firstOctet & 0x40) {
    const udhl = rest[0] ?? 0;
    headerOctets = udhl + 1;
    udh = [];
    for (let i = 1; i < headerOctets; ) {
      const iei = rest[i]!;
      const len = rest[i + 1] ?? 0;
      udh.push({ iei, data: [...rest.subarray(i + 2, i + 2 + len)] });
      i += 2 + len;
    }
  }
  if (alphabet === 'gsm7') {
    const headerBits = headerOctets * 8;
    const fill = (7 - (headerBits % 7)) % 7;
    const headerSeptets = (headerBits + fill) / 7;
    const body = rest.subarray(headerOctets);
    const septets = unpackSeptets(body, udl - headerSeptets, fill);
    const fillValue = fill > 0 ? (body[0] ?? 0) & ((1 << fill) - 1) : 0;
    return { udh, text: fromSeptets(septets), ...(fillValue ? { fillValue } : {}) };
  }
  const payload = rest.subarray(headerOctets, udl);
  if (alphabet === 'ucs2') return { udh, text: Buffer.from(payload).swap16().toString('utf16le') };
  return { udh, text: Buffer.from(payload).toString('latin1') };
}

function encodeUserData(pdu: DeliverPdu | SubmitPdu): number[] {
  const header: number[] = [];
  if (pdu.udh && pdu.udh.length > 0) {
    for (const e of pdu.udh) header.push(e.iei, e.data.length, ...e.data);
    header.unshift(header.length);
  }
  const alphabet = dcsAlphabet(pdu.dcs);
  if (alphabet === 'gsm7') {
    const septets = toSeptets(pdu.text);
    if (!septets) throw bad('text has characters outside GSM-7 but the DCS selects GSM-7');
    const headerBits = header.length * 8;
    const fill = (7 - (headerBits % 7)) % 7;
    const packed = packSeptets(septets, fill);
    if (fill > 0 && pdu.fillValue) packed[0]! |= pdu.fillValue & ((1 << fill) - 1);
    const udl = (headerBits + fill) / 7 + septets.length;
    if (udl > 160) throw bad(`user data of ${udl} septets exceeds 160`);
    return [udl, ...header, ...packed];
  }
  const payload = alphabet === 'ucs2' ? [...Buffer.from(pdu.text, 'utf16le').swap16()] : [...Buffer.from(pdu.text, 'latin1')];
  if (header.length + payload.length > 140) throw bad(`user data of ${header.length + payload.length} octets exceeds 140`);
  return [header.length + payload.length, ...header, ...payload];
}

function concatElement(ref: number, total: number, seq: number, refBits: 8 | 16): UdhElement {
  return refBits === 8
    ? { iei: 0x00, data: [ref & 0xff, total, seq] }
    : { iei: 0x08, data: [(ref >> 8) & 0xff, ref & 0xff, total, seq] };
}

function chunk(text: string, limit: number, cost: (ch: string) => number): string[] {
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const ch of text) {
    const c = cost(ch);
    if (used + c > limit) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += ch;
    used += c;
  }
  if (current) parts.push(current);
  return parts;
}

