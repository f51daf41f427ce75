import { BenchError } from '../errors.js';
import type { Target } from '../target.js';
import type { UbusResult } from '../clients/ubus-client.js';
import { incomingDuring, scrub, SECRET, type Arrival, type GoformExchange, type HttpExchange, type Recording } from './recording.js';

// The fidelity check: replay a recording's requests against a target (the emulator) and compare answers field by
// field. Differences say what a client would notice: a missing key, another format, another value. A value equals
// the recorded one as it is (an emulator started from the recording holds the scrubbed identities) or once scrubbed
// with the recording's rules: the mapping depends on the values only, so a device's identities compare equal to
// their scrubbed copies in its own recording.

export interface Difference {
  surface: 'goform' | 'ubus' | 'at';
  /** The cmd list, goformId, ubus object.method or AT command. */
  request: string;
  /** The goform key (dotted into aggregates) or `line N` / `final` for AT. */
  field: string;
  kind: 'missing' | 'extra' | 'format' | 'value';
  recorded: string;
  actual: string;
}

export interface FidelityReport {
  differences: Difference[];
  /** Requests replayed and compared, and how many of them answered exactly as recorded. */
  replayed: number;
  matched: number;
  /** Recorded requests not replayed, by reason (static files, the target's own login, secrets withheld...). */
  skipped: Record<string, number>;
}

/** Keys whose values change between any two reads (tokens, counters that run with the clock). */
const VOLATILE = /^(RD|LD|realtime_.*|monthly_.*|date_month|.*_thrpt|sms_data_total\..*\.date|messages\.\d+\.date|real_.*|month_.*|total_.*|device_uptime|.*\.access_time|localtime|cpuss_temp|pm_sensor_mdm|pm_modem_5g)$/;

/**
 * Withheld secrets a replay can stand in for: a Wi-Fi key (sent Base64, goform-api.md §7.21) whose value no read
 * shows (answers mask it too), so the write's other fields (SSID, security) still take effect on the target.
 */
const STAND_IN: Record<string, string> = Object.fromEntries(['passphrase', 'wpapsk1', 'm_wpapsk1'].map((k) => [k, Buffer.from('routerlab-replay-key').toString('base64')]));

/**
 * The fields of a recorded write as a client would send them again (goformId, isTest and AD are the client's own),
 * withheld Wi-Fi keys as a stand-in; null when another secret was withheld (a PIN, a password): not replayable.
 */
export function replayableFields(fields: Record<string, string>): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'goformId' || k === 'isTest' || k === 'AD') continue;
    if (v !== SECRET) out[k] = v;
    else if (k.toLowerCase() in STAND_IN) out[k] = STAND_IN[k.toLowerCase()]!;
    else return null;
  }
  return out;
}

/** ubus calls that manage the session or its key: the target logs in (and exchanges keys) with its own instead. */
export const UBUS_SESSION_CALLS: ReadonlySet<string> = new Set(['zwrt_web.web_login', 'zwrt_web.web_login_info', 'zwrt_web.web_logout', 'zwrt_web.web_crt_get', 'zwrt_web.web_http_enstr_set', 'zwrt_web.web_developer_option_login']);

/** Writes that manage the session: the target logs in with its own credentials instead. */
export const SESSION_WRITES: ReadonlySet<string> = new Set(['LOGIN', 'LOGIN_MULTI_USER', 'LOGOUT', 'DEVELOPER_OPTION_LOGIN']);

/** The shape of a value: what a parser depends on. */
export function shapeOf(value: string): string {
  if (value === '') return 'empty';
  if (/^-?\d+$/.test(value)) return 'integer';
  if (/^-?\d+\.\d+$/.test(value)) return 'decimal';
  if (/^[0-9a-f]+$/.test(value)) return 'hex-lower';
  if (/^[0-9A-F]+$/.test(value)) return 'hex-upper';
  return 'text';
}

export async function checkFidelity(recording: Recording, target: Target): Promise<Difference[]> {
  return (await replayFidelity(recording, target)).differences;
}

interface Replayed {
  request: string;
  recorded: GoformExchange | { command: string; lines: string[]; final: string };
  actual: GoformExchange | { command: string; lines: string[]; final: string };
  surface: 'goform' | 'ubus' | 'at';
}

