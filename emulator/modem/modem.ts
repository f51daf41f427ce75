import type { DeviceApi } from '../state/device-api.js';
import type { Registration, SmsMessageView as SmsMessage, SmsReport, Technology } from '../state/device-state.js';
import { AtPort, CommandTable, type AtPortOptions, type AtReply, type AtSettings } from './at-engine.js';
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
import { reportFields, reportPdu } from './status-reports.js';

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

/** AT commands whose arguments are PINs or passwords. */
const SECRET_AT = /CPIN|CPWD|CLCK/;
/** The argument text of those commands in a command line, up to the next `;`. */
const SECRET_AT_ARGS = /(\+(?:CPIN|CPWD|CLCK)=)[^;]*/gi;

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
  #unsubscribe: (() => void)[] = [];

  constructor(device: DeviceApi, options: ModemOptions = {}) {
    this.device = device;
    this.faults = options.faults ?? new Faults(device.state.seed);
    this.journal = options.journal ?? null;
    this.#unhandled = options.unhandled ?? new UnhandledReporter('silent');
    this.table = new CommandTable([...basicCommands, ...networkCommands, ...smsCommands, ...(options.commands ?? [])]);
    this.index = new SmsIndex(device);
    this.#unsubscribe.push(
      device.on('sms-received', (m, seq) => this.#onSms(m, seq)),
      device.on('sms-status-report', (r) => this.#onReport(r)),
      device.on('registration-changed', (r) => this.#onRegistration(r)),
      device.on('technology-changed', (t) => this.#onTechnology(t)),
      device.on('ussd-answer', (text) => this.#onUssd(text)),
    );
  }

  /** Open a port: bytes in through `port.write`, framed bytes out through `output`. Close it with port.close(). */
  openPort(output: (text: string) => void, options: AtPortOptions = {}): AtPort<ModemContext> {
    const port = new AtPort<ModemContext>(this, this.table, output, options);
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
  record(kind: 'command' | 'urc', name: string, response: string, params: Record<string, string> = NO_PARAMS): void {
    if (!this.journal) return;
    // PIN and PUK arguments (AT+CPIN="1234") are masked in the parameters like every other surface's secrets; a line
    // without such a command keeps its object as it is.
    const secret = (k: string): boolean => SECRET_AT.test(k) && params[k] !== '';
    if (!Object.keys(params).some(secret)) {
      this.journal.add(this.device.state.id, 'at', kind, name, params, response, this.device.now(), Date.now(), 'at');
      return;
    }
    const masked = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, secret(k) ? '***' : v]));
    // The entry's name is the command line: its secret arguments go too (AT+CPIN=***).
    this.journal.add(this.device.state.id, 'at', kind, name.replace(SECRET_AT_ARGS, '$1***'), masked, response, this.device.now(), Date.now(), 'at');
  }

  unhandled(name: string): void {
    this.#unhandled.report('at', name);
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

  /** One part stored: +CMTI with its index (mt 1), or the part itself as +CMT (mt 2, 3), 27.005 §3.4.1. */
  #onSms(message: SmsMessage, seq: number): void {
    const part = this.index.parts(message.store).find((p) => p.message.id === message.id && p.seq === seq);
    if (!part) return;
    for (const port of this.#ports) {
      const mt = port.settings.cnmi[1];
      if (mt === 1) {
        port.urc(`+CMTI: "${MEMORY[message.store]}",${part.index}`);
      } else if (mt === 2 || mt === 3) {
        if (port.settings.cmgf === 0) {
          const hex = storedPdu({ modem: this }, part);
          port.urc(`+CMT: ,${tpduLength(hex)}`, hex);
        } else {
          port.urc(`+CMT: "${message.number}",,"${textTimestamp(message)}"`, this.encodeString(part.text, port.settings));
        }
      }
    }
  }

  /** A status report in SR memory: +CDS with the report (ds 1) or +CDSI with its SR index (ds 2), 27.005 §3.4.1. */
  #onReport(report: SmsReport): void {
    const slot = this.index.reports().find((r) => r.report.id === report.id);
    if (!slot) return;
    for (const port of this.#ports) {
      const ds = port.settings.cnmi[3];
      if (ds === 1) {
        if (port.settings.cmgf === 0) {
          const hex = reportPdu(this.device.state, report);
          port.urc(`+CDS: ${tpduLength(hex)}`, hex);
        } else {
          port.urc(`+CDS: ${reportFields(report)}`);
        }
      } else if (ds === 2) {
        port.urc(`+CDSI: "SR",${slot.index}`);
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
