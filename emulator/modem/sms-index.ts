import type { DeviceApi } from '../state/device-api.js';
import type { DeepReadonly, SmsMessageView as SmsMessage, SmsReport, SmsStore } from '../state/device-state.js';
import type { TextPart } from './pdu.js';

// AT message indices over the device's SMS store. Each part of a concatenated message is its own slot in modem
// memory (27.005 §3.5.4, modem-at.md §10): its own index, indication, read and delete. Indices stay stable while
// a part exists; a freed index is reused, lowest first, as a modem's memory would.

export interface IndexedPart extends TextPart {
  index: number;
  message: SmsMessage;
}

export const MEMORY: Record<SmsStore, string> = { device: 'ME', sim: 'SM' };
export const STORE_OF: Record<string, SmsStore> = { ME: 'device', MT: 'device', SM: 'sim' };

export class SmsIndex {
  readonly #device: DeviceApi;
  #slots = new Map<string, number>();

  constructor(device: DeviceApi) {
    this.#device = device;
  }

  /** Every part in a memory, in index order. */
  parts(store: SmsStore): IndexedPart[] {
    // The router's own records of messages sent with AT+CMGS are not in modem memory (27.005 §3.5.1).
    const held = this.#device.state.sms.messages
      .filter((m) => m.store === store && m.record !== 'router')
      .flatMap((m) => m.parts.map((p) => ({ key: `${store}:${m.id}:${p.seq}`, part: { text: p.text, alphabet: p.alphabet, seq: p.seq, total: Math.max(m.concatTotal, m.parts.length), message: m } })));
    return this.#slotted(`${store}:`, held).map(({ index, item }) => ({ ...item.part, index }));
  }

  /** Status reports in SR memory, in index order (27.005 §3.1: "SR" status report storage). */
  reports(): { index: number; report: DeepReadonly<SmsReport> }[] {
    return this.#slotted('SR:', this.#device.state.sms.reports.map((r) => ({ key: `SR:${r.id}`, report: r }))).map(({ index, item }) => ({ index, report: item.report }));
  }

  find(store: SmsStore, index: number): IndexedPart | undefined {
    return this.parts(store).find((p) => p.index === index);
  }

  /** The index of a part of a message (first held part by default): what +CMTI and +CMGW report. */
  indexOf(message: SmsMessage, seq?: number): number {
    return this.parts(message.store).find((p) => p.message.id === message.id && (seq === undefined || p.seq === seq))?.index ?? 0;
  }

  /**
   * Indices for the items of one memory (keys starting with `prefix`): an item keeps its index while it exists, new
   * ones take the lowest free indices in order, and the indices of items gone are freed.
   */
  #slotted<T extends { key: string }>(prefix: string, items: T[]): { index: number; item: T }[] {
    const live = new Set(items.map((i) => i.key));
    for (const key of [...this.#slots.keys()]) if (key.startsWith(prefix) && !live.has(key)) this.#slots.delete(key);
    const used = new Set(items.map((i) => this.#slots.get(i.key)).filter((n) => n !== undefined));
    let next = 1;
    const out = items.map((item) => {
      let index = this.#slots.get(item.key);
      if (index === undefined) {
        while (used.has(next)) next++;
        index = next;
        used.add(index);
        this.#slots.set(item.key, index);
      }
      return { index, item };
    });
    return out.sort((a, b) => a.index - b.index);
  }
}
