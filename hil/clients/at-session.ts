// Protocol codecs are shared with the emulator on purpose: docs/decisions/shared-codecs.md.
import { buildSubmit, decodePdu, encodePdu, type DeliverPdu, type SubmitPdu } from '../../emulator/modem/pdu.js';
import { BenchError } from '../errors.js';
import type { ByteTransport } from '../transports/byte-transport.js';

// An AT session over any byte transport (modem-at.md §1): one command at a time, final-result detection,
// URC routing, timeouts, and SMS in PDU mode with the shared codec.

export interface AtAnswer {
  /** Information lines, without the echo and the final result. */
  lines: string[];
  final: string;
}

/** An AT command that ended in ERROR, +CME ERROR or +CMS ERROR. `cmeCode` / `cmsCode` when numeric. */
export class AtError extends BenchError {
  constructor(
    readonly command: string,
    readonly final: string,
    readonly cmeCode?: number,
    readonly cmsCode?: number,
  ) {
    super(cmeCode !== undefined || cmsCode !== undefined ? 'AT_CME_ERROR' : 'AT_ERROR', `[hil:at] ${command} answered ${final}`, {
      details: { command, final, ...(cmeCode === undefined ? {} : { cmeCode }), ...(cmsCode === undefined ? {} : { cmsCode }) },
    });
  }
}

export interface ReceivedSms {
  index: number;
  from: string;
  text: string;
  timeMs: number;
}

const FINAL = /^(OK|ERROR|\+CME ERROR: .*|\+CMS ERROR: .*|NO CARRIER|NO ANSWER|BUSY|NO DIALTONE)$/;
const URC = /^(\+CMTI|\+CMT|\+CDS|\+CDSI|\+CREG|\+CGREG|\+CEREG|\+C5GREG|\+CUSD|\+ZPAS|\+CBM|RING|\+CLIP|\+ZUSIMR|\+ZEND)\b/;

export interface AtSessionOptions {
  /** Default per-command timeout, ms (default 10000). */
  timeoutMs?: number;
}

interface Pending {
  command: string;
  lines: string[];
  resolve: (a: AtAnswer) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Resolves when the "> " prompt arrives (SMS send). */
  onPrompt?: () => void;
}

export class AtSession {
  readonly transport: ByteTransport;
  #buffer = '';
  #pending: Pending | null = null;
  #urcHandlers = new Set<(lines: string[]) => void>();
  #timeoutMs: number;
  #urcTail: string[] | null = null;

