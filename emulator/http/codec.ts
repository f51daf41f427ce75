import { createHash } from 'node:crypto';
import { BenchError } from '../../hil/errors.js';

// Wire encodings of the goform API (goform-api.md §5.2, §5.3, §2.2).

/** Text -> UCS-2 big-endian hex, 4 upper-case hex digits per UTF-16 unit (emoji as surrogate pairs). */
export function encodeUcs2Hex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return out;
}

/**
 * UCS-2 hex -> text. Also accepts the web UI's quirk of writing a non-BMP character as one 5-digit code
 * point (e.g. `1F60E`, goform-api.md §5.2): a 5-digit plane-1 chunk is taken whenever the remaining length
 * is not a multiple of 4. Throws INVALID_ARGUMENT on anything else that is not hex.
 */
export function decodeUcs2Hex(hex: string): string {
  if (!/^[0-9A-Fa-f]*$/.test(hex)) {
    throw new BenchError('INVALID_ARGUMENT', `[emulator:goform] message body is not hex: "${hex.slice(0, 20)}"`);
  }
  let out = '';
  let i = 0;
  while (i < hex.length) {
    const remaining = hex.length - i;
    if (remaining % 4 !== 0 && remaining >= 5 && hex[i] === '1') {
      const cp = parseInt(hex.slice(i, i + 5), 16);
      if (cp >= 0x10000 && cp <= 0x1ffff) {
        out += String.fromCodePoint(cp);
        i += 5;
        continue;
      }
    }
    if (remaining < 4) {
      throw new BenchError('INVALID_ARGUMENT', `[emulator:goform] message body hex length ${hex.length} is not a multiple of 4`);
    }
    out += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
    i += 4;
  }
  return out;
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Strict base64 decode; throws INVALID_ARGUMENT when the input is not canonical base64. */
export function fromBase64(text: string): string {
  const buf = Buffer.from(text, 'base64');
  if (buf.toString('base64') !== text) {
    throw new BenchError('INVALID_ARGUMENT', `[emulator:goform] value is not base64: "${text.slice(0, 20)}"`);
  }
  return buf.toString('utf8');
}

/** Timezone as the firmware writes it: "+8", "-5", "0", "+5.5" (goform-api.md §5.3). */
export function formatTz(tzHours: number): string {
  if (tzHours > 0) return `+${tzHours}`;
  return String(tzHours);
}

/** SMS listing date: "yy,MM,dd,HH,mm,ss,+tz" in the message's local time. */
export function formatSmsDate(timeMs: number, tzHours: number): string {
  const d = new Date(timeMs + tzHours * 3_600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return [p(d.getUTCFullYear() % 100), p(d.getUTCMonth() + 1), p(d.getUTCDate()), p(d.getUTCHours()),
    p(d.getUTCMinutes()), p(d.getUTCSeconds()), formatTz(tzHours)].join(',');
}

/** "yyyy-MM-dd HH:mm:ss" in the device's local time (dm_last_check_time format, §3.8). */
export function formatDateTime(timeMs: number, tzHours: number): string {
  const d = new Date(timeMs + tzHours * 3_600_000);
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** One cookie's value from a Cookie header, unquoted (goform-api.md §2.6: stok="..." is quoted on the wire). */
export function cookieValue(header: string, name: string): string | undefined {
  let from = 0;
  for (;;) {
    const at = header.indexOf(name, from);
    if (at < 0) return undefined;
    const before = at === 0 ? ';' : header[at - 1];
    const eq = at + name.length;
    if ((before === ';' || before === ' ') && header[eq] === '=') {
      const end = header.indexOf(';', eq);
      let value = header.slice(eq + 1, end < 0 ? undefined : end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
    from = at + 1;
  }
}

/**
 * AD = H(H(rd0 + rd1) + RD) (§2.7): MD5 lower-case or SHA256 upper-case hex, over `base` (wa_inner_version +
 * cr_version) and the RD the device answered. The emulator checks it, the SDK and the proxy compute it.
 */
export function computeAd(kind: 'md5' | 'sha256', base: string, rd: string): string {
  const md5 = (t: string): string => createHash('md5').update(t).digest('hex');
  const sha256 = (t: string): string => createHash('sha256').update(t).digest('hex').toUpperCase();
  return kind === 'md5' ? md5(md5(base) + rd) : sha256(sha256(base) + rd);
}
