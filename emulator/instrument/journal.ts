import type { TextMatch } from '../../hil/rule-spec.js';
import { textMatcher } from './text-match.js';

// The journal: every goform request and every AT command and URC a client saw, in a bounded ring, so a
// test can assert what the phone app, SDK or modem client did.

export type JournalSurface = 'goform' | 'ubus' | 'at' | 'cloud' | 'cwmp' | 'usp';

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
  /**
   * A name matches an entry's name when equal, when a goform read's cmd list holds it, or when the entry's line
   * starts with it and the next character ends a word (`+CMTI` matches the URC `+CMTI: "ME",3`, `AT+CMGS` the line
   * `AT+CMGS="+49..."`); `{ pattern }` is a regular expression on the name.
   */
  name?: TextMatch | undefined;
  kind?: string | undefined;
  /** Every parameter given must be there and match (equal, or `{ pattern }`). */
  params?: Record<string, TextMatch> | undefined;
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

/** Longest response or parameter value kept, characters; longer ones are cut and marked. */
export const JOURNAL_MAX_VALUE_CHARS = 1024;
/**
 * Longest name kept: a status poll's key list is 1-3 KB and must stay whole (journal queries match one key of it);
 * a 60 KB goformId does not.
 */
export const JOURNAL_MAX_NAME_CHARS = 8192;
/** Most parameters kept per entry. */
const MAX_PARAMS = 64;
const CUT_MARK = '…[cut]';

/**
 * A bounded ring of journal entries, bounded in entries and in bytes (long values cut, marked `…[cut]`; past the
 * byte budget the oldest entries go). Stored column by column in preallocated arrays, so recording does not
 * allocate an object per request (the goform poll records every request; entries that live long enough to
 * be promoted would otherwise make every GC expensive). Objects are built when queried.
 */
export class Journal {
  readonly capacity: number;
  /** Byte budget (UTF-16 code units x 2 of names, responses and parameters), default 16 MiB. */
  readonly maxBytes: number;
  #next = 0;
  #seq = 0;
  #count = 0;
  #bytes = 0;
  #slotBytes: Float64Array;
  #cut = 0;
  #sizes = new WeakMap<Record<string, string>, { bytes: number; kept: Record<string, string> }>();
  #seqs: Float64Array;
  #virtualMs: Float64Array;
  #wallMs: Float64Array;
  #text: (string | undefined)[][];
  #params: (Record<string, string> | undefined)[];
  #listeners = new Set<(e: JournalEntry) => void>();