  constructor(transport: ByteTransport, options: AtSessionOptions = {}) {
    this.transport = transport;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    transport.onData((chunk) => this.#onData(chunk));
    transport.onClose((e) => {
      const p = this.#pending;
      if (p) {
        this.#pending = null;
        clearTimeout(p.timer);
        p.reject(new BenchError('TRANSPORT_CLOSED', `[hil:at] ${transport.name} closed while waiting for ${p.command}`, { cause: e }));
      }
    });
  }

  /** Echo off, numeric errors: what every client sets first (modem-at.md §1.6). */
  async init(): Promise<void> {
    await this.command('ATE0', { timeoutMs: 3000 });
    await this.command('AT+CMEE=1');
  }

  /**
   * Sends one command line and resolves with its answer. Rejects with TRANSPORT_BUSY when a command is
   * already waiting, AT_TIMEOUT after `timeoutMs`, TRANSPORT_CLOSED if the link closes, AtError on errors.
   */
  async command(command: string, options: { timeoutMs?: number; body?: string } = {}): Promise<AtAnswer> {
    // `body`: what a prompt command (AT+CMGS, AT+CMGW) takes after "> ", sent with Ctrl-Z.
    return this.#send(command, `${command}\r`, options.timeoutMs ?? this.#timeoutMs, options.body === undefined ? undefined : `${options.body}\x1a`);
  }

  /** Routes URCs (first line, then e.g. a PDU line for +CMT); returns an unsubscribe function. */
  onUrc(fn: (lines: string[]) => void): () => void {
    this.#urcHandlers.add(fn);
    return () => this.#urcHandlers.delete(fn);
  }

  /** Sends a text as SMS-SUBMIT PDUs (concatenated when long); resolves with the message references. */
  async sendSms(to: string, text: string, options: { concatRef?: number } = {}): Promise<number[]> {
    await this.command('AT+CMGF=0');
    const refs: number[] = [];
    for (const part of buildSubmit({ to, text, concatRef: options.concatRef ?? (Date.now() & 0xff) })) {
      const { hex, tpduLength } = encodePdu(part);
      const answer = await this.#send(`AT+CMGS=${tpduLength}`, `AT+CMGS=${tpduLength}\r`, 60_000, `${hex}\x1a`);
      const mr = /\+CMGS: (\d+)/.exec(answer.lines.join('\n'));
      refs.push(mr ? Number(mr[1]) : -1);
    }
    return refs;
  }

  /** Every message in the current memory (AT+CMGL=4), decoded. */
  async listSms(): Promise<{ index: number; stat: number; pdu: DeliverPdu | SubmitPdu }[]> {
    await this.command('AT+CMGF=0');
    const { lines } = await this.command('AT+CMGL=4', { timeoutMs: 30_000 });
    const out: { index: number; stat: number; pdu: DeliverPdu | SubmitPdu }[] = [];
    for (let i = 0; i < lines.length; i++) {
      const head = /^\+CMGL: (\d+),(\d+)/.exec(lines[i]!);
      if (!head || lines[i + 1] === undefined) continue;
      const pdu = decodePdu(lines[++i]!);
      if (pdu.type !== 'status-report') out.push({ index: Number(head[1]), stat: Number(head[2]), pdu });
    }
    return out;
  }

  async readSms(index: number): Promise<ReceivedSms> {
    await this.command('AT+CMGF=0');
    const { lines } = await this.command(`AT+CMGR=${index}`);
    const pdu = decodePdu(lines[1] ?? '');
    if (pdu.type !== 'deliver') throw new BenchError('AT_ERROR', `[hil:at] message ${index} is not a received SMS`);
    return { index, from: pdu.originator.value, text: pdu.text, timeMs: pdu.timestamp.utcMs };
  }

  async deleteSms(index: number): Promise<void> {
    await this.command(`AT+CMGD=${index}`);
  }

  /** Asks for +CMTI indications and calls `fn` with each new message read from memory. */
  async onSms(fn: (sms: ReceivedSms) => void): Promise<() => void> {
    await this.command('AT+CNMI=2,1,0,0,0');
    return this.onUrc((lines) => {
      const m = /^\+CMTI: "(\w+)",(\d+)/.exec(lines[0]!);
      // A failed read (the message was deleted meanwhile, or a command was in flight) skips that message;
      // the caller can still list the memory. The error is not lost: it goes to the session's URC handlers.
      if (m) void this.readSms(Number(m[2])).then(fn, (e: unknown) => this.#emitUrc([`+ROUTERLAB-ERROR: ${e instanceof Error ? e.message : String(e)}`]));
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  // --- internal ---

  #send(command: string, text: string, timeoutMs: number, body?: string): Promise<AtAnswer> {
    if (this.#pending) {
      return Promise.reject(new BenchError('TRANSPORT_BUSY', `[hil:at] ${command} sent while ${this.#pending.command} is still waiting; one command at a time`));
    }
    return new Promise<AtAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        reject(new BenchError('AT_TIMEOUT', `[hil:at] ${command} got no final result within ${timeoutMs} ms on ${this.transport.name}`));
      }, timeoutMs);
      const pending: Pending = { command, lines: [], resolve, reject, timer };
      if (body !== undefined) pending.onPrompt = () => void this.transport.write(body).catch(reject);
      this.#pending = pending;
      this.transport.write(text).catch((e: unknown) => {
        clearTimeout(timer);
        this.#pending = null;
        reject(e instanceof Error ? e : new BenchError('TRANSPORT_CLOSED', String(e)));
      });
    });
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    // The SMS prompt has no line end (27.005 §3.5.1): "\r\n> ".
    if (this.#pending?.onPrompt && /(^|\n)> $/.test(this.#buffer)) {
      const fire = this.#pending.onPrompt;
      delete this.#pending.onPrompt;
      this.#buffer = '';
      fire();
      return;
    }
    let nl: number;
    while ((nl = this.#buffer.search(/[\r\n]/)) >= 0) {
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line.trim() !== '') this.#line(line.trim());
    }
  }

  #line(line: string): void {
    const p = this.#pending;
    if (this.#urcTail) {
      // The line after "+CMT: ..." (PDU or text) belongs to the URC.
      const urc = [...this.#urcTail, line];
      this.#urcTail = null;
      this.#emitUrc(urc);
      return;
    }
    if (p && (line === p.command || line.toUpperCase() === p.command.toUpperCase())) return; // the echo
    if (p && FINAL.test(line)) {
      this.#pending = null;
      clearTimeout(p.timer);
      if (line === 'OK') return p.resolve({ lines: p.lines, final: line });
      const cme = /^\+CME ERROR: (\d+)$/.exec(line);
      const cms = /^\+CMS ERROR: (\d+)$/.exec(line);
      return p.reject(new AtError(p.command, line, cme ? Number(cme[1]) : undefined, cms ? Number(cms[1]) : undefined));
    }
    const isUrc = URC.test(line) && !(p && line.startsWith(p.command.replace(/^AT/i, '').split(/[=?]/)[0]!.toUpperCase() + ':'));
    if (isUrc || !p) {
      if (/^\+CMT: /.test(line) || /^\+CDS: /.test(line)) {
        this.#urcTail = [line];
        return;
      }
      this.#emitUrc([line]);
      return;
    }
    p.lines.push(line);
  }

  #emitUrc(lines: string[]): void {
    for (const fn of this.#urcHandlers) fn(lines);
  }
}
