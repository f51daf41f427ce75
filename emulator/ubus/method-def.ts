import { BenchError } from '../../hil/errors.js';
import type { DeviceApi, StateView } from '../state/device-api.js';
import type { KeyGroup, UbusSwitches } from '../state/profile.js';
import { isRefused, type Outcome, type Refused } from '../state/outcome.js';
import { UBUS_STATUS } from './codec.js';
import { refusalStatus } from './refusals.js';
import type { UbusSession, UbusSessions } from './sessions.js';

// The ubus surface's table: one entry per object.method as data (STYLE.md §7.8), like the goform key and set
// tables. Docs, the journal's names and "not implemented" answers come from the tables in objects/.

/** What a method handler sees. Handlers validate every argument before they change anything. */
export interface UbusContext {
  device: DeviceApi;
  state: StateView;
  nowMs: number;
  /** The caller's session; null for the zero session (anonymous). */
  session: UbusSession | null;
  sessions: UbusSessions;
  switches: UbusSwitches;
  /** The client's address. */
  ip: string;
  /** A number as the firmware types it: a JSON number, or a string with the `numbers` switch off (§6.22). */
  num(n: number): number | string;
  /** A field the firmware sends encrypted (§5.3 router → client): ENC under the session key, or plain. */
  enc(plain: string): string;
  /**
   * A field the client sends encrypted (§5.3 client → router): decrypted when it is ENC under the session key;
   * plain accepted unless the firmware is strict (§5.4), where it throws BadArg (status 2).
   */
  dec(value: string, name: string): string;
}

/** What a handler answers: ubus status 0 with data (an object, maybe empty), or another status. */
export interface UbusAnswer {
  status: number;
  data?: Record<string, unknown> | undefined;
}

export interface UbusMethod {
  /** The answer, or the device's refusal (mapped to a ubus status by refusals.ts, the one mapping). */
  handle: (ctx: UbusContext, args: Record<string, unknown>) => UbusAnswer | Refused;
  /** One line for the generated reference (docs/reference/ubus.md). */
  doc: string;
  /**
   * A pure read whose answer depends only on the state and the virtual second, not on the session's key: its
   * answer may be reused while neither changes (the stock UI's one-second status batch, bench/ubus-poll).
   */
  read?: true;
  /** Only in a session raised by web_developer_option_login (§4.8); any other session gets -32002. */
  developer?: true;
}

/** One ubus object: its methods, and the key group a profile needs for the object to exist. */
export interface UbusObject {
  methods: Record<string, UbusMethod>;
  /** The object exists only on profiles with this key group (battery objects on MiFis). */
  group?: KeyGroup;
}

export function ok(data: Record<string, unknown> = {}): UbusAnswer {
  return { status: UBUS_STATUS.OK, data };
}

export function status(code: number, data?: Record<string, unknown>): UbusAnswer {
  return { status: code, data };
}

/** [0] for a done operation; the refusal otherwise. */
export function done(outcome: Outcome<object>, data: Record<string, unknown> = {}): UbusAnswer | Refused {
  return isRefused(outcome) ? outcome : ok(data);
}

export function answerOf(result: UbusAnswer | Refused): UbusAnswer {
  return isRefused(result) ? { status: refusalStatus(result) } : result;
}

/** Thrown by argument checks: the call answers [2] (INVALID_ARGUMENT) and nothing changes. */
export class BadArg extends BenchError {
  constructor(message: string) {
    super('EMULATOR_BAD_REQUEST', `[emulator:ubus] ${message}`);
  }
}

/** A string argument; numbers are taken as their decimal text (clients send "1" and 1 alike, §3.7). */
export function str(args: Record<string, unknown>, name: string): string {
  const v = args[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new BadArg(`${name} is ${v === undefined ? 'missing' : `not a string (${JSON.stringify(v)?.slice(0, 40)})`}`);
}

export function optStr(args: Record<string, unknown>, name: string): string | undefined {
  return args[name] === undefined ? undefined : str(args, name);
}

/** An integer argument given as a number or a numeric string, within [min, max]. */
export function int(args: Record<string, unknown>, name: string, min: number, max: number): number {
  const text = str(args, name).trim();
  if (!/^-?\d+$/.test(text)) throw new BadArg(`${name}=${text} is not an integer`);
  const n = Number(text);
  if (n < min || n > max) throw new BadArg(`${name}=${text} is outside ${min}..${max}`);
  return n;
}

export function optInt(args: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  return args[name] === undefined ? undefined : int(args, name, min, max);
}

export function oneOf<T extends string>(args: Record<string, unknown>, name: string, values: readonly T[]): T {
  const v = str(args, name);
  if (!(values as readonly string[]).includes(v)) throw new BadArg(`${name}=${v} is not one of ${values.join(', ')}`);
  return v as T;
}

export function flag(args: Record<string, unknown>, name: string): boolean {
  return oneOf(args, name, ['0', '1']) === '1';
}

export function obj(args: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = args[name];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadArg(`${name} is not an object`);
  return v as Record<string, unknown>;
}

export const MAC_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