/** Replays the recording in order and compares every answer; see FidelityReport. */
export async function replayFidelity(recording: Recording, target: Target): Promise<FidelityReport> {
  const replayed: Replayed[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string): void => void (skipped[why] = (skipped[why] ?? 0) + 1);
  if (recording.exchanges.length > 0) {
    await replayExchanges(recording.exchanges, target, replayed, skip);
  } else if (recording.goform.length > 0) {
    const router = target.require('router');
    for (const ex of recording.goform) {
      const keys = ex.cmd.split(',');
      const response = ex.multi ? await router.get(keys, false) : await router.getAggregate(keys[0]!, ex.extra);
      replayed.push({ surface: 'goform', request: ex.cmd, recorded: ex, actual: { ...ex, response } });
    }
  }
  // A capture's AT transcript, whether its router part is goform reads or ubus exchanges.
  if (recording.at.length > 0) {
    const modem = target.require('modem');
    for (const ex of recording.at) {
      let lines: string[] = [];
      let final: string;
      try {
        ({ lines, final } = await modem.command(ex.command));
      } catch (e) {
        if (!(e instanceof BenchError) || (e.code !== 'AT_ERROR' && e.code !== 'AT_CME_ERROR')) throw e;
        final = typeof e.details?.final === 'string' ? e.details.final : 'ERROR';
      }
      replayed.push({ surface: 'at', request: ex.command, recorded: ex, actual: { command: ex.command, lines, final } });
    }
  }
  // The target's answers, scrubbed as one recording (consistent identities), in the same order.
  const goformActual = replayed.filter((r) => r.surface === 'goform').map((r) => r.actual as GoformExchange);
  const atActual = replayed.filter((r) => r.surface === 'at').map((r) => r.actual as Replayed['actual'] & { lines: string[] });
  // ubus answers go in as ubus exchanges, so the identities under their own key names (sim_imsi...) are found.
  const ubusActual = replayed.filter((r) => r.surface === 'ubus').map((r, i): HttpExchange => ({ seq: i + 1, wallTime: '', relMs: 0, method: 'POST', path: '/ubus/', kind: 'ubus', request: { bytes: 0 }, status: 200, response: { bytes: 0, json: (r.actual as GoformExchange).response } }));
  const scrubbed = scrub({ _meta: recording._meta, goform: goformActual, at: atActual as never, exchanges: ubusActual });
  let g = 0;
  let a = 0;
  let u = 0;
  const differences: Difference[] = [];
  let matched = 0;
  for (const r of replayed) {
    const before = differences.length;
    if (r.surface === 'goform') {
      compare(flatten((r.recorded as GoformExchange).response), flatten((r.actual as GoformExchange).response), flatten(scrubbed.goform[g++]!.response), r.request, differences);
    } else if (r.surface === 'ubus') {
      compare(flatten((r.recorded as GoformExchange).response), flatten((r.actual as GoformExchange).response), flatten(scrubbed.exchanges[u++]!.response.json), r.request, differences, 'ubus');
    } else {
      const fields = (x: { lines: string[]; final: string }): Record<string, string> => Object.fromEntries([['final', x.final], ...x.lines.map((l, i): [string, string] => [`line ${i + 1}`, l])]);
      compareAt(fields(r.recorded as { lines: string[]; final: string }), fields(r.actual as { lines: string[]; final: string }), fields(scrubbed.at[a++]!), r.request, differences);
    }
    if (differences.length === before) matched++;
  }
  return { differences, replayed: replayed.length, matched, skipped };
}

/**
 * The recorded client's pacing on the target's clock (virtual on the emulator, so the replay takes no real time):
 * an answer the client polled for a second later is compared a second later.
 */
function pacer(exchanges: readonly HttpExchange[], target: Target): (x: HttpExchange) => Promise<void> {
  if (!target.has('clock')) return () => Promise.resolve();
  const clock = target.require('clock');
  let at = exchanges[0]?.relMs ?? 0;
  return async (x) => {
    const gap = x.relMs - at;
    if (gap > 0) await clock.advance(gap);
    at = Math.max(at, x.relMs);
  };
}

