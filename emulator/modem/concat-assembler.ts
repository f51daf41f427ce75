import type { Concat } from './pdu.js';

/** Collects the parts of concatenated SMS-SUBMITs (by destination and reference) until all have arrived. */
export class ConcatAssembler {
  #pending = new Map<string, { parts: (string | undefined)[] }>();

  /** Adds a part; returns the whole text when it completes the message, else null. */
  add(destination: string, concat: Concat, text: string): string | null {
    const key = `${destination}|${concat.refBits}|${concat.ref}|${concat.total}`;
    const entry = this.#pending.get(key) ?? { parts: new Array<string | undefined>(concat.total).fill(undefined) };
    if (concat.seq >= 1 && concat.seq <= concat.total) entry.parts[concat.seq - 1] = text;
    this.#pending.set(key, entry);
    if (entry.parts.some((p) => p === undefined)) return null;
    this.#pending.delete(key);
    return entry.parts.join('');
  }
}
