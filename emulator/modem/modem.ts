import type { DeviceApi } from '../state/device-api.js';
import type { Registration, SmsMessage, Technology } from '../state/device-state.js';
import { AtPort, CommandTable, type AtReply, type AtSettings } from './at-engine.js';
import type { AtCommand } from './modem-context.js';
import { atOutcome } from './refusals.js';
import { basicCommands } from './commands/basic-commands.js';
import { networkCommands, registrationLine } from './commands/network-commands.js';
import { smsCommands, storedPdu } from './commands/sms-commands.js';
import { textTimestamp, tpduLength, zpasTech } from './mapping.js';
import { ConcatAssembler } from './concat-assembler.js';
import type { ModemContext } from './modem-context.js';
import { Faults } from '../instrument/faults.js';
import type { Journal } from '../instrument/journal.js';
import { UnhandledReporter } from '../instrument/unhandled.js';
import { MEMORY, SmsIndex } from './sms-index.js';

const NO_PARAMS: Record<string, string> = Object.freeze({});

export interface ModemOptions {
  /** Faults of the router (shared with its goform surface); default none. */
  faults?: Faults | undefined;
  /** Where command lines and URCs are recorded; default none. */
  journal?: Journal | null | undefined;
  /** The router's unhandled policy; default silent (a bare modem answers ERROR like firmware). */
  unhandled?: UnhandledReporter | undefined;
  /** Commands added to (or replacing) the standard table. */
  commands?: AtCommand[] | undefined;
}

/** The emulated modem of one device: its command table, its open ports and the URCs state changes raise. */
export class Modem implements ModemContext {
  readonly device: DeviceApi;
  readonly table: CommandTable<ModemContext>;
  readonly index: SmsIndex;
  readonly assembler = new ConcatAssembler();
  /** +CFUN level (1 full, 4 RF off, 0 minimum). */
  cfun = 1;
  /** Faults the control API injects (no answer, garbage, delayed final result). */
  readonly faults: Faults;
  /** Where command lines and URCs are recorded; none by default. */
  readonly journal: Journal | null;
  readonly #unhandled: UnhandledReporter;
  #ports = new Set<AtPort<ModemContext>>();
  /** Ports waiting for a USSD answer. */
  #ussdPorts = new Set<AtPort<ModemContext>>();
  #mr = 0;
  #unsubscribe: (() => void)[] = [];

  constructor(device: DeviceApi, options: ModemOptions = {}) {
    this.device = device;
    this.faults = options.faults ?? new Faults(device.state.seed);
    this.journal = options.journal ?? null;
    this.#unhandled = options.unhandled ?? new UnhandledReporter('silent');
    this.table = new CommandTable([...basicCommands, ...networkCommands, ...smsCommands, ...(options.commands ?? [])]);
    this.index = new SmsIndex(device);
    this.#unsubscribe.push(
      device.on('sms-received', (m) => this.#onSms(m)),
      device.on('registration-changed', (r) => this.#onRegistration(r)),
      device.on('technology-changed', (t) => this.#onTechnology(t)),
      device.on('ussd-answer', (text) => this.#onUssd(text)),
    );
  }

  /** Open a port: bytes in through `port.write`, framed bytes out through `output`. Close it with port.close(). */
  openPort(output: (text: string) => void): AtPort<ModemContext> {
    const port = new AtPort<ModemContext>(this, this.table, output);
    this.#ports.add(port);
    port.onClose(() => {
      this.#ports.delete(port);
      this.#ussdPorts.delete(port);
    });
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

  unhandled(name: string): void {
    this.#unhandled.report('at', name);
  }

  nextMessageReference(): number {
    this.#mr = (this.#mr + 1) & 0xff;
    return this.#mr;
  }

  setFunctionality(fun: number): void {
    const before = this.cfun;
    this.cfun = fun;
    if (fun !== 1 && before === 1) this.device.network.setRadioEnabled(false);
    if (fun === 1 && before !== 1) this.device.network.setRadioEnabled(true);
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

  /**
   * A USSD request (27.007 §7.15): OK now, the network's answer as +CUSD on this port when the device has it
   * (after two virtual seconds, on the device's scheduler).
   */
  ussd(port: AtPort<ModemContext>, code: string): AtReply {
    const outcome = this.device.sms.ussd(code);
    if (!outcome.refused) this.#ussdPorts.add(port);
    return atOutcome({ settings: port.settings, port, modem: this }, outcome);
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

  #onUssd(text: string): void {
    for (const port of this.#ussdPorts) port.urc(`+CUSD: 0,"${this.encodeString(text, port.settings)}",15`);
    this.#ussdPorts.clear();
  }

  #onTechnology(_t: Technology): void {
    for (const port of this.#ports) port.urc(`+ZPAS: "${zpasTech(this.device.state)}","PS_ONLY"`);
  }
}
