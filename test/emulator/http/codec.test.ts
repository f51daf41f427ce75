import { describe, expect, it } from 'vitest';
import { decodeUcs2Hex, encodeUcs2Hex, formatSmsDate, formatTz } from '../../../emulator/http/codec.js';

// goform-api.md §5.2 and §5.3.

describe('goform codecs', () => {
  it('writes text as upper-case UCS-2 hex, 4 digits per UTF-16 unit', () => {
    expect(encodeUcs2Hex('test')).toBe('0074006500730074');
    expect(encodeUcs2Hex('€')).toBe('20AC');
  });

  it('writes emoji as surrogate pairs and reads them back', () => {
    expect(encodeUcs2Hex('😎')).toBe('D83DDE0E');
    expect(decodeUcs2Hex('D83DDE0E')).toBe('😎');
  });

  it('accepts the web UI quirk of a 5-digit code point for an emoji', () => {
    expect(decodeUcs2Hex('00680069' + '1F60E')).toBe('hi😎');
    expect(decodeUcs2Hex('1F60E' + '0021')).toBe('😎!');
  });

  it('round-trips long mixed texts exactly', () => {
    const text = 'Grüße aus Köln — ' + '€[]{}|\\^~ ' + 'Привет 你好 🙂🚀'.repeat(20);
    expect(decodeUcs2Hex(encodeUcs2Hex(text))).toBe(text);
  });

  it('refuses text that is not hex, or hex that is not whole units', () => {
    expect(() => decodeUcs2Hex('00G1')).toThrow(/not hex/);
    expect(() => decodeUcs2Hex('006')).toThrow(/multiple of 4/);
  });

  it('formats listing dates in the message time zone like the firmware', () => {
    expect(formatSmsDate(Date.UTC(2021, 4, 28, 6, 31, 29), 8)).toBe('21,05,28,14,31,29,+8');
    expect(formatTz(-5)).toBe('-5');
    expect(formatTz(0)).toBe('0');
    expect(formatTz(5.5)).toBe('+5.5');
  });
});
