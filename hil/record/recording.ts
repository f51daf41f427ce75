import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
// Protocol codecs are shared with the emulator on purpose: docs/decisions/shared-codecs.md.
import { decodePdu, encodePdu } from '../../emulator/modem/pdu.js';
import { luhnCheckDigit } from '../../emulator/state/identity.js';
import { BenchError } from '../errors.js';
import type { Target } from '../target.js';

// Recordings of a device (engineers reproducing field bugs): a standard capture of goform reads and an AT
// transcript, scrubbed of subscriber and device identifiers, stored as data in fixtures/recordings/NAME.

export const goformExchangeSchema = z.object({ cmd: z.string(), multi: z.boolean(), extra: z.record(z.string(), z.string()), response: z.record(z.string(), z.unknown()) });
export const atExchangeSchema = z.object({ command: z.string(), lines: z.array(z.string()), final: z.string() });
export const recordingSchema = z.object({
  _meta: z.object({ source: z.string(), model: z.string(), firmware: z.string(), capturedAt: z.string(), scrubbed: z.literal(true) }),
  goform: z.array(goformExchangeSchema),
  at: z.array(atExchangeSchema),
});
export type Recording = z.infer<typeof recordingSchema>;
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

/** What `record` asks the modem. */
export const CAPTURE_AT = ['AT+CGMI', 'AT+CGMM', 'AT+CGMR', 'AT+CGSN', 'AT+CIMI', 'AT+CNUM', 'AT+CPIN?', 'AT+CSQ', 'AT+CESQ', 'AT+CREG=2', 'AT+CREG?', 'AT+CEREG?', 'AT+COPS=3,2', 'AT+COPS?', 'AT+CBC', 'AT+ZPAS?', 'AT+CPMS?', 'AT+CMGF=0', 'AT+CMGL=4'];

/** Captures a recording from any target with a router and/or modem capability, scrubbed. */
export async function recordTarget(target: Target, source: string): Promise<Recording> {
  const goform: GoformExchange[] = [];
  const at: AtExchange[] = [];
  let model = '';
  let firmware = '';
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
  if (target.has('modem')) {
    const modem = target.require('modem');
    for (const command of CAPTURE_AT) {
      try {
        const answer = await modem.command(command);
        at.push({ command, lines: answer.lines, final: answer.final });
      } catch (e) {
        // An error answer is part of the transcript (the device does not support the command).
        if (e instanceof BenchError && (e.code === 'AT_ERROR' || e.code === 'AT_CME_ERROR')) at.push({ command, lines: [], final: typeof e.details?.final === 'string' ? e.details.final : 'ERROR' });
        else throw e;
      }
    }
    if (!model) model = at.find((a) => a.command === 'AT+CGMM')?.lines[0] ?? '';
    if (!firmware) firmware = at.find((a) => a.command === 'AT+CGMR')?.lines[0] ?? '';
  }
  return scrub({ _meta: { source, model, firmware, capturedAt: new Date().toISOString(), scrubbed: true }, goform, at });
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
 * Replaces identifiers with synthetic ones of the same shape, consistently (the same value always maps to the
 * same replacement, in goform answers, AT lines and inside PDUs): IMEI (TAC kept, Luhn fixed), IMSI (MCC/MNC
 * kept), ICCID (issuer prefix kept, Luhn fixed), MSISDN and other phone numbers (country code kept), MACs (OUI
 * kept).
 */
export function scrub(recording: Recording): Recording {
  const map = new Map<string, string>();
  const g = (key: string): string => {
    for (const e of recording.goform) if (typeof e.response[key] === 'string' && e.response[key] !== '') return e.response[key];
    return '';
  };
  const atLine = (cmd: string): string => recording.at.find((a) => a.command === cmd)?.lines[0] ?? '';
  const imei = g('imei') || atLine('AT+CGSN');
  if (/^\d{15}$/.test(imei)) map.set(imei, imei.slice(0, 8) + hashDigits(imei, 6) + luhnCheckDigit(imei.slice(0, 8) + hashDigits(imei, 6)));
  const imsi = g('imsi') || atLine('AT+CIMI');
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
    const fake = n.slice(0, keep) + hashDigits(n, n.length - keep);
    map.set(n, fake);
    return fake;
  };
  number(g('msisdn'));
  const sms = recording.goform.find((e) => e.cmd === 'sms_data_total')?.response.messages;
  if (Array.isArray(sms)) for (const m of sms as { number?: unknown }[]) if (typeof m.number === 'string') number(m.number);
  const smsc = recording.goform.find((e) => e.cmd === 'sms_parameter_info')?.response.sms_para_sca;
  if (typeof smsc === 'string') number(smsc);
  for (const a of recording.at) for (const line of a.lines) if (line.startsWith('+CNUM:')) for (const m of line.matchAll(/"(\+?\d{7,20})"/g)) number(m[1]!);
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
  const replaceAll = (s: string): string => {
    let out = s;
    for (const [from, to] of map) out = out.split(from).join(to);
    return out;
  };
  const at = recording.at.map((a) => ({
    ...a,
    lines: a.lines.map((line) => (/^[0-9A-F]{20,}$/i.test(line) ? scrubPdu(line, number) : replaceAll(line))),
  }));
  const goform = JSON.parse(replaceAll(JSON.stringify(recording.goform))) as GoformExchange[];
  return { _meta: recording._meta, goform, at };
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
