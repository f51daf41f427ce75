// The journal: every goform request and every AT command and URC a client saw, in a bounded ring, so a
// test can assert what the phone app, SDK or modem client did.

export type JournalSurface = 'goform' | 'at' | 'cloud';

export interface JournalEntry {
  seq: number;
  deviceId: string;
  surface: JournalSurface;
  /** goform: 'read' | 'write' | 'file'; at: 'command' | 'urc'. */
  kind: string;
  /** goform: the cmd list or goformId; at: the command line or the URC's first line. */
  name: string;
  /** Request parameters with passwords, AD and tokens masked. */
  params: Record<string, string>;
  /** Short summary of the answer (result code, number of keys, final result). */
  response: string;
  virtualMs: number;
  wallMs: number;
  client: string;
}

export interface JournalFilter {
  deviceId?: string | undefined;
  surface?: JournalSurface | undefined;
  /** Matches entries whose name equals it, or whose cmd list contains it (goform reads). */
  name?: string | undefined;
  client?: string | undefined;
  fromVirtualMs?: number | undefined;
  toVirtualMs?: number | undefined;
  afterSeq?: number | undefined;
  limit?: number | undefined;
}

const SECRET = /pass|psw|^ad$|token|pin|puk/i;

/** Masks secrets in request parameters (goformId LOGIN password, AD, PIN...). */
export function maskParams(params: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = SECRET.test(k) && v !== '' ? '***' : v;
  return out;
}

/**
 * A bounded ring of journal entries. Stored column by column in preallocated arrays, so recording does not
 * allocate an object per request (the goform poll records every request; entries that live long enough to
 * be promoted would otherwise make every GC expensive). Objects are built when queried.
 */
export class Journal {
  readonly capacity: number;
  #next = 0;
  #seq = 0;
  #seqs: Float64Array;
  #virtualMs: Float64Array;
  #wallMs: Float64Array;
  #text: (string | undefined)[][];
  #params: (Record<string, string> | undefined)[];
  #listeners = new Set<(e: JournalEntry) => void>();

  /** @param capacity - ring size in entries (default 10000); the oldest entries are dropped first. */
  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`journal capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#seqs = new Float64Array(capacity);
    this.#virtualMs = new Float64Array(capacity);
    this.#wallMs = new Float64Array(capacity);
    // deviceId, surface, kind, name, response, client
    this.#text = Array.from({ length: 6 }, () => new Array<string | undefined>(capacity));
    this.#params = new Array<Record<string, string> | undefined>(capacity);
  }

  get size(): number {
    return Math.min(this.#seq, this.capacity);
  }

  /** Entries ever recorded, including those dropped from the ring. */
  get total(): number {
    return this.#seq;
  }

  record(entry: Omit<JournalEntry, 'seq'>): void {
    this.add(entry.deviceId, entry.surface, entry.kind, entry.name, entry.params, entry.response, entry.virtualMs, entry.wallMs, entry.client);
  }

  /** record() without building an object: the hot path (every goform request). */
  add(deviceId: string, surface: JournalSurface, kind: string, name: string, params: Record<string, string>, response: string, virtualMs: number, wallMs: number, client: string): void {
    const i = this.#next;
    const t = this.#text;
    this.#seqs[i] = ++this.#seq;
    t[0]![i] = deviceId;
    t[1]![i] = surface;
    t[2]![i] = kind;
    t[3]![i] = name;
    t[4]![i] = response;
    t[5]![i] = client;
    this.#params[i] = params;
    this.#virtualMs[i] = virtualMs;
    this.#wallMs[i] = wallMs;
    this.#next = (i + 1) % this.capacity;
    if (this.#listeners.size > 0) {
      const e = this.#entry(i);
      for (const fn of this.#listeners) fn(e);
    }
  }

  /** Entries matching the filter, oldest first. */
  query(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const count = this.size;
    const start = (this.#next - count + this.capacity) % this.capacity;
    for (let k = 0; k < count; k++) {
      const e = this.#entry((start + k) % this.capacity);
      if (matches(e, filter)) out.push(e);
    }
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }

  subscribe(fn: (e: JournalEntry) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  // --- internal ---

  #entry(i: number): JournalEntry {
    const t = this.#text;
    return {
      seq: this.#seqs[i]!,
      deviceId: t[0]![i]!,
      surface: t[1]![i] as JournalSurface,
      kind: t[2]![i]!,
      name: t[3]![i]!,
      params: this.#params[i] ?? {},
      response: t[4]![i]!,
      virtualMs: this.#virtualMs[i]!,
      wallMs: this.#wallMs[i]!,
      client: t[5]![i]!,
    };
  }
}

function matches(e: JournalEntry, f: JournalFilter): boolean {
  if (f.deviceId !== undefined && e.deviceId !== f.deviceId) return false;
  if (f.surface !== undefined && e.surface !== f.surface) return false;
  if (f.client !== undefined && e.client !== f.client) return false;
  if (f.fromVirtualMs !== undefined && e.virtualMs < f.fromVirtualMs) return false;
  if (f.toVirtualMs !== undefined && e.virtualMs > f.toVirtualMs) return false;
  if (f.afterSeq !== undefined && e.seq <= f.afterSeq) return false;
  if (f.name !== undefined && e.name !== f.name && !e.name.split(',').includes(f.name)) return false;
  return true;
}
