import { BenchError } from '../../hil/errors.js';
import type { Faults } from '../instrument/faults.js';
import type { RuleAction } from '../instrument/rules.js';

// V.250 command-line engine (modem-at.md §1-§2): byte stream in, framed responses out. Commands are data
// (AtCommand tables); this file knows only the syntax, the framing, prompts and URC queuing.

/** Per-port settings clients set and read back (modem-at.md §1.8). ATZ/AT&F restore DEFAULT_SETTINGS. */
export interface AtSettings {
  echo: boolean;
  verbose: boolean;
  quiet: boolean;
  cmee: 0 | 1 | 2;
  cmgf: 0 | 1;
  cscs: string;
  /** +CNMI <mode>,<mt>,<bm>,<ds>,<bfr> */
  cnmi: [number, number, number, number, number];
  creg: number;
  cgreg: number;
  cereg: number;
  c5greg: number;
  copsFormat: 0 | 1 | 2;
  /** +CPMS memories: read/delete, write/send, receive. */
  cpms: [string, string, string];
  csmp: [number, number, number, number];
  csdh: 0 | 1;
  cusd: 0 | 1;
  /** Call-related reporting a data-only modem accepts (Gammu, python-gsmmodem set them up): +CLIP, +CRC, +CCWA, +CVHU. */
  clip: 0 | 1;
  crc: 0 | 1;
  ccwa: 0 | 1;
  cvhu: 0 | 1;
  /** +CGEREP <mode>,<bfr> (27.007 §10.1.19), +CTZU (§8.41), +IFC <DCE by DTE>,<DTE by DCE> (V.250 §6.2.12). */
  cgerep: [number, number];
  ctzu: 0 | 1;
  ifc: [number, number];
  s: Record<number, number>;
}

export const DEFAULT_SETTINGS: AtSettings = {
  echo: true,
  verbose: true,
  quiet: false,
  cmee: 0,
  cmgf: 0,
  cscs: 'IRA',
  cnmi: [0, 0, 0, 0, 0],
  creg: 0,
  cgreg: 0,
  cereg: 0,
  c5greg: 0,
  copsFormat: 0,
  cpms: ['ME', 'ME', 'ME'],
  csmp: [17, 167, 0, 0],
  csdh: 0,
  cgerep: [0, 0],
  ctzu: 0,
  ifc: [2, 2],
  cusd: 0,
  clip: 0,
  crc: 0,
  ccwa: 0,
  cvhu: 1,
  s: { 0: 0, 3: 13, 4: 10, 5: 8, 7: 50 },
};

/** What a handler answers: information lines and a final result, or a prompt that collects a body. */
export type AtReply =
  | { kind: 'ok'; lines: string[] }
  | { kind: 'error'; lines: string[]; cme?: number; cms?: number }
  | { kind: 'prompt'; lines: string[]; textMode: boolean; onBody: (body: string) => AtReply };

export const ok = (...lines: string[]): AtReply => ({ kind: 'ok', lines });
export const error = (): AtReply => ({ kind: 'error', lines: [] });
export const cmeError = (cme: number): AtReply => ({ kind: 'error', lines: [], cme });
export const cmsError = (cms: number): AtReply => ({ kind: 'error', lines: [], cms });
/** Open the `> ` prompt; the body up to Ctrl-Z goes to onBody. In text mode CR starts a new body line. */
export const prompt = (textMode: boolean, onBody: (body: string) => AtReply): AtReply => ({ kind: 'prompt', lines: [], textMode, onBody });

export type AtSyntax = 'exec' | 'read' | 'test' | 'set';

/**
 * A rule's answer as a reply: lines (an array, or text split on line ends); the last line is the final result when it
 * is one (OK, ERROR, +CME ERROR: n, +CMS ERROR: n), otherwise OK follows.
 */
