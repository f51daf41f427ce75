import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeviceCore } from '../core.js';
import { sha256Upper } from '../create-state.js';
import { refuse, type Outcome } from '../outcome.js';

const LOGIN_LOCK_MS = 300_000; // goform-api.md §2.5: locked for 300 s after 5 wrong passwords
export const MAX_LOGIN_ATTEMPTS = 5;

/** The device login (password, lockout) and the cloud account the router is bound to. */
export interface AccountApi {
  loginLocked(): boolean;
  /** Seconds left in the lock, or -1 when not locked. */
  loginLockSecondsLeft(): number;
  /** A wrong password: one try less; the fifth locks login for 300 virtual seconds. */
  recordLoginFailure(): void;
  recordLoginSuccess(): void;
  /** A new password, as plain text, or only its SHA256 (upper-case hex) when that is all the client sent. */
  setPassword(input: { plain: string } | { sha256: string }): void;
  /** Bind to a cloud account. Refuses `already-bound` (to another account). */
  bind(account: string, token: string): Outcome<{ account: string; boundAtMs: number }>;
  /** Unbind, proving the bind token. Refuses `not-bound`, `wrong-token`. */
  unbind(token: string): Outcome<{ account: string }>;
}

export function createAccountArea(core: DeviceCore): AccountApi {
  return {
    loginLocked() {
      const until = core.state.login.lockedUntilMs;
      return until !== null && core.now() < until;
    },
    loginLockSecondsLeft() {
      const until = core.state.login.lockedUntilMs;
      if (until === null) return -1;
      return Math.max(0, Math.ceil((until - core.now()) / 1000));
    },
    recordLoginFailure() {
      core.mutate((s) => {
        s.login.failuresLeft = Math.max(0, s.login.failuresLeft - 1);
        if (s.login.failuresLeft === 0) s.login.lockedUntilMs = core.now() + LOGIN_LOCK_MS;
      });
    },
    recordLoginSuccess() {
      core.mutate((s) => {
        s.login.failuresLeft = MAX_LOGIN_ATTEMPTS;
        s.login.lockedUntilMs = null;
      });
    },
    setPassword(input) {
      core.mutate((s) => {
        if ('plain' in input) {
          s.login.password = input.plain;
          s.login.passwordSha256 = sha256Upper(input.plain);
        } else {
          s.login.password = null;
          s.login.passwordSha256 = input.sha256.toUpperCase();
        }
      });
    },
    bind(account, token) {
      const c = core.state.cloud;
      if (c.account !== null && c.account !== account) return refuse('already-bound', 'the router is bound to another account; unbind it first');
      const boundAtMs = core.now();
      core.mutate((s) => {
        s.cloud = { account, tokenSha256: sha256(token), boundAtMs };
      });
      return { account, boundAtMs };
    },
    unbind(token) {
      const c = core.state.cloud;
      if (c.account === null || c.tokenSha256 === null) return refuse('not-bound');
      if (!timingSafeEqual(Buffer.from(sha256(token), 'hex'), Buffer.from(c.tokenSha256, 'hex'))) return refuse('wrong-token');
      const account = c.account;
      core.mutate((s) => {
        s.cloud = { account: null, tokenSha256: null, boundAtMs: null };
      });
      return { account };
    },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

