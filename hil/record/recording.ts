import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
// Protocol codecs are shared with the emulator on purpose: docs/decisions/shared-codecs.md.
import { decodePdu, encodePdu } from '../../emulator/modem/pdu.js';
import { decodeUcs2Hex, encodeUcs2Hex } from '../../emulator/http/codec.js';
import { luhnCheckDigit } from '../../emulator/state/identity.js';
import { BenchError } from '../errors.js';
import type { Target } from '../target.js';
import { ZWRT_STATUS_POLL, type UbusCall } from '../clients/ubus-client.js';

// Recordings of a device (engineers reproducing field bugs), one format for both ways of making them: `record`
// reads a fixed list (goform reads and an AT transcript), `proxy` sits between the real app and the router and
// keeps every exchange the client made, in order. Scrubbed of subscriber and device identifiers; no password, token
// or AD is ever written. Stored as DIR/recording.json (docs/recording-format.md, schemas/recording.schema.json).

export const goformExchangeSchema = z.object({ cmd: z.string(), multi: z.boolean(), extra: z.record(z.string(), z.string()), response: z.record(z.string(), z.unknown()) });
export const atExchangeSchema = z.object({ command: z.string(), lines: z.array(z.string()), final: z.string() });
/**
 * The format's version: 1 had goform reads and AT only; 2 adds `exchanges` (proxy recordings) and `kind`; 3 adds
 * ubus exchanges (kind `ubus`: the JSON-RPC body with session ids and secrets masked, the answer parsed).
 */
export const RECORDING_VERSION = 3;

/** What a client sent or got, as written: fields scrubbed and secrets masked, bodies by size and digest. */
const bodySchema = z.object({
  /** goform query or form fields (secrets as "***"). */
  fields: z.record(z.string(), z.string()).optional(),
  /** A goform or ubus answer, or a ubus request body, parsed (scrubbed; ubus session ids as "<session>"). */
  json: z.unknown().optional(),
  /** Where a static file's bytes are kept, relative to the recording folder (webui/...). */
  file: z.string().optional(),
  /** Content-Type. */
  type: z.string().optional(),
  bytes: z.number().int().min(0),
  sha256: z.string().optional(),
});

/** One request the client made through the proxy and what the device answered. */
export const httpExchangeSchema = z.object({
  seq: z.number().int().min(1),
  /** Wall-clock time of the request (ISO 8601) and ms since the recording started. */
  wallTime: z.string(),
  relMs: z.number().min(0),
  method: z.string(),
  /** Path and query as sent (scrubbed; secrets in the query masked). */
  path: z.string(),
  kind: z.enum(['goform-read', 'goform-write', 'ubus', 'static', 'file-share', 'other']),
  /** The goformId of a write, the cmd list of a read, the object.method list of a ubus batch. */
  name: z.string().optional(),
  request: bodySchema,
  /** HTTP status from the device; 0 when there was no answer (see `error`). */
  status: z.number().int().min(0),
  response: bodySchema,
  /** A destructive write the proxy answered itself instead of forwarding (no --allow-destructive). */
  blocked: z.boolean().optional(),
  /**
   * A goform write's AD (masked above) as the proxy found it: `right` when it is the device's AD for an RD the device
   * had answered (MD5 or SHA256, either version order, goform-api.md §2.7), `wrong` otherwise; absent when the write
   * carried none. A replay sends a wrong AD where the recorded one was wrong.
   */
  ad: z.enum(['right', 'wrong']).optional(),
  /** Why the exchange did not complete (client went away, device unreachable). */
  error: z.string().optional(),
});