function answerReply(body: unknown): AtReply {
  const lines = (Array.isArray(body) ? body.map(String) : (typeof body === 'string' ? body : JSON.stringify(body ?? '')).split(/\r?\n/)).filter((l) => l !== '');
  const last = lines.at(-1) ?? 'OK';
  const info = /^(OK|ERROR|\+CME ERROR: ?\d+|\+CMS ERROR: ?\d+)$/.test(last) ? lines.slice(0, -1) : lines;
  const cme = /^\+CME ERROR: ?(\d+)$/.exec(last);
  const cms = /^\+CMS ERROR: ?(\d+)$/.exec(last);
  if (last === 'ERROR') return { kind: 'error', lines: info };
  if (cme) return { kind: 'error', lines: info, cme: Number(cme[1]) };
  if (cms) return { kind: 'error', lines: info, cms: Number(cms[1]) };
  return { kind: 'ok', lines: info };
}

export interface AtInvocation {
  /** Upper-case name with prefix: "+CSQ", "E", "&F", "S", "+ZPAS". */
  name: string;
  syntax: AtSyntax;
  /** Raw argument text (set syntax) or the digits of a basic command. */
  raw: string;
  /** Arguments split on commas outside quotes, quotes removed. */
  args: string[];
  /** Which arguments were quoted (some commands need to know). */
  quoted: boolean[];
}

/** What a port needs from the modem it belongs to; commands see the modem as `M` (modem-context.ts). */
export interface PortHost {
  readonly faults: Faults;
  /** Journal a command line or URC. */
  record(kind: 'command' | 'urc', name: string, response: string, params?: Record<string, string>): void;
  /** A command the table does not have (the router's unhandled policy). */
  unhandled(name: string): void;
}

export interface AtContext<M extends PortHost = PortHost> {
  settings: AtSettings;
  port: AtPort<M>;
  modem: M;
}

export type AtHandler<M extends PortHost = PortHost> = (ctx: AtContext<M>, inv: AtInvocation) => AtReply;

/** One command: its name and a handler per syntax it supports. A missing syntax answers ERROR/+CME 4. */
export interface AtCommand<M extends PortHost = PortHost> {
  name: string;
  /** AT+X (or a basic command such as E1, with its digits in `inv.raw`). */
  exec?: AtHandler<M>;
  /** AT+X? */
  read?: AtHandler<M>;
  /** AT+X=? */
  test?: AtHandler<M>;
  /** AT+X=<args> */
  set?: AtHandler<M>;
}

/** The command table: later entries override earlier ones with the same name (tests prepend overrides). */
export class CommandTable<M extends PortHost = PortHost> {
  #base = new Map<string, AtCommand<M>>();
  #overrides = new Map<string, AtCommand<M>>();

  constructor(commands: AtCommand<M>[]) {
    for (const c of commands) this.#base.set(c.name.toUpperCase(), c);
  }

  get(name: string): AtCommand<M> | undefined {
    return this.#overrides.get(name) ?? this.#base.get(name);
  }

  /** Override commands until resetHandlers() (STYLE.md 7.6.5). */
  use(...commands: AtCommand<M>[]): void {
    for (const c of commands) this.#overrides.set(c.name.toUpperCase(), c);
  }

  resetHandlers(): void {
    this.#overrides.clear();
  }

