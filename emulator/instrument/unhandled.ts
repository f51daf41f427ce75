// What a surface does with a request it does not implement (STYLE.md 7.4.6, msw's onUnhandledRequest).
import { ownCopy } from './journal.js';

/**
 * 'warn' answers like the firmware and names each unimplemented request once on stderr; 'silent' only answers;
 * 'error' (what tests use) answers with something no firmware sends (goform: HTTP 500, AT: ERROR) and keeps the
 * name in `errors`, so a test that leans on an unimplemented request fails; a function is told of every one.
 */
export type UnhandledPolicy = 'warn' | 'silent' | 'error' | ((what: string) => void);

const MAX_NAMES = 1000;
const MAX_NAME_CHARS = 80;

/** One policy for every surface of a router (or every router of a fleet), with one warn-once set. */
export class UnhandledReporter {
  readonly policy: UnhandledPolicy;
  /** Under 'error': what was asked for and not implemented, oldest first (at most 1000). */
  readonly errors: string[] = [];
  #warned = new Set<string>();

  constructor(policy: UnhandledPolicy = 'warn') {
    this.policy = policy;
  }

  /** True when unimplemented requests must not look like a firmware answer. */
  get strict(): boolean {
    return this.policy === 'error';
  }

  report(surface: 'goform' | 'at' | 'ubus', what: string): void {
    // A copy, not a slice: a slice would keep a 60 KB name alive in the warn-once set (journal.ts ownCopy).
    const name = what.length > MAX_NAME_CHARS ? `${ownCopy(what.slice(0, MAX_NAME_CHARS))}...` : what;
    const policy = this.policy;
    if (typeof policy === 'function') return policy(name);
    if (policy === 'error') {
      if (this.errors.length < MAX_NAMES) this.errors.push(`${surface}: ${name}`);
      process.stderr.write(`[emulator:${surface}] not implemented: ${name} (onUnhandled 'error')\n`);
      return;
    }
    if (policy === 'warn' && !this.#warned.has(name) && this.#warned.size < MAX_NAMES) {
      this.#warned.add(name);
      process.stderr.write(`[emulator:${surface}] not implemented: ${name}; answered like the firmware\n`);
    }
  }
}