export const recordingSchema = z.object({
  _meta: z.object({
    version: z.number().int().min(1).max(RECORDING_VERSION).default(1),
    kind: z.enum(['capture', 'proxy']).default('capture'),
    source: z.string(),
    model: z.string(),
    firmware: z.string(),
    capturedAt: z.string(),
    scrubbed: z.literal(true),
  }),
  /** goform reads and their answers (for proxy recordings: the client's reads, in order). */
  goform: z.array(goformExchangeSchema),
  at: z.array(atExchangeSchema),
  /** Every exchange a proxied client made, in order (proxy recordings). */
  exchanges: z.array(httpExchangeSchema).default([]),
});
export type Recording = z.infer<typeof recordingSchema>;
export type HttpExchange = z.infer<typeof httpExchangeSchema>;
export type GoformExchange = z.infer<typeof goformExchangeSchema>;
export type AtExchange = z.infer<typeof atExchangeSchema>;

/** What `record` reads: the login page, the web UI's status poll (goform-api.md §3.11) and the aggregates. */
export const CAPTURE_READS: { cmd: string[]; extra?: Record<string, string> }[] = [
  { cmd: ['Language', 'cr_version', 'wa_inner_version', 'modem_main_state', 'pin_status', 'psw_fail_num_str', 'login_lock_time', 'loginfo'] },
  { cmd: ['imei', 'imsi', 'sim_iccid', 'msisdn', 'mac_address', 'BSSID', 'hardware_version', 'wa_version', 'web_version', 'lan_ipaddr'] },
  { cmd: ['signalbar', 'network_type', 'network_provider', 'ppp_status', 'simcard_roam', 'rmcc', 'rmnc', 'lte_rsrp', 'lte_rsrq', 'lte_snr', 'rssi', 'cell_id', 'lac_code', 'lte_pci', 'lte_band', 'wan_lte_ca', 'Z5g_rsrp', 'Z5g_SINR', 'nr5g_action_band', 'net_select', 'roam_setting_option', 'dial_mode'] },
  { cmd: ['battery_charging', 'battery_vol_percent', 'battery_pers', 'SSID1', 'AuthMode', 'MAX_Access_num', 'wifi_onoff_state', 'sta_count', 'sms_unread_num', 'sms_received_flag', 'data_volume_limit_switch', 'data_volume_limit_size', 'data_volume_alert_percent', 'data_volume_limit_unit', 'new_version_state', 'current_upgrade_state'] },
  { cmd: ['sms_capacity_info'] },
  { cmd: ['sms_parameter_info'] },
  { cmd: ['ConnectionMode'] },
  { cmd: ['current_network'] },
  { cmd: ['station_list'] },
  { cmd: ['sms_data_total'], extra: { page: '0', data_per_page: '50', mem_store: '1', tags: '10', order_by: 'order by id desc' } },
];

/**
 * What `record` asks the modem. Three of them change settings (+CREG=2, +COPS=3,2, +CMGF=0): the recorder reads them
 * first and puts them back. +CMGL=4 marks unread messages read (27.005): asked only of a modem-only target, whose
 * SMS cannot be listed otherwise, and said when it happens.
 */
export const CAPTURE_AT = ['AT+CGMI', 'AT+CGMM', 'AT+CGMR', 'AT+CGSN', 'AT+CIMI', 'AT+CNUM', 'AT+CPIN?', 'AT+CSQ', 'AT+CESQ', 'AT+CREG=2', 'AT+CREG?', 'AT+CEREG?', 'AT+COPS=3,2', 'AT+COPS?', 'AT+CBC', 'AT+ZPAS?', 'AT+CPMS?', 'AT+CMGF=0', 'AT+CMGL=4'];

/**
 * What `record` asks a ZWRT router (ubus-api.md §6), one batch each, all reads: the stock status poll, identity and
 * SIM, the common and device info, Wi-Fi, the SMS capacity and the device store's list.
 */
export const CAPTURE_UBUS: readonly (readonly UbusCall[])[] = [
  [...ZWRT_STATUS_POLL],
  [['zwrt_zte_mdm.api', 'get_sim_info', {}], ['uci', 'get', { config: 'zwrt_common_info', section: 'common_config' }], ['uci', 'get', { config: 'zwrt_zte_mdm', section: 'device_info' }]],
  [['zwrt_wlan', 'report', {}], ['zwrt_wms', 'zwrt_wms_get_wms_capacity', {}]],
  [['zwrt_wms', 'zte_libwms_get_sms_data', { page: 0, data_per_page: 50, mem_store: 1, tags: 10, order_by: 'order by id desc' }]],
];

