import { sha256Upper } from '../state/create-state.js';
import type { DeviceApi } from '../state/device-api.js';
import { base64, computeAd } from './codec.js';

// Login generations, sessions and the AD token (goform-api.md §2).

export interface Requester {
  ip: string;
  /** Value of the profile's session cookie, unquoted; undefined when absent or the profile has none. */
  sessionCookie: string | undefined;
  hasReferer: boolean;
}

interface Session {
  token: string;
  /** The account on multi-user firmware (§2.3); the first account otherwise. */
  user: string;
  ip: string;
  lastSeenMs: number;
  bootEpoch: number;
  rd: string | null;
}

/** LOGIN result codes, goform-api.md §2.4. */
export type LoginResult = '0' | '1' | '2' | '3' | '4' | 'failure';

const RECENT = 4;

export class Auth {
  readonly #device: DeviceApi;
  #session: Session | null = null;
  #lds: string[] = [];
  #rds: string[] = [];

  constructor(device: DeviceApi) {
    this.#device = device;
  }

  get cookieName(): string | null {
    return this.#device.profile.auth.cookie;
  }

  /** True when this requester holds the live session; renews its idle timer. */
  isLoggedIn(req: Requester, renew = true): boolean {
    const s = this.#live();
    if (!s) return false;
    if (this.#device.profile.quirks.requireReferer && !req.hasReferer) return false;
    if (!this.#owns(s, req)) return false;
    if (renew) s.lastSeenMs = this.#device.now();
    return true;
  }

  /** True when anyone holds a live session (loginfo quirk §7.17). */
  anySession(): boolean {
    return this.#live() !== null;
  }

  /** A fresh LD salt: 64 upper-case hex chars (§2.1 step 3). */
  issueLd(): string {
    const ld = this.#device.rng.hex(64, true);
    this.#lds = [ld, ...this.#lds].slice(0, RECENT);
    return ld;
  }

  /** RD for the AD token: new on every read, or once per session with the rdPerSession quirk (§2.7). */
  issueRd(req: Requester): string {
    const s = this.#live();
    if (this.#device.profile.quirks.rdPerSession && s && this.#owns(s, req)) {
      s.rd ??= this.#device.rng.hex(32);
      return s.rd;
    }
    const rd = this.#device.rng.hex(32);
    this.#rds = [rd, ...this.#rds].slice(0, RECENT);
    return rd;
  }

  /** Checks the AD of a write (§2.7); always true on profiles without AD. Case-insensitive. */
  checkAd(req: Requester, ad: string | undefined): boolean {
    const kind = this.#device.profile.auth.ad;
    if (kind === 'none') return true;
    if (!ad) return false;
    const fw = this.#device.profile.firmware;
    const orders = [fw.wa_inner_version + fw.cr_version];
    if (this.#device.profile.quirks.adAcceptReversedOrder) orders.push(fw.cr_version + fw.wa_inner_version);
    const s = this.#live();
    const rds = [...this.#rds];
    if (s?.rd && this.#owns(s, req)) rds.push(s.rd);
    const given = ad.toLowerCase();
    for (const rd of rds) {
      for (const base of orders) {
        if (computeAd(kind, base, rd).toLowerCase() === given) return true;
      }
    }
    return false;
  }

  /** The whole LOGIN decision: lockout, password check per generation, session creation and kick-out. */
  /**
   * LOGIN (and DEVELOPER_OPTION_LOGIN), or LOGIN_MULTI_USER with `user` (§2.3): a multi-user firmware refuses the
   * first and a single-user one the second, with result "failure".
   */
  login(req: Requester, password: string | undefined, user?: string): { result: LoginResult; token?: string } {
    if (password === undefined || password === '') return { result: 'failure' };
    const auth = this.#device.profile.auth;
    if ((user !== undefined) !== auth.multiUser) return { result: 'failure' };
    // An unknown account is a wrong credential, counted like a wrong password (§2.5).
    const account = user ?? auth.users[0] ?? 'admin';
    // §2.5: during the lock even a correct password fails and does not count down.
    if (this.#device.account.loginLocked()) return { result: '3' };
    if (!auth.users.includes(account) || !this.#passwordMatches(password)) {
      this.#device.account.recordLoginFailure();
      return { result: '3' };
    }
    this.#device.account.recordLoginSuccess();
    const live = this.#live();
    if (live && this.#owns(live, req)) {
      live.lastSeenMs = this.#device.now();
      return { result: this.#device.profile.quirks.reloginAnswersAlreadyLoggedIn ? '4' : '0', token: live.token };
    }
    // Single session: a new login ends the previous one (its next read sees loginfo "no").
    const token = this.#newToken();
    this.#session = { token, user: account, ip: req.ip, lastSeenMs: this.#device.now(), bootEpoch: this.#device.bootEpoch, rd: null };
    return { result: '0', token };
  }

  /** Ends the requester's session; without one (many clients log out without the cookie, §9.2) nothing happens. */
  logout(req: Requester): void {
    const live = this.#live();
    if (live && this.#owns(live, req)) this.#session = null;
  }

  /** The account the requester is logged in as, or null. */
  currentUser(req: Requester): string | null {
    const live = this.#live();
    return live && this.#owns(live, req) ? live.user : null;
  }

  /** CHANGE_PASSWORD field encodings (§2.2): old as for login without LD, new as SHA256(new) or base64(new). */
  changePassword(oldEncoded: string | undefined, newEncoded: string | undefined): boolean {
    if (!oldEncoded || !newEncoded) return false;
    const login = this.#device.state.login;
    const enc = this.#device.profile.auth.passwordEncoding;
    const expectedOld =
      enc === 'sha256-ld' ? login.passwordSha256 : enc === 'sha256-base64' ? sha256Upper(base64(login.password ?? '')) : base64(login.password ?? '');
    if (oldEncoded !== expectedOld) return false;
    if (enc === 'sha256-ld') {
      if (!/^[0-9A-Fa-f]{64}$/.test(newEncoded)) return false;
      this.#device.account.setPassword({ sha256: newEncoded });
      return true;
    }
    const plain = Buffer.from(newEncoded, 'base64').toString('utf8');
    if (plain.length === 0 || base64(plain) !== newEncoded) return false;
    this.#device.account.setPassword({ plain });
    return true;
  }

  // --- internal ---

  #live(): Session | null {
    const s = this.#session;
    if (!s) return null;
    const idleMs = this.#device.profile.auth.sessionIdleTimeoutS * 1000;
    if (s.bootEpoch !== this.#device.bootEpoch || this.#device.now() - s.lastSeenMs > idleMs) {
      this.#session = null;
      return null;
    }
    return s;
  }

  #owns(s: Session, req: Requester): boolean {
    if (this.#device.profile.auth.cookie === null) return s.ip === req.ip;
    return req.sessionCookie === s.token;
  }

  #passwordMatches(encoded: string): boolean {
    const login = this.#device.state.login;
    switch (this.#device.profile.auth.passwordEncoding) {
      case 'base64':
        return login.password !== null && encoded === base64(login.password);
      case 'sha256-base64':
        return login.password !== null && encoded === sha256Upper(base64(login.password));
      case 'sha256-ld':
        // §2.2: the inner digest is upper-cased before the LD is appended; the outer one is compared as sent.
        return this.#lds.some((ld) => encoded === sha256Upper(login.passwordSha256 + ld.toUpperCase()));
    }
  }

  #newToken(): string {
    // Session tokens come from the seeded PRNG so runs are reproducible; 24 hex chars like MF935 (§2.6).
    return this.#device.rng.hex(24);
  }
}