  /**
   * @param capacity - ring size in entries (default 10000); the oldest entries are dropped first.
   * @param maxBytes - byte budget of what the entries hold (default 16 MiB); the oldest go first past it.
   */
  constructor(capacity = 10_000, maxBytes = 16 * 1024 * 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`journal capacity must be a positive integer, got ${capacity}`);
    if (!Number.isInteger(maxBytes) || maxBytes < 64 * 1024) throw new RangeError(`journal byte budget must be at least 65536, got ${maxBytes}`);
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.#slotBytes = new Float64Array(capacity);
    this.#seqs = new Float64Array(capacity);
    this.#virtualMs = new Float64Array(capacity);
    this.#wallMs = new Float64Array(capacity);
    // deviceId, surface, kind, name, response, client
    this.#text = Array.from({ length: 6 }, () => new Array<string | undefined>(capacity));
    this.#params = new Array<Record<string, string> | undefined>(capacity);
  }

  get size(): number {
    return this.#count;
  }

  /** Bytes the live entries hold (see maxBytes). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Values cut to JOURNAL_MAX_VALUE_CHARS so far. */
  get cutValues(): number {
    return this.#cut;
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
    if (name.length > JOURNAL_MAX_NAME_CHARS) name = this.#cutText(name, JOURNAL_MAX_NAME_CHARS);
    if (response.length > JOURNAL_MAX_VALUE_CHARS) response = this.#cutText(response);
    // Parameter sizes are measured once per object: the status poll records the same masked object every second.
    let sized = this.#sizes.get(params);
    if (!sized) {
      sized = this.#measure(params);
      this.#sizes.set(params, sized);
    }
    params = sized.kept;
    const i = this.#next;
    if (this.#count === this.capacity) this.#bytes -= this.#slotBytes[i]!;
    else this.#count++;
    const entryBytes = 2 * (name.length + response.length + deviceId.length + client.length) + sized.bytes + 64;
    this.#slotBytes[i] = entryBytes;
    this.#bytes += entryBytes;
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
    while (this.#bytes > this.maxBytes && this.#count > 1) this.#evictOldest();
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
    const keep = compileFilter(filter);
    for (let k = 0; k < count; k++) {
      const e = this.#entry((start + k) % this.capacity);
      if (keep(e)) out.push(e);
    }
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }

  /** Drop every entry (sequence numbers go on: `total` still counts them). */
  clear(): void {
    for (const t of this.#text) t.fill(undefined);
    this.#params.fill(undefined);
    this.#slotBytes.fill(0);
    this.#count = 0;
    this.#bytes = 0;
    this.#next = 0;
  }

  subscribe(fn: (e: JournalEntry) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  // --- internal ---

  #cutText(text: string, max = JOURNAL_MAX_VALUE_CHARS): string {
    this.#cut++;
    return ownCopy(text.slice(0, max)) + CUT_MARK;
  }

  #measure(params: Record<string, string>): { bytes: number; kept: Record<string, string> } {
    let bytes = 0;
    let n = 0;
    let kept: Record<string, string> | null = null;
    for (const k in params) {
      const v = params[k]!;
      if (++n > MAX_PARAMS || k.length > JOURNAL_MAX_VALUE_CHARS || v.length > JOURNAL_MAX_VALUE_CHARS) kept ??= {};
      bytes += 2 * (k.length + v.length);
    }
    if (!kept) return { bytes, kept: params };
    bytes = 0;
    n = 0;
    for (const k in params) {
      if (++n > MAX_PARAMS) {
        this.#cut++;
        kept[CUT_MARK] = `${Object.keys(params).length - MAX_PARAMS} more parameters`;
        break;
      }
      const key = k.length > JOURNAL_MAX_VALUE_CHARS ? this.#cutText(k) : k;
      const v = params[k]!;
      kept[key] = v.length > JOURNAL_MAX_VALUE_CHARS ? this.#cutText(v) : v;
      bytes += 2 * (key.length + kept[key].length);
    }
    return { bytes, kept };
  }

  #evictOldest(): void {
    const i = (this.#next - this.#count + this.capacity) % this.capacity;
    this.#bytes -= this.#slotBytes[i]!;
    this.#slotBytes[i] = 0;
    for (const col of this.#text) col[i] = undefined;
    this.#params[i] = undefined;
    this.#count--;
  }

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

/**
 * A string that holds its own characters: V8 keeps a slice of a long string as a view into the whole one, so a
 * kept 1 KiB cut of a 60 KB goformId would keep the 60 KB alive.
 */
export function ownCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/** A line's own name: equal, one of a cmd list, or the line's start up to a word's end. */
function nameMatches(name: string, want: string): boolean {
  if (name === want) return true;
  if (name.includes(',') && name.split(',').includes(want)) return true;
  return name.startsWith(want) && !/[A-Za-z0-9_]/.test(name[want.length] ?? '') && /[A-Za-z0-9_]$/.test(want);
}

/** The filter with its patterns compiled once (RangeError for a bad pattern). */
export function compileFilter(f: JournalFilter): (e: JournalEntry) => boolean {
  const name = f.name === undefined ? null : typeof f.name === 'string' ? ((n: string) => nameMatches(n, f.name as string)) : textMatcher(f.name);
  const params = Object.entries(f.params ?? {}).map(([k, m]) => [k, textMatcher(m)] as const);
  return (e) => matches(e, f) && (name === null || name(e.name)) && (f.kind === undefined || e.kind === f.kind) && params.every(([k, m]) => e.params[k] !== undefined && m(e.params[k]));
}

function matches(e: JournalEntry, f: JournalFilter): boolean {
  if (f.deviceId !== undefined && e.deviceId !== f.deviceId) return false;
  if (f.surface !== undefined && e.surface !== f.surface) return false;
  if (f.client !== undefined && e.client !== f.client) return false;
  if (f.fromVirtualMs !== undefined && e.virtualMs < f.fromVirtualMs) return false;
  if (f.toVirtualMs !== undefined && e.virtualMs > f.toVirtualMs) return false;
  if (f.afterSeq !== undefined && e.seq <= f.afterSeq) return false;
  return true;
}