  names(): string[] {
    return [...new Set([...this.#base.keys(), ...this.#overrides.keys()])].sort();
  }
}

const CTRL_Z = 0x1a;
/** What a modem with a garbled line writes under the garbage fault. */
const GARBAGE = '\u00ff\u00fe#@!~^ZTE?\u0007';
const ESC = 0x1b;
const MAX_LINE = 4096;
/** URCs one port holds while a prompt is open or a line is being answered. */
export const MAX_QUEUED_URCS = 256;

/**
 * How a serial line paces new-message indications (+CMTI, +CMT, +CDSI, +CDS). A real modem never writes two in one
 * burst: each SMS-DELIVER is its own transfer on the radio side, acknowledged before the network sends the next
 * (24.011 §5.3, RP-ACK), and the host has read one part before the next is announced. Hosts rely on it:
 * python-gsmmodem takes the lines that arrive together as one notification and handles only its first +CMTI, and
 * ModemManager drops a +CMTI that comes while it still holds the SMS storages to read the previous part
 * (modem-at.md §5). So on a line the next indication waits, in real time, until
 * - at least `spacingMs` have passed since the previous one, and
 * - the host has read the slot that one announced (+CMGR or +CMGD of its index, or a +CMGL), and its line has been
 *   quiet for `quietMs` since (a host finishes what it does with a part: ModemManager unlocks its storages);
 * or, for a host that never reads (a terminal), once `maxHoldMs` have passed.
 */
export const LINE_PACING = { spacingMs: 500, quietMs: 250, maxHoldMs: 5000 } as const;
const INDICATION = /^\+(CMTI|CMT|CDSI|CDS):/;
/** The slot index an indication announces (+CMTI: "ME",3 / +CDSI: "SR",2); direct deliveries announce none. */
const ANNOUNCED = /^\+(?:CMTI|CDSI):\s*"[^"]*",(\d+)/;

export interface AtPortOptions {
  /** Real-time pacing of new-message indications (LINE_PACING on serial lines; absent: none, in-process ports). */
  indicationPacing?: { spacingMs: number; quietMs: number; maxHoldMs: number } | undefined;
}

/**
 * One AT port: feeds bytes to the parser, writes framed output to `onOutput`. URCs wait while a prompt
 * is open or a command line is being answered (modem-at.md §1.7); on a line, new-message indications are spaced.
 */
export class AtPort<M extends PortHost = PortHost> {
  settings: AtSettings = structuredClone(DEFAULT_SETTINGS);
  readonly modem: M;
  #table: CommandTable<M>;
  #line = '';
  #lastLine = '';
  #prompt: { onBody: (body: string) => AtReply; body: string; textMode: boolean } | null = null;
  #busy = false;
  #urcQueue: string[][] = [];
  /** URCs dropped because the queue was full (a client that left a prompt open). */
  urcsDropped = 0;
  /** The command line being answered (for the journal). */
  #current = '';
  #currentParams: Record<string, string> = {};
  #output: (text: string) => void;
  #onClose: (() => void)[] = [];
  closed = false;

  readonly #pacing: AtPortOptions['indicationPacing'];
  /** Indications waiting for their turn on the line; when the last one went, the slot it announced, the line's activity. */
  #indications: string[][] = [];
  #lastIndicationAt = Number.NEGATIVE_INFINITY;
  #unreadSlot: number | null = null;
  #lastActivityAt = Number.NEGATIVE_INFINITY;
  #indicationTimer: NodeJS.Timeout | null = null;

  constructor(modem: M, table: CommandTable<M>, output: (text: string) => void, options: AtPortOptions = {}) {
    this.modem = modem;
    this.#table = table;
    this.#output = output;
    this.#pacing = options.indicationPacing;
  }

  /** Feed received bytes (any chunking: one byte at a time works the same as whole lines). */
  write(data: string | Uint8Array): void {
    if (this.closed) throw new BenchError('TRANSPORT_CLOSED', '[modem] write on a closed AT port; open a new one');
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    this.#busy = true;
    try {
      for (let i = 0; i < text.length; i++) this.#byte(text.charCodeAt(i), text[i]!);
    } finally {
      this.#busy = false;
    }
    this.#flushUrcs();
  }

  /** Queue an unsolicited result (lines without framing); sent at once when the port is idle. */
  urc(...lines: string[]): void {
    if (this.closed || lines.length === 0) return;
    if (this.#pacing && INDICATION.test(lines[0]!)) {
      if (this.#indications.length >= MAX_QUEUED_URCS) {
        this.#indications.shift();
        this.urcsDropped++;
      }
      this.#indications.push(lines);
      this.#nextIndication();
      return;
    }
    this.#queueUrc(lines);
  }

  /** Hands the next waiting indication to the URC queue when its turn has come (LINE_PACING), or checks again later. */
  #nextIndication(): void {
    const pacing = this.#pacing;
    if (!pacing || this.closed || this.#indicationTimer || this.#indications.length === 0) return;
    const now = performance.now();
    const since = now - this.#lastIndicationAt;
    const read = this.#unreadSlot === null && now - this.#lastActivityAt >= pacing.quietMs;
    if (!(since >= pacing.spacingMs && read) && since < pacing.maxHoldMs) {
      // Reads and quiet come from the host: look again shortly (bounded by the maximum hold).
      this.#indicationTimer = setTimeout(() => {
        this.#indicationTimer = null;
        this.#nextIndication();
      }, Math.max(10, Math.min(pacing.spacingMs - since, 50)));
      this.#indicationTimer.unref();
      return;
    }
    const lines = this.#indications.shift()!;
    this.#lastIndicationAt = now;
    const slot = ANNOUNCED.exec(lines[0]!);
    this.#unreadSlot = slot ? Number(slot[1]) : null;
    this.#queueUrc(lines);
    this.#nextIndication();
  }