/**
 * Captures a recording from any target with a router (goform or ubus) and/or modem capability, scrubbed, leaving the
 * device's settings as it found them. A ZWRT router's reads are kept as ubus exchanges (the proxy's form), so
 * `serve --from`, `fidelity` and `import` take them as they take a proxied client's. `warn` is told what could not be
 * recorded or not without a trace (no modem, SMS marked read).
 */
export async function recordTarget(target: Target, source: string, warn: (message: string) => void = () => {}): Promise<Recording> {
  const goform: GoformExchange[] = [];
  const at: AtExchange[] = [];
  const exchanges: HttpExchange[] = [];
  let model = '';
  let firmware = '';
  if (!target.has('router') && !target.has('ubus') && !target.has('modem')) throw new BenchError('INVALID_ARGUMENT', `[hil:record] ${target.id} has no router, ubus or modem capability: nothing to record`);
  if (!target.has('router') && target.has('ubus')) {
    const ubus = target.require('ubus');
    const started = Date.now();
    for (const calls of CAPTURE_UBUS) {
      const answers = await ubus.batch(calls);
      const request = calls.map(([object, method, args], i) => ({ jsonrpc: '2.0', id: i + 1, method: 'call', params: ['<session>', object, method, args] }));
      const response = answers.map((a, i) => ({ jsonrpc: '2.0', id: i + 1, ...('error' in a ? { error: a.error } : { result: Object.keys(a.data).length > 0 ? [a.status, a.data] : [a.status] }) }));
      const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));
      exchanges.push({ seq: exchanges.length + 1, wallTime: new Date().toISOString(), relMs: Date.now() - started, method: 'POST', path: '/ubus/', kind: 'ubus', name: calls.map(([o, m]) => `${o}.${m}`).join(','), request: { json: request, bytes: bytes(request) }, status: 200, response: { type: 'application/json', json: response, bytes: bytes(response) } });
      const values = answers.flatMap((a) => ('data' in a ? [a.data, (a.data.values ?? {}) as Record<string, unknown>] : []));
      const pick = (key: string): string => values.map((v) => v[key]).find((v): v is string => typeof v === 'string' && v !== '') ?? '';
      model ||= pick('model_name');
      firmware ||= pick('wa_inner_version');
    }
  }
  if (target.has('router')) {
    const router = target.require('router');
    for (const read of CAPTURE_READS) {
      const response = read.cmd.length > 1 ? await router.get(read.cmd, false) : await router.getAggregate(read.cmd[0]!, read.extra ?? {});
      goform.push({ cmd: read.cmd.join(','), multi: read.cmd.length > 1, extra: read.extra ?? {}, response });
    }
    const text = (v: unknown): string => (typeof v === 'string' ? v : '');
    firmware = text(goform[1]?.response.wa_version);
    model = text(goform[0]?.response.wa_inner_version);
  }
  if (!target.has('modem')) warn(`[hil:record] ${target.id} has no modem capability: the recording has no AT part (give a combined target, router plus modem, to record both)`);
  if (target.has('modem')) {
    const modem = target.require('modem');
    // The settings the capture changes, as they are now (restored below).
    const first = async (command: string, re: RegExp): Promise<string[] | null> => {
      try {
        const m = re.exec((await modem.command(command)).lines.join('\n'));
        return m ? m.slice(1) : null;
      } catch {
        // Not supported: nothing to restore.
        return null;
      }
    };
    const creg = await first('AT+CREG?', /\+CREG: (\d)/);
    const cops = await first('AT+COPS?', /\+COPS: (\d)(?:,(\d))?/);
    const cmgf = await first('AT+CMGF?', /\+CMGF: (\d)/);
    // The router (goform or ubus) lists the SMS without marking them read; only a modem alone is asked AT+CMGL=4.
    const commands = target.has('router') || target.has('ubus') ? CAPTURE_AT.filter((c) => c !== 'AT+CMGL=4') : CAPTURE_AT;
    try {
      for (const command of commands) {
        try {
          const answer = await modem.command(command);
          at.push({ command, lines: answer.lines, final: answer.final });
          if (command === 'AT+CMGL=4' && answer.lines.some((l) => /^\+CMGL: \d+,0,/.test(l))) {
            warn('[hil:record] AT+CMGL=4 marked the modem\'s unread messages read (27.005 has no way back); the router\'s own listing has no such effect');
          }
        } catch (e) {
          // An error answer is part of the transcript (the device does not support the command).
          if (e instanceof BenchError && (e.code === 'AT_ERROR' || e.code === 'AT_CME_ERROR')) at.push({ command, lines: [], final: typeof e.details?.final === 'string' ? e.details.final : 'ERROR' });
          else throw e;
        }
      }
    } finally {
      const restore = [creg && `AT+CREG=${creg[0]}`, cops?.[1] !== undefined && `AT+COPS=3,${cops[1]}`, cmgf && `AT+CMGF=${cmgf[0]}`].filter((c): c is string => typeof c === 'string');
      for (const command of restore) await modem.command(command).catch(() => undefined);
    }
    if (!model) model = at.find((a) => a.command === 'AT+CGMM')?.lines[0] ?? '';
    if (!firmware) firmware = at.find((a) => a.command === 'AT+CGMR')?.lines[0] ?? '';
  }
  return scrub({ _meta: { version: RECORDING_VERSION, kind: 'capture', source, model, firmware, capturedAt: new Date().toISOString(), scrubbed: true }, goform, at, exchanges });
}