/** An SMS the device received while the client worked arrives on the target at the same point of the exchange. */
async function deliver(arrivals: readonly Arrival[] | undefined, target: Target, skip: (why: string) => void): Promise<void> {
  for (const sms of arrivals ?? []) {
    if (target.has('stimuli')) await target.require('stimuli').apply('sms', { from: sms.number, text: sms.text, partGapMs: 0 });
    else skip('incoming SMS (the target has no stimuli)');
  }
}

/** A wrong password for replaying a recorded failed login (the recorded one is never written). */
export const WRONG_PASSWORD = 'routerlab-replay-wrong-password';

/**
 * A proxy recording: the client's reads and writes in order, at the recorded pacing. Logins are replayed with the
 * target's own password where the recorded one succeeded and a wrong one where it failed, and their answers compared
 * (the lockout count follows); a write carries a wrong AD where the recorded AD was wrong (the proxy judged it).
 */
async function replayExchanges(exchanges: readonly HttpExchange[], target: Target, out: Replayed[], skip: (why: string) => void): Promise<void> {
  if (exchanges.some((x) => x.kind === 'ubus') && target.has('ubus')) return replayUbus(exchanges, target, out, skip);
  const router = target.require('router');
  // The client starts as it did when recorded: logged out if its first session write is a login.
  const first = exchanges.find((x) => SESSION_WRITES.has(x.request.fields?.goformId ?? ''));
  if (first && first.request.fields?.goformId !== 'LOGOUT' && router.hasSession) await router.logout();
  const pace = pacer(exchanges, target);
  const arrivals = incomingDuring(exchanges).at;
  for (const x of exchanges) {
    await deliver(arrivals.get(x), target, skip);
    if (x.status === 0 || x.error) {
      skip('not answered when recorded');
      continue;
    }
    if (x.kind === 'static') {
      skip('static files');
      continue;
    }
    if (x.kind === 'file-share' || x.kind === 'other') {
      skip(x.kind === 'file-share' ? 'file-share transfers' : 'other requests');
      continue;
    }
    await pace(x);
    const fields = x.request.fields ?? {};
    if (x.kind === 'goform-read') {
      const cmd = fields.cmd ?? '';
      const multi = fields.multi_data === '1';
      const extra = Object.fromEntries(Object.entries(fields).filter(([k]) => !['cmd', 'multi_data', 'isTest', '_'].includes(k)));
      const response = multi ? await router.get(cmd.split(','), false) : await router.getAggregate(cmd, extra);
      const recorded: GoformExchange = { cmd, multi, extra, response: (x.response.json ?? {}) as Record<string, unknown> };
      out.push({ surface: 'goform', request: cmd, recorded, actual: { ...recorded, response } });
      continue;
    }
    const id = fields.goformId ?? '';
    const recordedAnswer = (x.response.json ?? {}) as Record<string, unknown>;
    if (x.blocked) {
      skip('destructive writes the proxy held back');
    } else if (id === 'LOGIN' || id === 'LOGIN_MULTI_USER') {
      // The recorded password is never written: the target's own stands in where it was right, a wrong one where not.
      const ok = recordedAnswer.result === '0' || recordedAnswer.result === '4';
      const password = fields.password === '' ? '' : ok ? undefined : WRONG_PASSWORD;
      const result = await router.tryLogin(password);
      const recorded: GoformExchange = { cmd: id, multi: false, extra: {}, response: recordedAnswer };
      out.push({ surface: 'goform', request: id, recorded, actual: { ...recorded, response: { result } } });
    } else if (id === 'DEVELOPER_OPTION_LOGIN') {
      skip("developer login (the target's own credentials)");
    } else {
      const sent = replayableFields(fields);
      if (sent === null) {
        skip('writes with a secret withheld');
        continue;
      }
      const ad = fields.AD === undefined ? 'omitted' : x.ad === 'wrong' ? 'wrong' : 'computed';
      let response: Record<string, unknown>;
      try {
        response = await router.set(id, sent, false, { ad });
      } catch (e) {
        // The SDK throws on the firmware's failure answer; here it is an answer to compare like any other.
        if (!(e instanceof BenchError) || e.code !== 'HTTP_STATUS' || e.details?.result === undefined) throw e;
        response = { result: e.details.result };
      }
      const recorded: GoformExchange = { cmd: id, multi: false, extra: sent, response: recordedAnswer };
      out.push({ surface: 'goform', request: id, recorded, actual: { ...recorded, response } });
    }
  }
}