  /** A command line ran: the host is busy on the line, and may have read the slot the last indication announced. */
  #hostActivity(commands: readonly AtInvocation[]): void {
    if (!this.#pacing) return;
    this.#lastActivityAt = performance.now();
    for (const c of commands) {
      if (c.name === '+CMGL' || ((c.name === '+CMGR' || c.name === '+CMGD') && Number(c.args[0]) === this.#unreadSlot)) this.#unreadSlot = null;
    }
  }

  #queueUrc(lines: string[]): void {
    // A prompt left open holds URCs back; past MAX_QUEUED_URCS the oldest go (counted in urcsDropped).
    if (this.#urcQueue.length >= MAX_QUEUED_URCS) {
      this.#urcQueue.shift();
      this.urcsDropped++;
    }
    this.#urcQueue.push(lines);
    if (!this.#busy) this.#flushUrcs();
  }

  onClose(fn: () => void): void {
    this.#onClose.push(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.#indicationTimer) clearTimeout(this.#indicationTimer);
    this.#indicationTimer = null;
    this.#indications = [];
    for (const fn of this.#onClose) fn();
  }

  /** Reset the port's settings (ATZ, AT&F). */
  reset(): void {
    this.settings = structuredClone(DEFAULT_SETTINGS);
  }

  // --- internal ---

  #byte(code: number, ch: string): void {
    if (this.#prompt) return this.#promptByte(code, ch);
    const s3 = this.settings.s[3] ?? 13;
    const s5 = this.settings.s[5] ?? 8;
    if (code === s3) {
      const line = this.#line;
      this.#line = '';
      this.#runLine(line);
      return;
    }
    if (code === 10 || code === ESC || code === 0) return; // LF after CR, Gammu's ESC, NULs: ignored
    if (code === s5) {
      this.#line = this.#line.slice(0, -1);
      return;
    }
    if (this.#line.length < MAX_LINE) this.#line += ch;
    // V.250 §5.2.4: "A/" repeats the last command line without waiting for S3.
    if (/^[Aa]\/$/.test(this.#line.trimStart())) {
      this.#line = '';
      this.#runLine(this.#lastLine, `A/`);
    }
  }

  #promptByte(code: number, ch: string): void {
    const p = this.#prompt!;
    if (code === CTRL_Z) {
      this.#prompt = null;
      if (this.settings.echo) this.#output(ch);
      this.#rule = this.#promptRule;
      this.#promptRule = null;
      this.#final(p.onBody(p.body));
      return;
    }
    if (code === ESC) {
      this.#prompt = null;
      this.#final(ok());
      return;
    }
    if (this.settings.echo) this.#output(ch);
    if (code === 13 && p.textMode) {
      // Text mode: CR ends a line of the body and asks for the next one (27.005 §3.5.1).
      p.body += '\r';
      this.#output('\r\n> ');
      return;
    }
    if (code === 13 || code === 10) return;
    if (p.body.length < 8192) p.body += ch;
  }

  #runLine(raw: string, echoed?: string): void {
    const at = raw.search(/[Aa][Tt]/);
    if (at < 0) {
      // Bytes without an AT prefix (a stray CR, Gammu's ESC CR) get no answer (modem-at.md §1.3).
      return;
    }
    const line = raw.slice(at);
    this.#current = line;
    this.#currentParams = {};
    if (this.settings.echo) this.#output(`${echoed ?? line}${String.fromCharCode(this.settings.s[3] ?? 13)}`);
    this.#lastLine = line;
    let commands: AtInvocation[];
    try {
      commands = parseCommandLine(line.slice(2));
      // The journal's parameters of the line: each command's argument text by its name ({"+CMGS": "\"+49...\""}).
      this.#currentParams = {};
      for (const c of commands) this.#currentParams[c.name] = c.raw;
      this.#hostActivity(commands);
    } catch (e) {
      // A syntax error answers ERROR for the whole line (V.250 §5.6.1); the parser error goes no further.
      if (e instanceof BenchError && e.code === 'INVALID_ARGUMENT') return this.#final(error());
      throw e;
    }
    const info: string[] = [];
    this.#rule = null;
    // A bare "AT" is a command line too: rules (a garbage line, no answer) meet it as the command "AT".
    if (commands.length === 0) return this.#final(this.#ruled({ name: '', syntax: 'exec', raw: '', args: [], quoted: [] }));
    for (let i = 0; i < commands.length; i++) {
      const inv = commands[i]!;
      const reply = this.#ruled(inv);
      // One command's lines are one information text, separated by a single CRLF (27.005 §3.4.2: the PDU follows
      // its +CMGL/+CMGR header on the very next line; an empty line between them breaks ModemManager's parser).
      if (reply.lines.length === 1) info.push(reply.lines[0]!);
      else if (reply.lines.length > 1) info.push(reply.lines.join('\r\n'));
      if (reply.kind === 'error') return this.#final({ ...reply, lines: info });
      if (reply.kind === 'prompt') {
        // The rest of the line is ignored once a prompt opens (CMGS/CMGW end a command line).
        this.#promptRule = this.#rule;
        this.#rule = null;
        this.#emitLines(info);
        this.#prompt = { onBody: reply.onBody, body: '', textMode: reply.textMode };
        this.#output('\r\n> ');
        return;
      }
    }
    this.#final(ok(...info));
  }

  /**
   * A command under the rules (instrument/rules.ts), matched by its name (+CMGS; AT+CMGS alike) and `args` (the raw
   * argument text) and `syntax`. error and answer replace the command (it is not carried out); hang and drop leave the
   * line without a final result, ever (a command that opens a prompt still opens it and takes the body, which is then
   * dropped: the SMS is not sent); latency delays the line's final result; garbage writes a garbage line before it.
   */
  #ruled(inv: AtInvocation): AtReply {
    const rules = this.modem.faults.rules;
    // The AT loop without rules: no matching, no closure.
    if (!rules.has('at')) return inv.name === '' ? ok() : this.#execute(inv);
    const run = (): AtReply => (inv.name === '' ? ok() : this.#execute(inv));
    const hit = rules.hit('at', inv.name, () => ({ args: inv.raw, syntax: inv.syntax }), 'at');
    if (!hit) return run();
    const a = hit.action;
    this.#rule = { id: hit.id, action: a, delayMs: hit.delayMs };
    switch (a.kind) {
      case 'error':
        return a.code === undefined ? error() : cmeError(a.code);
      case 'answer':
        return answerReply(a.body);
      case 'hang':
      case 'drop': {
        const reply = run();
        return reply.kind === 'prompt' ? { ...reply, onBody: () => ok() } : reply;
      }
      default:
        return run();
    }
  }

  /** The rule acting on the command line being answered (hang, latency and garbage act on its final result). */
  #rule: { id: string; action: RuleAction; delayMs: number } | null = null;
  #promptRule: { id: string; action: RuleAction; delayMs: number } | null = null;

  #execute(inv: AtInvocation): AtReply {
    const cmd = this.#table.get(inv.name);
    const handler = cmd?.[inv.syntax];
    if (!cmd) this.modem.unhandled(`AT${inv.name}`);
    if (!cmd || !handler) return this.settings.cmee > 0 && cmd ? cmeError(4) : error();
    try {
      return handler({ settings: this.settings, port: this, modem: this.modem }, inv);
    } catch (e) {
      // A handler that throws on bad arguments answers the modem's own error, never a crash.
      if (e instanceof BenchError && e.code === 'INVALID_ARGUMENT') return this.settings.cmee > 0 ? cmeError(50) : error();
      throw e;
    }
  }

  /** Each command's information text framed on its own (V.250 §5.7.1); its lines are joined where it was answered. */
  #emitLines(lines: string[]): void {
    for (const l of lines) this.#output(this.settings.verbose ? `\r\n${l}\r\n` : `${l}\r\n`);
  }

  #final(reply: AtReply): void {
    if (reply.kind === 'prompt') {
      // The rule stays with the line until the body's final result (set again when the body ends).
      this.#promptRule = this.#rule;
      this.#rule = null;
      this.#emitLines(reply.lines);
      this.#prompt = { onBody: reply.onBody, body: '', textMode: reply.textMode };
      this.#output('\r\n> ');
      this.#journal('> ');
      return;
    }
    const rule = this.#rule;
    this.#rule = null;
    const by = rule ? ` (rule ${rule.id}: ${rule.action.kind})` : '';
    if (rule?.action.kind === 'hang' || rule?.action.kind === 'drop') {
      this.#journal(`(no answer)${by}`);
      return;
    }
    if (rule?.action.kind === 'garbage') this.#output(`\r\n${GARBAGE}\r\n`);
    this.#emitLines(reply.lines);
    const text = this.#finalText(reply);
    this.#journal(`${text.trim() || '(quiet)'}${by}`);
    if (!text) return;
    const delay = (rule?.action.kind === 'latency' ? rule.action.ms : 0) + (rule?.delayMs ?? 0);
    if (delay > 0) {
      setTimeout(() => {
        if (!this.closed) this.#output(text);
      }, delay);
      return;
    }
    this.#output(text);
  }