export function saveRecording(dir: string, recording: Recording): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'recording.json');
  writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`);
  return file;
}

export function loadRecording(dir: string): Recording {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, 'recording.json'), 'utf8'));
  } catch (e) {
    throw new BenchError('CONFIG_INVALID', `[hil:record] no readable recording.json in ${dir}`, { cause: e });
  }
  const parsed = recordingSchema.safeParse(raw);
  if (!parsed.success) throw new BenchError('CONFIG_INVALID', `[hil:record] ${dir}/recording.json is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// --- scrubbing ---

function hashDigits(value: string, n: number): string {
  const h = createHash('sha256').update(`routerlab-scrub:${value}`).digest();
  let out = '';
  for (let i = 0; out.length < n; i++) out += String(h[i % h.length]! % 10);
  return out;
}

function hashHex(value: string, n: number): string {
  return createHash('sha256').update(`routerlab-scrub:${value}`).digest('hex').slice(0, n).toUpperCase();
}

/**
 * Field names whose values are secrets: never written to a recording (masked as "***"). Request fields (LOGIN's
 * password, AD, PINs, Wi-Fi keys) and answer keys (login salt LD, AD nonce RD, Wi-Fi keys). Lower-cased names;
 * `pinnumber`/`puknumber` in answers are attempt counters, not codes, so only request fields are matched for them.
 */
const SECRET_ANSWER_KEYS = new Set(['ld', 'rd', 'wpapsk1', 'wpapsk1_encode', 'wpapsk2', 'wpapsk2_encode', 'admin_password', 'ppp_passwd', 'pppoe_password', 'zte_web_sault', 'ubus_rpc_session', 'key_encode', 'password']);
const SECRET_FIELD = /^(ad|password|passwd|newpassword|oldpassword|new_password|old_password|pinnumber|newpinnumber|oldpinnumber|puknumber|pin|puk|wpapsk1|wpapsk2|m_wpapsk1|passphrase|ppp_passwd|pppoe_password|token|stok|web_enstr|key|pin_num|puk_num|new_pin_num|pin_num_m|password_new|password_old|pppoe_user_passwd)$/i;
export const SECRET = '***';

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

export function isSecretAnswerKey(name: string): boolean {
  return SECRET_ANSWER_KEYS.has(name.toLowerCase());
}

