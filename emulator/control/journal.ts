// The journal: every goform request and every AT command and URC a client saw, in a bounded ring, so a
// test can assert what the phone app, SDK or modem client did.

export type JournalSurface = 'goform' | 'at';

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

export class Journal {
  readonly capacity: number;
  #ring: (JournalEntry | undefined)[];
  #next = 0;
  #seq = 0;
  #listeners = new Set<(e: JournalEntry) => void>();

  /** @param capacity - ring size in entries (default 10000); the oldest entries are dropped first. */
  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`journal capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#ring = new Array<JournalEntry | undefined>(capacity);
  }

  get size(): number {
    return Math.min(this.#seq, this.capacity);
  }

  /** Entries ever recorded, including those dropped from the ring. */
  get total(): number {
    return this.#seq;
  }

  /** Records an entry; the object passed in becomes the stored entry (it gets its `seq`), no copy is made. */
  record(entry: Omit<JournalEntry, 'seq'>): JournalEntry {
    const full = entry as JournalEntry;
    full.seq = ++this.#seq;
    this.#ring[this.#next] = full;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#listeners.size > 0) for (const fn of this.#listeners) fn(full);
    return full;
  }

  /** Entries matching the filter, oldest first. */
  query(filter: JournalFilter = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const count = this.size;
    const start = (this.#next - count + this.capacity) % this.capacity;
    for (let i = 0; i < count; i++) {
      const e = this.#ring[(start + i) % this.capacity]!;
      if (matches(e, filter)) out.push(e);
    }
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }

  subscribe(fn: (e: JournalEntry) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  clear(): void {
    this.#ring = new Array<JournalEntry | undefined>(this.capacity);
    this.#next = 0;
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