function compare(recorded: Record<string, string>, actual: Record<string, string>, scrubbed: Record<string, string>, request: string, out: Difference[], surface: 'goform' | 'ubus' = 'goform'): void {
  for (const [field, value] of Object.entries(recorded)) {
    const got = scrubbed[field] === value ? value : actual[field];
    if (got === undefined || (got === '' && value !== '')) {
      out.push({ surface, request, field, kind: 'missing', recorded: value, actual: got ?? '(absent)' });
    } else if (shapeOf(got) !== shapeOf(value)) {
      out.push({ surface, request, field, kind: 'format', recorded: `${value} (${shapeOf(value)})`, actual: `${got} (${shapeOf(got)})` });
    } else if (got !== value && !VOLATILE.test(field)) {
      out.push({ surface, request, field, kind: 'value', recorded: value, actual: got });
    }
  }
  for (const field of Object.keys(actual)) {
    if (!(field in recorded)) out.push({ surface, request, field, kind: 'extra', recorded: '(absent)', actual: actual[field]! });
  }
}

/**
 * A proxy recording of a ZWRT client: its batches in order through the target's ubus client, its login, logout and
 * key exchange as the target's own, calls whose arguments had a secret withheld skipped. Each call's answer is
 * compared as `@status` (or `@error`) and its data's fields.
 */
async function replayUbus(exchanges: readonly HttpExchange[], target: Target, out: Replayed[], skip: (why: string) => void): Promise<void> {
  const ubus = target.require('ubus');
  const firstSession = exchanges.flatMap((x) => ubusElements(x.request.json)).find((e) => e.name === 'zwrt_web.web_login' || e.name === 'zwrt_web.web_logout');
  if (firstSession?.name === 'zwrt_web.web_login' && ubus.loggedIn) await ubus.logout();
  const pace = pacer(exchanges, target);
  const arrivals = incomingDuring(exchanges).at;
  for (const x of exchanges) {
    await deliver(arrivals.get(x), target, skip);
    if (x.kind !== 'ubus') {
      skip(x.kind === 'static' ? 'static files' : x.kind.startsWith('goform') ? 'goform requests' : 'other requests');
      continue;
    }
    if (x.status !== 200 || x.error) {
      skip('not answered when recorded');
      continue;
    }
    if (x.blocked) {
      skip('destructive calls the proxy held back');
      continue;
    }
    await pace(x);
    const answers = Array.isArray(x.response.json) ? (x.response.json as unknown[]) : [x.response.json];
    const batch: { name: string; call: [string, string, Record<string, unknown>]; recorded: unknown }[] = [];
    ubusElements(x.request.json).forEach((e, i) => {
      if (!e.call) return skip('malformed calls');
      if (e.name === 'zwrt_web.web_login') {
        // Replayed and compared like goform's: the target's password where the recorded login succeeded, a wrong one
        // where it failed (the recorded password is never written).
        batch.push({ name: '@login', call: e.call, recorded: answers[i] });
        return;
      }
      if (UBUS_SESSION_CALLS.has(e.name)) {
        if (e.name === 'zwrt_web.web_logout') batch.push({ name: '@logout', call: e.call, recorded: null });
        return skip("logout and key exchange (the target's own session)");
      }
      const args = replayableUbusArgs(e.name, e.call[2]);
      if (args === null) return skip('calls with a secret withheld');
      e.call[2] = args;
      batch.push({ name: e.name, call: e.call, recorded: answers[i] });
    });
    // Session changes happen where they were in the batch; the calls between them go as one batch each.
    let pending: typeof batch = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const actual = await ubus.batch(pending.map((p) => p.call));
      pending.forEach((p, i) => out.push({ surface: 'ubus', request: p.name, recorded: ubusAnswer(p.name, p.recorded), actual: ubusAnswer(p.name, toRpc(actual[i])) }));
      pending = [];
    };
    for (const b of batch) {
      if (b.name === '@login') {
        await flush();
        const recorded = (b.recorded as { result?: [number, Record<string, unknown>?] } | undefined)?.result;
        const attempt = await ubus.tryLogin(Number(recorded?.[1]?.result) === 0 ? undefined : WRONG_PASSWORD);
        // The outcome and the attempts left (ubus-api.md §4); the session id and its timeout are the target's own.
        const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
        const answer = (status: unknown, data: Record<string, unknown> | undefined): GoformExchange => ({
          cmd: 'zwrt_web.web_login', multi: false, extra: {},
          response: { '@status': text(status), result: text(data?.result), ...(data?.login_fail_num === undefined ? {} : { login_fail_num: text(data.login_fail_num) }) },
        });
        out.push({ surface: 'ubus', request: 'zwrt_web.web_login', recorded: answer(recorded?.[0], recorded?.[1]), actual: answer(0, attempt) });
      } else if (b.name === '@logout') {
        await flush();
        await ubus.logout();
      } else pending.push(b);
    }
    await flush();
  }
}