/**
 * Replaces identifiers with synthetic ones of the same shape, consistently (the same value always maps to the
 * same replacement, in goform answers, AT lines, proxied requests and inside PDUs and SMS texts): IMEI (TAC kept,
 * Luhn fixed), IMSI (MCC/MNC kept), ICCID (issuer prefix kept, Luhn fixed), MSISDN and other phone numbers
 * (country code kept), MACs (OUI kept), the serial number (maker prefix kept). The mapping depends on the values only, so a device scrubbed twice (its
 * recording, its live answers in `fidelity`) maps the same way. Secrets are masked.
 */
export function scrub(recording: Recording): Recording {
  const map = new Map<string, string>();
  const ubusAnswers = recording.exchanges.filter((x) => x.kind === 'ubus').map((x) => x.response.json);
  const g = (key: string, ubusKey = key): string => {
    for (const e of recording.goform) if (typeof e.response[key] === 'string' && e.response[key] !== '') return e.response[key];
    return findKey(ubusAnswers, ubusKey);
  };
  const atLine = (cmd: string): string => recording.at.find((a) => a.command === cmd)?.lines[0] ?? '';
  const imei = g('imei') || atLine('AT+CGSN');
  if (/^\d{15}$/.test(imei)) map.set(imei, imei.slice(0, 8) + hashDigits(imei, 6) + luhnCheckDigit(imei.slice(0, 8) + hashDigits(imei, 6)));
  const imsi = g('imsi', 'sim_imsi') || atLine('AT+CIMI');
  if (/^\d{14,15}$/.test(imsi)) map.set(imsi, imsi.slice(0, 5) + hashDigits(imsi, imsi.length - 5));
  const iccid = g('sim_iccid');
  if (/^\d{18,20}$/.test(iccid)) {
    const body = iccid.slice(0, 6) + hashDigits(iccid, iccid.length - 7);
    map.set(iccid, body + luhnCheckDigit(body));
  }
  /**
   * A phone number (with or without +, 7+ digits) to a synthetic one of the same length. Short codes and
   * operator codes stay: they identify no subscriber, and shorter strings would collide with other values.
   */
  const number = (n: string): string => {
    if (!/^\+?\d{7,20}$/.test(n)) return n;
    const known = map.get(n);
    if (known) return known;
    const keep = n.startsWith('+') ? 3 : 2;
    const digits = hashDigits(n, n.length - keep);
    // E.164 (ITU-T E.164 §6): the national number after the country code never starts with 0 (+4903... is not a
    // number); a national one keeps its own leading digits, so only the international form needs the fix.
    const fake = n.slice(0, keep) + (n.startsWith('+') && digits[0] === '0' ? String((Number(digits[1] ?? '0') % 9) + 1) : digits[0]!) + digits.slice(1);
    map.set(n, fake);
    return fake;
  };
  number(g('msisdn'));
  const messages: { number?: unknown; content?: unknown }[] = [];
  for (const e of recording.goform) if (Array.isArray(e.response.messages)) messages.push(...(e.response.messages as typeof messages));
  for (const x of recording.exchanges) {
    const answer = x.response.json as { messages?: unknown } | undefined;
    if (answer && Array.isArray(answer.messages)) messages.push(...(answer.messages as typeof messages));
    if (x.kind === 'ubus') collectMessages(x.response.json, messages);
    const to = x.request.fields?.Number;
    if (to) for (const n of to.split(/[;,]/)) number(n);
    for (const n of findAll(x.request.json, 'number')) for (const one of n.split(/[;,]/)) number(one);
  }
  for (const m of messages) if (typeof m.number === 'string') number(m.number);
  const smsc = recording.goform.find((e) => e.cmd === 'sms_parameter_info')?.response.sms_para_sca;
  if (typeof smsc === 'string') number(smsc);
  for (const a of recording.at) for (const line of a.lines) if (line.startsWith('+CNUM:')) for (const m of line.matchAll(/"(\+?\d{7,20})"/g)) number(m[1]!);
  // Numbers written inside SMS texts (UCS-2 hex on goform: invisible to a text search).
  const texts = [...messages.map((m) => (typeof m.content === 'string' ? decodeUcs2Hex(m.content) : '')), ...recording.exchanges.map((x) => (x.request.fields?.MessageBody ? decodeUcs2Hex(x.request.fields.MessageBody) : ''))];
  for (const x of recording.exchanges) for (const body of findAll(x.request.json, 'message_body')) if (/^([0-9A-Fa-f]{4})*$/.test(body)) texts.push(decodeUcs2Hex(body));
  for (const t of texts) for (const m of t.matchAll(/\+?\d{7,15}/g)) number(m[0]);
  const text = JSON.stringify(recording);
  // International numbers anywhere else in the text.
  for (const m of text.matchAll(/\+\d{7,15}/g)) number(m[0]);
  for (const m of text.matchAll(/\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}\b/g)) {
    const mac = m[0];
    if (!map.has(mac)) {
      const tail = hashHex(mac.toUpperCase(), 6).match(/../g)!.join(':');
      map.set(mac, `${mac.slice(0, 8)}:${tail}`.toUpperCase());
    }
  }
  // The device's serial number (goform modem_msn, ubus device_info sn): its first three characters (the maker's
  // prefix) kept, the rest synthetic of the same kind.
  const sn = g('modem_msn', 'sn');
  if (/^[0-9A-Za-z]{6,32}$/.test(sn) && !map.has(sn)) {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const h = createHash('sha256').update(`routerlab-scrub:${sn}`).digest();
    map.set(sn, sn.slice(0, 3) + Array.from({ length: sn.length - 3 }, (_, i) => alphabet[h[i % h.length]! % alphabet.length]).join(''));
  }
  // Longest first, so a number is not replaced inside a longer one that has its own replacement.
  const pairs = [...map].sort((a, b) => b[0].length - a[0].length);
  const replaceAll = (s: string): string => {
    let out = s;
    for (const [from, to] of pairs) out = out.split(from).join(to);
    return out;
  };
  const ucs2 = (hex: string): string => (/^([0-9A-Fa-f]{4})*$/.test(hex) ? encodeUcs2Hex(replaceAll(decodeUcs2Hex(hex))) : replaceAll(hex));
  /** Deep copy with identities replaced, SMS texts scrubbed inside their encoding and secret keys masked. */
  const deep = (value: unknown, key = ''): unknown => {
    if (typeof value === 'string') {
      if (isSecretAnswerKey(key) && value !== '') return SECRET;
      return key === 'content' || key === 'message_body' ? ucs2(value) : replaceAll(value);
    }
    if (Array.isArray(value)) return value.map((v) => deep(v));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deep(v, k)]));
    return value;
  };
  const fields = (f: Record<string, string> | undefined): Record<string, string> | undefined =>
    f && Object.fromEntries(Object.entries(f).map(([k, v]) => [k, isSecretField(k) && v !== '' ? SECRET : k === 'MessageBody' ? ucs2(v) : replaceAll(v)]));
  const at = recording.at.map((a) => ({
    ...a,
    lines: a.lines.map((line) => (/^[0-9A-F]{20,}$/i.test(line) ? scrubPdu(line, number) : replaceAll(line))),
  }));
  const goform = recording.goform.map((e) => ({ ...e, extra: fields(e.extra)!, response: deep(e.response) as Record<string, unknown> }));
  const exchanges = recording.exchanges.map((x) => ({
    ...x,
    path: scrubPath(x.path, replaceAll),
    request: { ...x.request, ...(x.request.fields ? { fields: fields(x.request.fields) } : {}), ...(x.request.json === undefined ? {} : { json: deep(x.request.json) }) },
    response: { ...x.response, ...(x.response.json === undefined ? {} : { json: deep(x.response.json) }) },
  }));
  return { _meta: recording._meta, goform, at, exchanges };
}

