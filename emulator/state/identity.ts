// One locale's instance, not the package root: the root loads every locale (130 ms of each start); the identity uses
// only locale-free string generators, which give the same values for the same seed either way.
import { faker } from '@faker-js/faker/locale/en';
import type { Identity } from './device-state.js';

/** Luhn check digit for a string of decimal digits (ISO/IEC 7812-1, used by IMEI and ICCID). */
export function luhnCheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(digits: string): boolean {
  return /^\d{2,}$/.test(digits) && luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

export interface IdentityInputs {
  seed: number;
  /** 8-digit type allocation code of the model (fixtures/profiles/*.json `imeiTac`). */
  tac: string;
  /** MAC OUI as "AA:BB:CC". */
  macOui: string;
  mcc: string;
  mnc: string;
  /** ITU country calling code used in ICCID and MSISDN, e.g. "49". */
  countryCode: string;
  /** National subscriber number prefix for the MSISDN, e.g. "1590". */
  msisdnPrefix: string;
  model: string;
}

/**
 * A device identity derived only from the seed: the same seed always yields the same IMEI, IMSI, ICCID,
 * MAC, MSISDN and serial. Numbers are synthetic (random subscriber parts), never real subscriber data.
 */
export function createIdentity(inputs: IdentityInputs): Identity {
  // Re-seeded per identity, and used synchronously: nothing else draws from it in between.
  faker.seed(inputs.seed);
  const digits = (n: number): string => faker.string.numeric({ length: n, allowLeadingZeros: true });
  const imeiBody = inputs.tac + digits(6);
  const imsi = inputs.mcc + inputs.mnc + digits(15 - inputs.mcc.length - inputs.mnc.length);
  // ICCID: 89 (telecom) + country code + issuer/account digits, 19 digits plus the Luhn digit (ITU-T E.118).
  const iccidBody = '89' + inputs.countryCode + digits(17 - inputs.countryCode.length);
  const macTail = [0, 0, 0].map(() => faker.string.hexadecimal({ length: 2, casing: 'upper', prefix: '' }));
  const mac = `${inputs.macOui}:${macTail.join(':')}`.toUpperCase();
  const bssidLast = ((parseInt(macTail[2]!, 16) + 1) & 0xff).toString(16).toUpperCase().padStart(2, '0');
  return {
    imei: imeiBody + luhnCheckDigit(imeiBody),
    imsi,
    iccid: iccidBody + luhnCheckDigit(iccidBody),
    msisdn: `+${inputs.countryCode}${inputs.msisdnPrefix}${digits(7)}`,
    serialNumber: faker.string.alphanumeric({ length: 15, casing: 'upper' }),
    macAddress: mac,
    bssid: `${inputs.macOui}:${macTail[0]}:${macTail[1]}:${bssidLast}`.toUpperCase(),
    deviceName: `${inputs.model}_${macTail.slice(1).join('')}`,
  };
}

/** A small deterministic PRNG (xorshift32 over a splitmix-mixed seed) for run-time randomness. */
export class SeededRandom {
  #s: number;

  constructor(seed: number) {
    let z = (seed >>> 0) + 0x9e3779b9;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    this.#s = (z ^ (z >>> 16)) >>> 0 || 0x6d2b79f5;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s / 0x1_0000_0000;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  hex(length: number, upper = false): string {
    let out = '';
    for (let i = 0; i < length; i++) out += this.int(16).toString(16);
    return upper ? out.toUpperCase() : out;
  }
}