/**
 * A recorded ubus call's arguments as a client would send them again: a withheld Wi-Fi key (ENC of base64,
 * ubus-api.md §6.12) as a stand-in, like goform's; null when another secret was withheld (a PIN, a password).
 */
export function replayableUbusArgs(name: string, args: Record<string, unknown>): Record<string, unknown> | null {
  const out = name !== 'zwrt_wlan.set' ? args : Object.fromEntries(Object.entries(args).map(([section, v]) => [section, v !== null && typeof v === 'object' && (v as { key?: unknown }).key === SECRET ? { ...v, key: STAND_IN.passphrase } : v]));
  return JSON.stringify(out).includes(`"${SECRET}"`) ? null : out;
}

/** The calls of a recorded ubus body: name and [object, method, args] (null when an element is not a call). */
function ubusElements(body: unknown): { name: string; call: [string, string, Record<string, unknown>] | null }[] {
  const elements = Array.isArray(body) ? body : body === undefined ? [] : [body];
  return elements.map((el) => {
    const params = (el as { params?: unknown } | null)?.params;
    if (!Array.isArray(params) || typeof params[1] !== 'string' || typeof params[2] !== 'string' || params[3] === null || typeof params[3] !== 'object') return { name: '', call: null };
    return { name: `${params[1]}.${params[2]}`, call: [params[1], params[2], params[3] as Record<string, unknown>] };
  });
}

function toRpc(r: UbusResult | undefined): unknown {
  if (!r) return undefined;
  return 'error' in r ? { error: r.error } : { result: Object.keys(r.data).length > 0 ? [r.status, r.data] : [r.status] };
}

/** One call's answer as fields to compare: `@status` or `@error`, then the data. */
function ubusAnswer(name: string, answer: unknown): GoformExchange {
  const a = answer as { result?: [number, Record<string, unknown>?]; error?: { code: number } } | undefined;
  const response: Record<string, unknown> = a?.error ? { '@error': String(a.error.code) } : { '@status': String(a?.result?.[0] ?? ''), ...(a?.result?.[1] ?? {}) };
  return { cmd: name, multi: false, extra: {}, response };
}

function compareAt(recorded: Record<string, string>, actual: Record<string, string>, scrubbed: Record<string, string>, request: string, out: Difference[]): void {
  for (const [field, value] of Object.entries(recorded)) {
    const got = scrubbed[field] === value ? value : actual[field];
    if (got === undefined) out.push({ surface: 'at', request, field, kind: 'missing', recorded: value, actual: '(absent)' });
    else if (got !== value) out.push({ surface: 'at', request, field, kind: 'value', recorded: value, actual: got });
  }
  for (const field of Object.keys(actual)) if (!(field in recorded)) out.push({ surface: 'at', request, field, kind: 'extra', recorded: '(absent)', actual: actual[field]! });
}

/** Flattens an answer to dotted string fields: {"station_list":[{"mac_addr":..}]} -> station_list.0.mac_addr. */
function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  }
  return out;
}