/** The first non-empty string under `key` anywhere in the values (ubus answers nest: result[1].values.imei). */
function findKey(values: readonly unknown[], key: string): string {
  for (const v of values) {
    const found = findAll(v, key).find((s) => s !== '');
    if (found) return found;
  }
  return '';
}

/** Every string under `key` anywhere in a JSON value. */
function findAll(value: unknown, key: string, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) findAll(v, key, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === key && typeof v === 'string') out.push(v);
      else findAll(v, key, out);
    }
  }
  return out;
}

/** SMS entries (objects with number/content) inside ubus answers: result[1].messages[]. */
function collectMessages(value: unknown, out: { number?: unknown; content?: unknown }[]): void {
  if (Array.isArray(value)) for (const v of value) collectMessages(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'messages' && Array.isArray(v)) out.push(...(v as { number?: unknown; content?: unknown }[]));
      else collectMessages(v, out);
    }
  }
}

/** A request path with identities replaced and secret query parameters masked. */
export function scrubPath(path: string, replace: (s: string) => string = (s) => s): string {
  const q = path.indexOf('?');
  if (q < 0) return replace(path);
  const params = new URLSearchParams(path.slice(q + 1));
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, isSecretField(k) && v !== '' ? SECRET : replace(v));
  return `${replace(path.slice(0, q))}?${out.toString()}`;
}

