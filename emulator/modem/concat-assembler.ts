import type { Concat } from './pdu.js';

/** Messages whose parts are still arriving that one modem keeps; the oldest gives way to a new one. */
export const MAX_PENDING_MESSAGES = 64;

/** Collects the parts of concatenated SMS-SUBMITs (by destination and reference) until all have arrived. */
export class ConcatAssembler {
  #pending = new Map<string, { parts: (string | undefined)[] }>();

  /** Adds a part; returns the whole text when it completes the message, else null. */
  add(destination: string, concat: Concat, text: string): string | null {
    const key = `${destination}|${concat.refBits}|${concat.ref}|${concat.total}`;
    let entry = this.#pending.get(key);
    if (!entry) {
      // Bounded: a client that starts messages and never finishes them does not grow the modem's memory.
      if (this.#pending.size >= MAX_PENDING_MESSAGES) this.#pending.delete(this.#pending.keys().next().value!);
      entry = { parts: new Array<string | undefined>(concat.total).fill(undefined) };
      this.#pending.set(key, entry);
    }
    if (concat.seq >= 1 && concat.seq <= concat.total) entry.parts[concat.seq - 1] = text;
    if (entry.parts.some((p) => p === undefined)) return null;
    this.#pending.delete(key);
    return entry.parts.join('');
  }

  /** Messages with parts still missing. */
  get pending(): number {
    return this.#pending.size;
  }
}