  #finalText(reply: AtReply): string {
    if (this.settings.quiet) return '';
    const v = this.settings.verbose;
    if (reply.kind === 'ok') return v ? '\r\nOK\r\n' : '0\r';
    if (reply.kind === 'error' && reply.cms !== undefined && this.settings.cmee > 0) return `\r\n+CMS ERROR: ${reply.cms}\r\n`;
    if (reply.kind === 'error' && reply.cme !== undefined && this.settings.cmee === 1) return `\r\n+CME ERROR: ${reply.cme}\r\n`;
    if (reply.kind === 'error' && reply.cme !== undefined && this.settings.cmee === 2) return `\r\n+CME ERROR: ${CME_TEXT[reply.cme] ?? 'unknown'}\r\n`;
    return v ? '\r\nERROR\r\n' : '4\r';
  }

  #journal(response: string): void {
    this.modem.record('command', this.#current, response, this.#currentParams);
  }

  #flushUrcs(): void {
    if (this.#prompt || this.#busy) return;
    while (this.#urcQueue.length > 0) {
      const lines = this.#urcQueue.shift()!;
      // URC framing: "\r\n<line>\r\n" for the first line; a PDU or text line follows with its own CRLF.
      this.#output(`\r\n${lines.join('\r\n')}\r\n`);
      this.modem.record('urc', lines[0]!, lines.slice(1).join(' '));
    }
  }
}