/** Rewrites the addresses inside a PDU (BCD digits, not visible as text) with the same number mapping. */
function scrubPdu(hex: string, replace: (s: string) => string): string {
  try {
    const pdu = decodePdu(hex);
    if (pdu.type === 'deliver') pdu.originator = { ...pdu.originator, value: replace(pdu.originator.value) };
    else if (pdu.type === 'submit') pdu.destination = { ...pdu.destination, value: replace(pdu.destination.value) };
    if (pdu.smsc) pdu.smsc = { ...pdu.smsc, value: replace(pdu.smsc.value) };
    return encodePdu(pdu).hex;
  } catch {
    // Not a PDU after all (a long hex identifier): plain replacement.
    return replace(hex);
  }
}

/** An SMS the device received while a proxied client worked (recording ids and numbers as scrubbed). */
export interface Arrival {
  id: string;
  number: string;
  text: string;
}

/**
 * The SMS the device received while a proxied client worked, each at the exchange where the client first saw it:
 * where `sms_unread_num` rose, or else the list read that first shows it. A rise before the client's first list
 * read is a message that list shows among the newest; the rest of that list is the device as found. Sent, draft and
 * failed messages are the client's own doing. A replay delivers each arrival at its exchange; an emulator started
 * from the recording leaves them out of its inbox.
 */
export function incomingDuring(exchanges: readonly HttpExchange[]): { ids: Set<string>; at: Map<HttpExchange, Arrival[]> } {
  const unreadOf = (x: HttpExchange): number => smsView(x).unread ?? Number.NaN;
  const listOf = (x: HttpExchange): Record<string, string>[] | null => smsView(x).list ?? null;
  // Where the unread count rose, and by how much.
  const rises: { index: number; by: number }[] = [];
  let unread: number | null = null;
  exchanges.forEach((x, index) => {
    const n = unreadOf(x);
    if (!Number.isFinite(n)) return;
    if (unread !== null && n > unread) rises.push({ index, by: n - unread });
    unread = n;
  });
  // Each received message by the list read that first shows it.
  const seen = new Set<string>();
  const found: (Arrival & { listed: number })[] = [];
  let firstList = -1;
  exchanges.forEach((x, index) => {
    const messages = listOf(x);
    if (!messages) return;
    // Received (tag 0 or 1 on both APIs), in plain text (an encrypting ZWRT firmware's ENC fields cannot be replayed).
    const fresh = messages.filter((m) => m.id && !seen.has(m.id) && (m.tag === '0' || m.tag === '1') && /^[0-9A-Fa-f]*$/.test(m.content ?? ''));
    for (const m of messages) if (m.id) seen.add(m.id);
    let arrivals = fresh;
    if (firstList < 0) {
      firstList = index;
      const before = rises.filter((r) => r.index <= index).reduce((sum, r) => sum + r.by, 0);
      arrivals = [...fresh].sort((a, b) => Number(b.id) - Number(a.id)).slice(0, before);
    }
    for (const m of arrivals) found.push({ id: m.id!, number: m.number ?? '', text: decodeUcs2Hex(m.content ?? ''), listed: index });
  });
  found.sort((a, b) => a.listed - b.listed || Number(a.id) - Number(b.id));
  const at = new Map<HttpExchange, Arrival[]>();
  const place = (index: number, m: Arrival): void => {
    const x = exchanges[index]!;
    at.set(x, [...(at.get(x) ?? []), { id: m.id, number: m.number, text: m.text }]);
  };
  // Each arrival takes the next rise of the count that came before its listing; one the count never showed (the
  // client did not poll it) is delivered right before the list read that shows it.
  const slots = rises.flatMap((r) => Array.from({ length: r.by }, () => r.index));
  let slot = 0;
  for (const m of found) {
    if (slot < slots.length && slots[slot]! <= m.listed) place(slots[slot++]!, m);
    else place(m.listed, m);
  }
  return { ids: new Set(found.map((m) => m.id)), at };
}

