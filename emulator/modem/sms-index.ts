import type { DeviceApi } from '../state/device-api.js';
import type { SmsMessage, SmsStore } from '../state/device-state.js';
import { splitText } from './pdu.js';

// AT message indices over the device's SMS store. The store keeps a concatenated SMS as one record (as the
// router's goform listing does); AT shows each part at its own index, like a modem's memory. Deleting any
// part deletes the whole message.

export interface IndexedPart {
  index: number;
  message: SmsMessage;
  part: number;
  total: number;
  text: string;
}

export const MEMORY: Record<SmsStore, string> = { device: 'ME', sim: 'SM' };
export const STORE_OF: Record<string, SmsStore> = { ME: 'device', MT: 'device', SM: 'sim' };

export class SmsIndex {
  readonly #device: DeviceApi;
  #slots = new Map<string, number>();

  constructor(device: DeviceApi) {
    this.#device = device;
  }

  /** Every part in a memory, in index order; indices stay stable while a message exists. */
  parts(store: SmsStore): IndexedPart[] {
    // The router's own records of messages sent with AT+CMGS are not in modem memory (27.005 §3.5.1).
    const messages = this.#device.state.sms.messages.filter((m) => m.store === store && m.record !== 'router');
    const live = new Set<string>();
    const out: IndexedPart[] = [];
    for (const m of messages) {
      const { parts } = splitText(m.text);
      parts.forEach((text, part) => {
        const key = `${m.store}:${m.id}:${part}`;
        live.add(key);
        out.push({ index: this.#indexFor(key, store), message: m, part, total: parts.length, text });
      });
    }
    for (const key of [...this.#slots.keys()]) if (key.startsWith(`${store}:`) && !live.has(key)) this.#slots.delete(key);
    return out.sort((a, b) => a.index - b.index);
  }

  find(store: SmsStore, index: number): IndexedPart | undefined {
    return this.parts(store).find((p) => p.index === index);
  }

  /** The index of the first part of a message (what +CMTI and +CMGW report). */
  indexOf(message: SmsMessage): number {
    return this.parts(message.store).find((p) => p.message.id === message.id)?.index ?? 0;
  }

  // --- internal ---

  #indexFor(key: string, store: SmsStore): number {
    const known = this.#slots.get(key);
    if (known !== undefined) return known;
    const used = new Set([...this.#slots].filter(([k]) => k.startsWith(`${store}:`)).map(([, v]) => v));
    let index = 1;
    while (used.has(index)) index++;
    this.#slots.set(key, index);
    return index;
  }
}
