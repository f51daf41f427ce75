import type { ControlDevice } from './control-routes.js';

// What a dashboard charts from before its page opened: per device, a ring of state summaries (one per turn of the
// event loop in which the device changed) and a ring of stimulus marks. Bounded three ways: samples per device,
// marks per device, and devices (the least recently touched device is forgotten first), so a fleet of 10,000 routers
// costs at most `maxDevices` histories however many the API touches.

export interface HistoryMark {
  virtualMs: number;
  name: string;
  body: unknown;
}

export interface DeviceHistoryView {
  /** Summaries as the event stream sends them ("state" events), oldest first. */
  samples: Record<string, unknown>[];
  /** Stimuli applied through the control API, oldest first. */
  marks: HistoryMark[];
  /** Samples and marks that fell out of the rings. */
  dropped: number;
}

export interface HistoryOptions {
  summaryOf: (c: ControlDevice) => Record<string, unknown>;
  maxSamples?: number;
  maxMarks?: number;
  maxDevices?: number;
}

interface Entry {
  device: ControlDevice['device'];
  off: () => void;
  samples: Record<string, unknown>[];
  marks: HistoryMark[];
  dropped: number;
}

export class DeviceHistory {
  readonly #entries = new Map<string, Entry>();
  readonly #summaryOf: HistoryOptions['summaryOf'];
  readonly #maxSamples: number;
  readonly #maxMarks: number;
  readonly #maxDevices: number;

  constructor(options: HistoryOptions) {
    this.#summaryOf = options.summaryOf;
    this.#maxSamples = options.maxSamples ?? 720;
    this.#maxMarks = options.maxMarks ?? 200;
    this.#maxDevices = options.maxDevices ?? 256;
  }

  /** Starts (or keeps) recording `id`; a device object that was replaced (a fleet woke it again) is re-attached. */
  track(id: string, handle: ControlDevice): void {
    const known = this.#entries.get(id);
    if (known && known.device === handle.device) {
      this.#touch(id, known);
      return;
    }
    known?.off();
    let scheduled = false;
    const entry: Entry = { device: handle.device, off: () => {}, samples: known?.samples ?? [], marks: known?.marks ?? [], dropped: known?.dropped ?? 0 };
    const sample = (): void => this.#push(entry, entry.samples, this.#summaryOf(handle), this.#maxSamples);
    entry.off = handle.device.on('changed', () => {
      // Coalesced like the event stream: one sample per turn however many changes happened in it.
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (this.#entries.get(id) === entry) sample();
      });
    });
    if (entry.samples.length === 0) sample();
    this.#touch(id, entry);
  }

  mark(id: string, mark: HistoryMark): void {
    const entry = this.#entries.get(id);
    if (entry) this.#push(entry, entry.marks, mark, this.#maxMarks);
  }

  view(id: string): DeviceHistoryView {
    const entry = this.#entries.get(id);
    return entry ? { samples: [...entry.samples], marks: [...entry.marks], dropped: entry.dropped } : { samples: [], marks: [], dropped: 0 };
  }

  /** Devices with a history now (at most maxDevices). */
  get size(): number {
    return this.#entries.size;
  }

  close(): void {
    for (const e of this.#entries.values()) e.off();
    this.#entries.clear();
  }

  #push<T>(entry: Entry, ring: T[], item: T, max: number): void {
    ring.push(item);
    if (ring.length > max) {
      ring.shift();
      entry.dropped++;
    }
  }

  #touch(id: string, entry: Entry): void {
    // Map order is insertion order: re-inserting makes `id` the most recent, the first key the least.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    while (this.#entries.size > this.#maxDevices) {
      const [oldest, e] = this.#entries.entries().next().value as [string, Entry];
      e.off();
      this.#entries.delete(oldest);
    }
  }
}
