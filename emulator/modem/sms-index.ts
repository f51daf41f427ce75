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
    const messages = this.#device.state.sms.messages.filter((m) => m.store === store && m.record !== 'router');
    const live = new Set<string>();
    const fresh: [string, SmsMessage, TextPart][] = [];
    const out: IndexedPart[] = [];
    for (const m of messages) {
      const total = Math.max(m.concatTotal, m.parts.length);
      for (const p of m.parts) {
        const key = `${store}:${m.id}:${p.seq}`;
        live.add(key);
        const part = { text: p.text, alphabet: p.alphabet, seq: p.seq, total };
        const index = this.#slots.get(key);
        if (index === undefined) fresh.push([key, m, part]);
        else out.push({ ...part, index, message: m });
      }
    }
    for (const key of [...this.#slots.keys()]) if (key.startsWith(`${store}:`) && !live.has(key)) this.#slots.delete(key);
    // New parts take the lowest free indices, in arrival order.
    const used = new Set(out.map((p) => p.index));
    let next = 1;
    for (const [key, message, part] of fresh) {
      while (used.has(next)) next++;
      used.add(next);
      this.#slots.set(key, next);
      out.push({ ...part, index: next, message });
    }
    return out.sort((a, b) => a.index - b.index);
  }

  /** Status reports in SR memory, in index order (27.005 §3.1: "SR" status report storage). */
  reports(): { index: number; report: DeepReadonly<SmsReport> }[] {
    const out: { index: number; report: DeepReadonly<SmsReport> }[] = [];
    const live = new Set<string>();
    const fresh: DeepReadonly<SmsReport>[] = [];
    for (const r of this.#device.state.sms.reports) {
      const key = `SR:${r.id}`;
      live.add(key);
      const index = this.#slots.get(key);
      if (index === undefined) fresh.push(r);
      else out.push({ index, report: r });
    }
    for (const key of [...this.#slots.keys()]) if (key.startsWith('SR:') && !live.has(key)) this.#slots.delete(key);
    const used = new Set(out.map((p) => p.index));
    let next = 1;
    for (const report of fresh) {
      while (used.has(next)) next++;
      used.add(next);
      this.#slots.set(`SR:${report.id}`, next);
      out.push({ index: next, report });
    }
    return out.sort((a, b) => a.index - b.index);
  }

  find(store: SmsStore, index: number): IndexedPart | undefined {
    return this.parts(store).find((p) => p.index === index);
  }

  /** The index of a part of a message (first held part by default): what +CMTI and +CMGW report. */
  indexOf(message: SmsMessage, seq?: number): number {
    return this.parts(message.store).find((p) => p.message.id === message.id && (seq === undefined || p.seq === seq))?.index ?? 0;
  }
}
