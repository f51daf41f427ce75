import type { Device } from '../state/device.js';
import type { Registration, SmsMessage, Technology } from '../state/device-state.js';
import { AtPort, CommandTable, type AtCommand, type AtSettings } from './at-engine.js';
import { basicCommands } from './commands/basic-commands.js';
import { networkCommands, registrationLine } from './commands/network-commands.js';
import { smsCommands, storedPdu } from './commands/sms-commands.js';
import { textTimestamp, tpduLength, zpasTech } from './mapping.js';
import type { Concat } from './pdu.js';
import { Faults } from '../control/faults.js';
import type { Journal } from '../control/journal.js';
import { MEMORY, SmsIndex } from './sms-index.js';

const NO_PARAMS: Record<string, string> = Object.freeze({});

/** The emulated modem of one device: its command table, its open ports and the URCs state changes raise. */
export class Modem {
  readonly device: Device;
  readonly table: CommandTable;
  readonly index: SmsIndex;
  readonly assembler = new ConcatAssembler();
  /** +CFUN level (1 full, 4 RF off, 0 minimum). */
  cfun = 1;
  /** Faults the control API injects (no answer, garbage, delayed final result). */
  faults: Faults;
  /** Where command lines and URCs are recorded; none by default. */
  journal: Journal | null = null;
  #ports = new Set<AtPort>();
  #mr = 0;
  #unsubscribe: (() => void)[] = [];

  constructor(device: Device, extraCommands: AtCommand[] = [], faults?: Faults) {
    this.device = device;
    this.faults = faults ?? new Faults(device.state.seed);
    this.table = new CommandTable([...basicCommands, ...networkCommands, ...smsCommands, ...extraCommands]);
    this.index = new SmsIndex(device);
    this.#unsubscribe.push(
      device.on('sms-received', (m) => this.#onSms(m)),
      device.on('registration-changed', (r) => this.#onRegistration(r)),
      device.on('technology-changed', (t) => this.#onTechnology(t)),
    );
  }

  /** Open a port: bytes in through `port.write`, framed bytes out through `output`. Close it with port.close(). */
  openPort(output: (text: string) => void): AtPort {
    const port = new AtPort(this, this.table, output);
    this.#ports.add(port);
    port.onClose(() => this.#ports.delete(port));
    return port;
  }

  /** Override commands for a test (STYLE.md 7.6.5); undone by resetHandlers(). */
  use(...commands: AtCommand[]): void {
    this.table.use(...commands);
  }

  resetHandlers(): void {
    this.table.resetHandlers();
  }

  /** Journal a command line or URC of a port. */
  record(kind: 'command' | 'urc', name: string, response: string): void {
    this.journal?.add(this.device.state.id, 'at', kind, name, NO_PARAMS, response, this.device.now(), Date.now(), 'at');
  }

  nextMessageReference(): number {
    this.#mr = (this.#mr + 1) & 0xff;
    return this.#mr;
  }

  setFunctionality(fun: number): void {
    const before = this.cfun;
    this.cfun = fun;
    if (fun !== 1 && before === 1) this.device.setRegistration('none');
    if (fun === 1 && before !== 1) this.device.setRegistration('home');
  }

  /** Strings in the port's +CSCS character set: UCS2 is hex of UTF-16BE; IRA/GSM/8859-1 are plain. */
  encodeString(text: string, settings: AtSettings): string {
    if (settings.cscs === 'UCS2') return Buffer.from(text, 'utf16le').swap16().toString('hex').toUpperCase();
    return text;
  }

  /** The inverse of encodeString; null when a UCS2 string is not whole hex units. */
  decodeString(text: string, settings: AtSettings): string | null {
    if (settings.cscs !== 'UCS2') return text;
    if (!/^([0-9A-Fa-f]{4})*$/.test(text)) return null;
    return Buffer.from(text, 'hex').swap16().toString('utf16le');
  }

  /** A USSD request: the network answers with +CUSD after two virtual seconds (27.007 §7.15). */
  ussd(port: AtPort, code: string): void {
    const operator = this.device.state.homeOperator.shortName;
    const answer = code === '*100#' || code === '*101#' ? `${operator}: your balance is 12.34 EUR.` : `${operator}: request ${code} received.`;
    this.device.clock.after(2000, () => {
      port.urc(`+CUSD: 0,"${this.encodeString(answer, port.settings)}",15`);
    });
  }

  close(): void {
    for (const fn of this.#unsubscribe) fn();
    for (const p of [...this.#ports]) p.close();
  }

  // --- internal ---

  #onSms(message: SmsMessage): void {
    for (const port of this.#ports) {
      const mt = port.settings.cnmi[1];
      if (mt === 1) {
        port.urc(`+CMTI: "${MEMORY[message.store]}",${this.index.indexOf(message)}`);
      } else if (mt === 2 || mt === 3) {
        // +CMT routes the message to the terminal; each part comes as its own URC (27.005 §3.4.1).
        for (const part of this.index.parts(message.store).filter((p) => p.message.id === message.id)) {
          if (port.settings.cmgf === 0) {
            const hex = storedPdu({ settings: port.settings, port, modem: this }, part);
            port.urc(`+CMT: ,${tpduLength(hex)}`, hex);
          } else {
            port.urc(`+CMT: "${message.number}",,"${textTimestamp(message)}"`, this.encodeString(part.text, port.settings));
          }
        }
      }
    }
  }

  #onRegistration(_r: Registration): void {
    for (const port of this.#ports) {
      for (const [name, key] of [['+CREG', 'creg'], ['+CGREG', 'cgreg'], ['+CEREG', 'cereg'], ['+C5GREG', 'c5greg']] as const) {
        const n = port.settings[key];
        if (n > 0) port.urc(registrationLine({ modem: this }, name, n, true));
      }
    }
  }

  #onTechnology(_t: Technology): void {
    for (const port of this.#ports) port.urc(`+ZPAS: "${zpasTech(this.device.state)}","PS_ONLY"`);
  }
}

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
