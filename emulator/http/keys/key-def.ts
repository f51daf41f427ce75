import type { DeviceApi, StateView } from '../../state/device-api.js';
import type { KeyGroup } from '../../state/profile.js';
import type { Auth, Requester } from '../auth.js';

/** What a key reader sees: the device, the requester and the request's other parameters. */
export interface ReadContext {
  device: DeviceApi;
  state: StateView;
  nowMs: number;
  auth: Auth;
  req: Requester;
  loggedIn: boolean;
  multi: boolean;
  param(name: string): string | undefined;
}

export type KeyReader = (ctx: ReadContext) => string;

export interface KeyDef {
  group: KeyGroup;
  read: KeyReader;
  /** Readable before login (goform-api.md §2.8). */
  public: boolean;
  /** Depends on the requester (session, address), so answers containing it are never cached. */
  perRequester: boolean;
}

/** Declare the plain (NV-item) keys of one group. */
export function defineKeys(
  group: KeyGroup,
  readers: Record<string, KeyReader>,
  options: { public?: readonly string[]; perRequester?: readonly string[] } = {},
): Record<string, KeyDef> {
  const out: Record<string, KeyDef> = {};
  for (const [key, read] of Object.entries(readers)) {
    out[key] = {
      group,
      read,
      public: options.public?.includes(key) ?? false,
      perRequester: options.perRequester?.includes(key) ?? false,
    };
  }
  return out;
}

export const str = (n: number | string | boolean): string => (typeof n === 'boolean' ? (n ? '1' : '0') : String(n));
