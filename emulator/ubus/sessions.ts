import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceApi } from '../state/device-api.js';
import { SeededRandom } from '../state/identity.js';
import { ANONYMOUS_SID } from './codec.js';

// Sessions and access as rpcd and ZTE's zwrt_web do them (ubus-api.md §4): the zero session, the salted double
// SHA-256 login, lockout, one web session at a time, idle expiry. Sessions are the surface's own, like goform's
// Auth; the password, the failure counter and the lock are the device's (emulator/state/areas/account.ts).

/** A logged-in rpcd session. */
export interface UbusSession {
  readonly sid: string;
  lastSeenMs: number;
  readonly bootEpoch: number;
  /** The AES-256 key of web_http_enstr_set (§5.1), or null before the key exchange. */
  aesKey: Buffer | null;
  /** Raised by web_developer_option_login (§4.8). */
  developer: boolean;
  /** The client address that logged in (web_info's login_user_ip). */
  readonly ip: string;
}

/** `web_login` outcomes (§4.4): 0 success, 1 wrong password, 2 locked, 3 another user holds the session. */
export type LoginAnswer =
  | { result: 0; session: UbusSession }
  | { result: 1; attemptsLeft: number }
  | { result: 2; lockSecondsLeft: number }
  | { result: 3 };

/** Most sessions kept under the `multi` policy; the least recently used goes first. */
const MAX_SESSIONS = 256;

export class UbusSessions {
  readonly #device: DeviceApi;
  #sessions = new Map<string, UbusSession>();
  #salt: string | null = null;

  constructor(device: DeviceApi) {
    this.#device = device;
  }

  /** `zte_web_sault`: 64 upper-case hex, the same for the device (P7510: no need to fetch it per try), §4.2. */
  get salt(): string {
    this.#salt ??= new SeededRandom(this.#device.state.seed ^ 0x5a17).hex(64, true);
    return this.#salt;
  }

  /** Attempts left before the lock (0 while locked, §4.5: D and E refuse to try at <= 0). */
  attemptsLeft(): number {
    return this.#device.account.loginLocked() ? 0 : this.#device.state.login.failuresLeft;
  }

  /** Seconds until unlocked; 0 when not locked (§4.2). */
  lockSecondsLeft(): number {
    return this.#device.account.loginLocked() ? Math.max(1, this.#device.account.loginLockSecondsLeft()) : 0;
  }

  /** What `password` must be for the current password and salt (§4.3). */
  expectedHash(): string {
    return sha256Upper(this.#device.state.login.passwordSha256 + this.salt);
  }

  /** True when `hash` is the salted hash of the current password (case-insensitive hex). */
  checkHash(hash: string): boolean {
    const want = Buffer.from(this.expectedHash(), 'utf8');
    const got = Buffer.from(hash.toUpperCase(), 'utf8');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** web_login (§4.4, §4.5, §4.7). */
  login(hash: string, ip: string): LoginAnswer {
    const account = this.#device.account;
    if (account.loginLocked()) return { result: 2, lockSecondsLeft: this.lockSecondsLeft() };
    if (!this.checkHash(hash)) {
      account.recordLoginFailure();
      if (account.loginLocked()) return { result: 2, lockSecondsLeft: this.lockSecondsLeft() };
      return { result: 1, attemptsLeft: this.attemptsLeft() };
    }
    const policy = this.#device.profile.ubus.sessionPolicy;
    this.#prune();
    if (policy === 'refuse' && this.#sessions.size > 0) return { result: 3 };
    if (policy === 'takeover') this.#sessions.clear();
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    account.recordLoginSuccess();
    // rpcd: 16 random bytes as lower-case hex (R rpc_random); drawn from the device's seeded source.
    const session: UbusSession = { sid: this.#device.rng.hex(32), lastSeenMs: this.#device.now(), bootEpoch: this.#device.bootEpoch, aesKey: null, developer: false, ip };
    this.#sessions.set(session.sid, session);
    return { result: 0, session };
  }

  /**
   * The live session of `sid`, or null when it is unknown, expired or from an earlier boot. `renew` says whether
   * this call resets its idle timer (§4.6: any call on rpcd; only `Z-Mode: 1` calls with the z-mode switch).
   */
  find(sid: string, renew: boolean): UbusSession | null {
    if (sid === ANONYMOUS_SID) return null;
    const s = this.#sessions.get(sid);
    if (!s) return null;
    if (!this.#alive(s)) {
      this.#sessions.delete(sid);
      return null;
    }
    if (renew) s.lastSeenMs = this.#device.now();
    return s;
  }

  /** Seconds of life left in a session (P7510's login_timeout_lefttime). */
  secondsLeft(s: UbusSession): number {
    const timeoutMs = this.#device.profile.ubus.sessionTimeoutS * 1000;
    return Math.max(0, Math.ceil((s.lastSeenMs + timeoutMs - this.#device.now()) / 1000));
  }

  logout(sid: string): void {
    this.#sessions.delete(sid);
  }

  /** Every session ends (password change, reset). */
  clear(): void {
    this.#sessions.clear();
  }

  get count(): number {
    this.#prune();
    return this.#sessions.size;
  }

  // --- internal ---

  #alive(s: UbusSession): boolean {
    const d = this.#device;
    return s.bootEpoch === d.bootEpoch && d.now() - s.lastSeenMs < d.profile.ubus.sessionTimeoutS * 1000;
  }

  #prune(): void {
    for (const [sid, s] of this.#sessions) if (!this.#alive(s)) this.#sessions.delete(sid);
  }
}

export function sha256Upper(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();
}