/**
 * What one exchange shows of the inbox: the unread count and the device store's list, from goform reads
 * (`sms_unread_num`, `sms_data_total`) or a ZWRT client's ubus calls (`sms_unread_num`/`sms_dev_unread_num` of the
 * status calls and the capacity, `zwrt_wms.zte_libwms_get_sms_data`, ubus-api.md §6.14).
 */
export function smsView(x: HttpExchange): { unread?: number; list?: Record<string, string>[] } {
  if (x.kind === 'goform-read') {
    const json = (x.response.json ?? {}) as { sms_unread_num?: unknown; messages?: unknown };
    const unread = Number(json.sms_unread_num ?? Number.NaN);
    const list = x.request.fields?.cmd === 'sms_data_total' && (x.request.fields.mem_store ?? '1') !== '0' && Array.isArray(json.messages) ? (json.messages as Record<string, string>[]) : undefined;
    return { ...(Number.isFinite(unread) ? { unread } : {}), ...(list ? { list } : {}) };
  }
  const out: { unread?: number; list?: Record<string, string>[] } = {};
  for (const { name, args, data } of ubusCalls(x)) {
    if (!data) continue;
    const unread = Number(data.sms_dev_unread_num ?? data.sms_unread_num ?? Number.NaN);
    if (Number.isFinite(unread)) out.unread = unread;
    const sim = args.mem_store === 0 || args.mem_store === '0';
    if (name === 'zwrt_wms.zte_libwms_get_sms_data' && !sim && Array.isArray(data.messages)) out.list = data.messages as Record<string, string>[];
  }
  return out;
}

/**
 * The calls of a recorded ubus batch (a proxied client's or a capture's) with what each was answered: `object.method`,
 * its arguments, its status and data (absent for a JSON-RPC error). Elements that are not calls are left out.
 */
export function ubusCalls(x: HttpExchange): { name: string; args: Record<string, unknown>; status?: number; data?: Record<string, unknown> }[] {
  if (x.kind !== 'ubus') return [];
  const calls = (Array.isArray(x.request.json) ? x.request.json : [x.request.json]) as ({ params?: unknown[] } | null)[];
  const answers = (Array.isArray(x.response.json) ? x.response.json : [x.response.json]) as ({ result?: [number, Record<string, unknown>?] } | null)[];
  return calls.flatMap((call, i) => {
    const [, object, method, args] = call?.params ?? [];
    if (typeof object !== 'string' || typeof method !== 'string' || args === null || typeof args !== 'object') return [];
    const result = answers[i]?.result;
    return [{ name: `${object}.${method}`, args: args as Record<string, unknown>, ...(result ? { status: result[0], ...(result[1] ? { data: result[1] } : {}) } : {}) }];
  });
}
