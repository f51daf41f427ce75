import type { LoadClock } from '../../scenarios/load/index.js';

/**
 * A simulated clock for the load engine: time moves only when every task is waiting, straight to the next timer,
 * so a 5 s schedule runs in milliseconds and its counts are exact (discrete-event simulation; no wall time).
 */
export class SimClock implements LoadClock {
  #nowMs = 0;
  #seq = 0;
  #timers: { atMs: number; seq: number; resolve: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.#nowMs;
  }

  timer(ms: number): { promise: Promise<void>; cancel(): void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    const t = { atMs: this.#nowMs + Math.max(0, ms), seq: this.#seq++, resolve, cancelled: false };
    this.#timers.push(t);
    return { promise, cancel: () => void (t.cancelled = true) };
  }

  /** Runs `work` to its end, advancing time whenever nothing but timers is pending. */
  async run<T>(work: Promise<T>): Promise<T> {
    let done = false;
    let value: T | undefined;
    let error: unknown;
    let failed = false;
    work.then(
      (v) => void ((done = true), (value = v)),
      (e: unknown) => void ((done = true), (failed = true), (error = e)),
    );
    for (let steps = 0; ; steps++) {
      // Let every promise chain that can move, move (the engine and fake flows only await promises and timers).
      for (let i = 0; i < 8; i++) await new Promise<void>((r) => setImmediate(r));
      if (done) break;
      this.#timers = this.#timers.filter((t) => !t.cancelled);
      if (this.#timers.length === 0) throw new Error('[test:sim-clock] the run waits on nothing this clock schedules');
      if (steps > 2_000_000) throw new Error('[test:sim-clock] too many steps');
      this.#timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.#timers[0]!;
      this.#nowMs = next.atMs;
      // Every timer due now fires in the order it was set.
      while (this.#timers.length > 0 && this.#timers[0]!.atMs === this.#nowMs) this.#timers.shift()!.resolve();
    }
    if (failed) throw error;
    return value as T;
  }
}