/** Verbose +CME ERROR texts (27.007 §9.2) for CMEE=2. */
export const CME_TEXT: Record<number, string> = {
  0: 'phone failure', 3: 'operation not allowed', 4: 'operation not supported', 10: 'SIM not inserted',
  11: 'SIM PIN required', 12: 'SIM PUK required', 13: 'SIM failure', 14: 'SIM busy', 15: 'SIM wrong',
  16: 'incorrect password', 20: 'memory full', 21: 'invalid index', 22: 'not found', 23: 'memory failure',
  24: 'text string too long', 25: 'invalid characters in text string', 30: 'no network service',
  31: 'network timeout', 32: 'network not allowed - emergency calls only', 50: 'incorrect parameters',
  100: 'unknown', 107: 'GPRS services not allowed', 111: 'PLMN not allowed', 148: 'unspecified GPRS error',
};

/**
 * Splits the text after "AT" into commands (V.250 §5.3-§5.4): basic commands back to back, `&X`, `Sn=v`,
 * `Sn?`, extended commands (+ ^ $ % *) separated by `;`, spaces ignored outside quotes. `D` takes the rest
 * of the line. Throws INVALID_ARGUMENT on a syntax error.
 */
export function parseCommandLine(text: string): AtInvocation[] {
  const out: AtInvocation[] = [];
  let i = 0;
  const skipSpaces = (): void => {
    while (text[i] === ' ') i++;
  };
  const digits = (): string => {
    const start = i;
    while (i < text.length && /[0-9]/.test(text[i]!)) i++;
    return text.slice(start, i);
  };
  for (;;) {
    skipSpaces();
    if (i >= text.length) break;
    const c = text[i]!;
    if (c === ';') {
      i++;
      continue;
    }
    if ('+^$%*'.includes(c)) {
      const start = i++;
      while (i < text.length && /[A-Za-z0-9_!.:\-#]/.test(text[i]!)) i++;
      const name = text.slice(start, i).toUpperCase();
      if (name.length < 2) throw syntax(text);
      skipSpaces();
      if (text.startsWith('=?', i)) {
        i += 2;
        out.push(inv(name, 'test', ''));
      } else if (text[i] === '?') {
        i++;
        out.push(inv(name, 'read', ''));
      } else if (text[i] === '=') {
        i++;
        const start2 = i;
        let quoted = false;
        while (i < text.length && (quoted || text[i] !== ';')) {
          if (text[i] === '"') quoted = !quoted;
          i++;
        }
        if (quoted) throw syntax(text);
        out.push(inv(name, 'set', text.slice(start2, i)));
      } else {
        out.push(inv(name, 'exec', ''));
      }
      skipSpaces();
      if (i < text.length && text[i] !== ';' && !/[A-Za-z&+^$%*]/.test(text[i]!)) throw syntax(text);
      continue;
    }
    const upper = c.toUpperCase();
    if (upper === 'D') {
      out.push(inv('D', 'set', text.slice(i + 1).trim()));
      break;
    }
    if (upper === 'S') {
      i++;
      const reg = digits();
      if (reg === '') throw syntax(text);
      skipSpaces();
      if (text[i] === '?') {
        i++;
        out.push(inv('S', 'read', reg));
      } else if (text[i] === '=') {
        i++;
        skipSpaces();
        const value = digits();
        out.push({ name: 'S', syntax: 'set', raw: `${reg}=${value}`, args: [reg, value], quoted: [false, false] });
      } else {
        throw syntax(text);
      }
      continue;
    }
    if (c === '&') {
      i++;
      const letter = (text[i++] ?? '').toUpperCase();
      if (!/[A-Z]/.test(letter)) throw syntax(text);
      out.push(inv(`&${letter}`, 'exec', digits()));
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      i++;
      out.push(inv(upper, 'exec', digits()));
      continue;
    }
    throw syntax(text);
  }
  return out;
}

/** Splits a set-syntax argument text on commas outside quotes; strips the quotes. */
export function splitArgs(raw: string): { args: string[]; quoted: boolean[] } {
  const args: string[] = [];
  const quoted: boolean[] = [];
  let cur = '';
  let inQuote = false;
  let wasQuoted = false;
  for (const ch of raw) {
    if (ch === '"') {
      inQuote = !inQuote;
      wasQuoted = true;
      continue;
    }
    if (ch === ',' && !inQuote) {
      args.push(wasQuoted ? cur : cur.trim());
      quoted.push(wasQuoted);
      cur = '';
      wasQuoted = false;
      continue;
    }
    if (ch === ' ' && !inQuote) continue;
    cur += ch;
  }
  if (raw.length > 0) {
    args.push(wasQuoted ? cur : cur.trim());
    quoted.push(wasQuoted);
  }
  return { args, quoted };
}

function inv(name: string, syntax: AtSyntax, raw: string): AtInvocation {
  const { args, quoted } = syntax === 'set' ? splitArgs(raw) : { args: raw ? [raw] : [], quoted: [] };
  return { name, syntax, raw, args, quoted };
}

function syntax(text: string): BenchError {
  return new BenchError('INVALID_ARGUMENT', `[modem] syntax error in "AT${text}"`);
}
