import { describe, expect, it } from 'vitest';
import { createIdentity, isLuhnValid, luhnCheckDigit, SeededRandom } from '../../../emulator/state/identity.js';

const inputs = { seed: 42, tac: '86458900', macOui: '34:4B:50', mcc: '262', mnc: '01', countryCode: '49', msisdnPrefix: '1590', model: 'MF79U' };

describe('identity', () => {
  it('computes Luhn check digits as ISO/IEC 7812 does', () => {
    // 79927398713 is the textbook Luhn example; 490154203237518 a published valid IMEI example.
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(isLuhnValid('490154203237518')).toBe(true);
    expect(isLuhnValid('490154203237519')).toBe(false);
  });

  it('derives a valid IMEI under the profile TAC, IMSI under the carrier, ICCID with Luhn and a ZTE MAC', () => {
    const id = createIdentity(inputs);
    expect(id.imei).toMatch(/^86458900\d{7}$/);
    expect(isLuhnValid(id.imei)).toBe(true);
    expect(id.imsi).toMatch(/^26201\d{10}$/);
    expect(id.iccid).toMatch(/^8949\d{16}$/);
    expect(isLuhnValid(id.iccid)).toBe(true);
    expect(id.macAddress).toMatch(/^34:4B:50(:[0-9A-F]{2}){3}$/);
    expect(id.msisdn).toMatch(/^\+491590\d{7}$/);
    expect(id.serialNumber).toMatch(/^[0-9A-Z]{15}$/);
  });

  it('gives the same identity for the same seed and a different one for another seed', () => {
    expect(createIdentity(inputs)).toEqual(createIdentity(inputs));
    const other = createIdentity({ ...inputs, seed: 43 });
    expect(other.imei).not.toBe(createIdentity(inputs).imei);
  });

  it('draws the same SeededRandom sequence for the same seed', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new SeededRandom(6).next()).not.toBe(seqA[0]);
  });
});
