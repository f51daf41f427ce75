import { BenchError } from '../../../hil/errors.js';
import type { DeviceApi, StateView } from '../../state/device-api.js';
import { isRefused, type Outcome, type Refused } from '../../state/outcome.js';
import type { Auth, Requester } from '../auth.js';
import type { FileShare } from '../file-share.js';

/** What a goformId handler sees. Handlers validate every field before they change anything. */
export interface SetContext {
  device: DeviceApi;
  state: StateView;
  auth: Auth;
  req: Requester;
  share: FileShare | null;
  /** The raw form fields. */
  fields: Record<string, string>;
  /** Headers to add to the answer (LOGIN's Set-Cookie). */
  setHeader(name: string, value: string): void;
}

export interface SetDef {
  /** The answer, or the device's refusal (answered `{"result":"failure"}` by goform-app, the one mapping). */
  handle: (ctx: SetContext) => Record<string, unknown> | Refused;
  /** Needs a logged-in session (default true). */
  login?: boolean;
  /** Needs a valid AD on AD profiles (default true; goform-api.md §1.3: not on LOGIN and SET_WEB_LANGUAGE). */
  ad?: boolean;
}

export const SUCCESS = { result: 'success' } as const;
export const FAILURE = { result: 'failure' } as const;

/** SUCCESS for a done operation; the refusal itself otherwise (goform-app answers it as a failure). */
export function done(outcome: Outcome<object>): Record<string, unknown> | Refused {
  return isRefused(outcome) ? outcome : SUCCESS;
}

/** Thrown by validation helpers; the router answers `{"result":"failure"}` (or `result`) and state stays unchanged. */
export class BadField extends BenchError {
  constructor(message: string, readonly result = 'failure') {
    super('EMULATOR_BAD_REQUEST', `[emulator:goform] ${message}`);
  }
}

export function need(ctx: SetContext, name: string): string {
  const v = ctx.fields[name];
  if (v === undefined) throw new BadField(`missing field ${name}`);
  return v;
}

export function optional(ctx: SetContext, name: string): string | undefined {
  return ctx.fields[name];
}

export function oneOf<T extends string>(ctx: SetContext, name: string, values: readonly T[]): T {
  const v = need(ctx, name);
  if (!(values as readonly string[]).includes(v)) throw new BadField(`${name}=${v} is not one of ${values.join(', ')}`);
  return v as T;
}

export function intIn(ctx: SetContext, name: string, min: number, max: number): number {
  const v = need(ctx, name);
  if (!/^-?\d+$/.test(v)) throw new BadField(`${name}=${v} is not an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new BadField(`${name}=${v} is outside ${min}..${max}`);
  return n;
}

export function flag(ctx: SetContext, name: string): boolean {
  return oneOf(ctx, name, ['0', '1']) === '1';
}

export function hhmm(ctx: SetContext, name: string): string {
  const v = need(ctx, name);
  const m = /^(\d{1,2}):(\d{2})$/.exec(v);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new BadField(`${name}=${v} is not HH:MM`);
  return `${m[1]!.padStart(2, '0')}:${m[2]}`;
}

/** `12;13;` id lists (goform-api.md §7.18); with the trailing-';' quirk a missing ';' is refused. */
export function idList(ctx: SetContext, name: string): number[] {
  const v = need(ctx, name);
  if (ctx.device.profile.quirks.msgIdNeedsTrailingSemicolon && !v.endsWith(';')) {
    throw new BadField(`${name}=${v} lacks the trailing ';'`);
  }
  const parts = v.split(';').filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) throw new BadField(`${name}=${v} is not an id list`);
  return parts.map(Number);
}

export const MAC_RE = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
export const IPV4_RE = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)$/;

export function macList(ctx: SetContext, name: string): string[] {
  const v = ctx.fields[name] ?? '';
  const macs = v.split(';').filter((m) => m !== '');
  for (const m of macs) if (!MAC_RE.test(m)) throw new BadField(`${name} holds a bad MAC ${m}`);
  return macs.map((m) => m.toUpperCase());
}

export function ipv4(ctx: SetContext, name: string): string {
  const v = need(ctx, name);
  if (!IPV4_RE.test(v)) throw new BadField(`${name}=${v} is not an IPv4 address`);
  return v;
}
