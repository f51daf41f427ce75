import { BenchError } from '../../hil/errors.js';

// GSM 03.38 / 23.038 default alphabet and its extension table, and septet packing (23.040 §9.2.3.24).

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Extension table: septet after ESC (0x1B) -> character. */
const EXTENSION: Record<number, string> = { 0x0a: '\f', 0x14: '^', 0x28: '{', 0x29: '}', 0x2f: '\\', 0x3c: '[', 0x3d: '~', 0x3e: ']', 0x40: '|', 0x65: '€' };
export const ESC = 0x1b;

const BASIC_CODE = new Map<string, number>([...BASIC].map((ch, i) => [ch, i]));
const EXT_CODE = new Map<string, number>(Object.entries(EXTENSION).map(([code, ch]) => [ch, Number(code)]));

/** Septets for `text`, extension characters as ESC + code; null when a character is not in GSM-7. */
export function toSeptets(text: string): number[] | null {
  const out: number[] = [];
  for (const ch of text) {
    const basic = BASIC_CODE.get(ch);
    if (basic !== undefined && basic !== ESC) {
      out.push(basic);
      continue;
    }
    const ext = EXT_CODE.get(ch);
    if (ext === undefined) return null;
    out.push(ESC, ext);
  }
  return out;
}

export function fromSeptets(septets: readonly number[]): string {
  let out = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]!;
    if (s === ESC && i + 1 < septets.length) {
      const next = septets[++i]!;
      // 23.038: an unknown extension code shows as the basic character (ESC is read as a space).
      out += EXTENSION[next] ?? BASIC[next];
      continue;
    }
    out += s === ESC ? ' ' : BASIC[s];
  }
  return out;
}

export function isGsm7(text: string): boolean {
  return toSeptets(text) !== null;
}

/**
 * Packs septets LSB-first after `fillBits` zero bits (the UDH padding, 23.040 §9.2.3.16). Spare bits stay
 * zero: 23.038 suggests CR there for 7-mod-8 lengths, but the real encoders behind the reference vectors
 * (modem-at.md §6.3) leave them zero, and receivers read the septet count from TP-UDL anyway.
 */
export function packSeptets(septets: readonly number[], fillBits = 0): Uint8Array {
  const totalBits = fillBits + septets.length * 7;
  const out = new Uint8Array(Math.ceil(totalBits / 8));
  let bit = fillBits;
  for (const s of septets) {
    for (let b = 0; b < 7; b++, bit++) if (s & (1 << b)) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}

export function unpackSeptets(bytes: Uint8Array, count: number, fillBits = 0): number[] {
  if (Math.ceil((fillBits + count * 7) / 8) > bytes.length) {
    throw new BenchError('INVALID_ARGUMENT', `[modem:pdu] ${count} septets do not fit in ${bytes.length} octets`);
  }
  const out: number[] = [];
  let bit = fillBits;
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let b = 0; b < 7; b++, bit++) if (bytes[bit >> 3]! & (1 << (bit & 7))) s |= 1 << b;
    out.push(s);
  }
  return out;
}
