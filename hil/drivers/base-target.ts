import { BenchError } from '../errors.js';
import type { Capabilities, CapabilityName, Target, TargetDescription } from '../target.js';

/** What every driver shares: the capability map, the broken state (STYLE.md 7.4.5) and idempotent close. */
export abstract class BaseTarget implements Target {
  readonly id: string;
  protected capabilities: Partial<Capabilities> = {};
  #broken: Error | null = null;
  #closed = false;

  constructor(id: string) {
    this.id = id;
  }

  abstract describe(): TargetDescription;
  protected abstract release(): Promise<void>;

  has(name: CapabilityName): boolean {
    return this.capabilities[name] !== undefined;
  }

  require<N extends CapabilityName>(name: N): Capabilities[N] {
    if (this.#broken) {
      throw new BenchError('TARGET_BROKEN', `[hil:${this.id}] the target is broken after a failed hardware step; reset it before use`, { cause: this.#broken });
    }
    const cap = this.capabilities[name];
    if (cap === undefined) {
      throw new BenchError('CAPABILITY_MISSING', `[hil:${this.id}] target ${this.id} has no ${name} capability; it offers ${this.describe().capabilities.join(', ') || 'none'}`, { details: { capability: name } });
    }
    return cap;
  }

  #onBroken = new Set<(cause: Error) => void>();

  /** Marks the target broken: later require() calls throw TARGET_BROKEN with `cause` until reset(). */
  markBroken(cause: Error): void {
    this.#broken = cause;
    for (const fn of this.#onBroken) fn(cause);
  }

  /** Called when this target is marked broken (a combined target follows its parts). */
  onBroken(fn: (cause: Error) => void): void {
    this.#onBroken.add(fn);
  }

  reset(): void {
    this.#broken = null;
  }

  get broken(): boolean {
    return this.#broken !== null;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.release();
  }
}
