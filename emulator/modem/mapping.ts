import { isRegistered } from '../state/derive.js';
import { toSeptets } from './gsm7.js';
import type { StateView, Registration, SmsMessageView as SmsMessage, Technology } from '../state/device-state.js';

// The AT surface's one mapping per value (27.007), next to goform's in emulator/http/keys: same state, same truth.

/** +CSQ rssi 0-31 from dBm (dBm = -113 + 2 * rssi), 99 when unknown (27.007 §8.5). */
export function csqRssi(state: StateView): number {
  if (!isRegistered(state)) return 99;
  const dbm = state.radio.rssiDbm;
  return Math.max(0, Math.min(31, Math.floor((dbm + 113) / 2)));
}

/** +CESQ fields for the serving RAT; others 99/255 (27.007 §8.69). */
export function cesq(state: StateView): number[] {
  if (!isRegistered(state)) return [99, 99, 255, 255, 255, 255];
  const r = state.radio;
  if (r.technology === 'GSM') return [clamp(r.rssiDbm + 111, 0, 63), 99, 255, 255, 255, 255];
  if (r.technology === 'WCDMA') return [99, 99, clamp(r.rssiDbm - 3 + 121, 0, 96), clamp(Math.round((-6 + 24) * 2), 0, 49), 255, 255];
  return [99, 99, 255, 255, rsrqIndex(r.rsrqDb), clamp(r.rsrpDbm + 141, 0, 97)];
}

/**
 * +CESQ <rsrq> (27.007 §8.69): 0 below -19.5 dB; n (1-33) for -19.5 + (n-1)/2 <= RSRQ < -19.5 + n/2; 34 from -3 dB.
 * So -9 dB is 22 (rounding, as before, read it half a dB low).
 */
export function rsrqIndex(rsrqDb: number): number {
  if (rsrqDb < -19.5) return 0;
  if (rsrqDb >= -3) return 34;
  return Math.floor((rsrqDb + 19.5) * 2) + 1;
}

/** +CCLK time (27.007 §8.15): "yy/MM/dd,hh:mm:ss±zz", local time, zone in quarter hours. */
export function cclkTime(nowMs: number, tzHours: number): string {
  const d = new Date(nowMs + tzHours * 3_600_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const q = Math.round(tzHours * 4);
  return `${two(d.getUTCFullYear() % 100)}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())},${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}${q < 0 ? '-' : '+'}${two(Math.abs(q))}`;
}

/** Registration <stat> (27.007 §7.2): 1 home, 5 roaming, 2 searching, 3 denied, 0 not registered. */
export function regStat(state: StateView): number {
  if (!state.system.poweredOn || state.sim.status !== 'ready') return 0;
  const stat: Record<Registration, number> = { home: 1, roaming: 5, searching: 2, denied: 3, none: 0 };
  return stat[state.radio.registration];
}

/** <AcT> of +CREG/+CEREG/+COPS (27.007 §7.3). */
export function accessTechnology(tech: Technology): number {
  return { GSM: 3, WCDMA: 6, LTE: 7, ENDC: 13, SA: 11 }[tech];
}

/** +ZPAS technology string (modem-at.md §4). */
export function zpasTech(state: StateView): string {
  if (!isRegistered(state)) return state.radio.registration === 'none' ? 'No Service' : 'Limited Service';
  return { GSM: 'GPRS/EDGE', WCDMA: 'HSPA+', LTE: 'LTE', ENDC: 'LTE', SA: 'NR5G-SA' }[state.radio.technology];
}

/** +CBC: <bcs>,<bcl> (0 on battery, 1 charging, 2 no battery). */
export function cbc(state: StateView): [number, number] {
  const b = state.battery;
  if (!b.present) return [2, 0];
  return [b.chargerConnected ? 1 : 0, b.percent];
}

/** EF_ICCID as +CRSM returns it: BCD with swapped nibbles, F-padded (modem-at.md §3.1). */
export function efIccid(iccid: string): string {
  const digits = iccid.length % 2 ? `${iccid}F` : iccid;
  let out = '';
  for (let i = 0; i < digits.length; i += 2) out += digits[i + 1]! + digits[i]!;
  return out.padEnd(20, 'F');
}

/**
 * EF_SPN (31.102 §4.2.12): display condition byte (01: show the PLMN name too), then the name in the SMS default
 * alphabet unpacked, one character per byte, padded with FF to 16 bytes.
 */
export function efSpn(name: string): string {
  const septets = (toSeptets(name) ?? toSeptets(name.replace(/[^ -~]/g, '?'))!).slice(0, 16);
  return ['01', ...septets.map((v) => v.toString(16).padStart(2, '0')), ...new Array<string>(16 - septets.length).fill('FF')].join('').toUpperCase();
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/** Text-mode time stamp "yy/MM/dd,hh:mm:ss±zz", zz in quarter hours (27.005 §3.3.1 <scts>). */
/** A +CMGL/+CMGR/+CDS time stamp, "yy/MM/dd,hh:mm:ss±zz" (27.005 §3.3.2: zone in quarter hours). */
export function textTimestamp(m: Pick<SmsMessage, 'timeMs' | 'tzHours'>): string {
  const d = new Date(m.timeMs + m.tzHours * 3_600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const q = Math.round(m.tzHours * 4);
  return `${p(d.getUTCFullYear() % 100)}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())},${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${q < 0 ? '-' : '+'}${p(Math.abs(q))}`;
}

/** TPDU length of a PDU in hex with its SMSC field: what +CMGS, +CMGL, +CMGR and +CMT count. */
export function tpduLength(hex: string): number {
  return hex.length / 2 - 1 - parseInt(hex.slice(0, 2), 16);
}
