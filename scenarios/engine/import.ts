import { stringify } from 'yaml';
import { decodeUcs2Hex, emulatorOptionsFromRecording, incomingDuring, initialInbox, replayableFields, replayableUbusArgs, SECRET, SESSION_WRITES, UBUS_SESSION_CALLS, ubusCalls, TECHNOLOGY_BY_NETWORK_TYPE, type HttpExchange, type Recording } from '../../hil/index.js';
import { scenarioSchema, type Scenario, type Step } from './schema.js';

// Field bug import: a recording (routerlab record) becomes a scenario that puts an emulator in the recorded
// radio, battery and inbox state through stimuli, then expects what the device answered. Identifiers are checked
// by shape (they are scrubbed); behaviour keys by value.

const BEHAVIOUR_KEYS = ['modem_main_state', 'network_type', 'signalbar', 'simcard_roam', 'ppp_status', 'lte_rsrp', 'lte_rsrq', 'lte_snr', 'battery_vol_percent', 'battery_charging', 'sms_unread_num', 'roam_setting_option', 'net_select', 'data_volume_limit_switch', 'new_version_state'];
const SHAPE_KEYS: Record<string, string> = { imei: '^\\d{15}$', imsi: '^\\d{14,15}$', sim_iccid: '^\\d{18,20}$', mac_address: '^([0-9A-F]{2}:){5}[0-9A-F]{2}$' };
const AT_EXPECT = ['AT+CSQ', 'AT+CESQ', 'AT+CPIN?', 'AT+ZPAS?', 'AT+CBC'];

/**
 * Keys a replayed client cannot expect to read the same (tokens, clocks, counters that run, identities), and the
 * session's own (loginfo, the login attempts left): a scenario runs logged in with the target's credentials, and
 * `fidelity` is where recorded logins are replayed.
 */
const UNSTABLE_KEY = /^(RD|LD|loginfo|psw_fail_num_str|login_lock_time|realtime_.*|monthly_.*|date_month|.*_thrpt|.*_time|.*date.*|.*_uptime|.*imei.*|.*imsi.*|.*iccid.*|.*msisdn.*|mac_address|BSSID|.*mac.*|.*_ip.*|.*ipaddr.*|cr_version|.*_temp|pm_.*)$/i;

/**
 * The client's own request sequence (a proxy recording) as steps: each write a client action, each read's keys
 * expectations (a polled key only when its value changed), the time between them as waits.
 */
function clientSteps(exchanges: readonly HttpExchange[]): Step[] {
  const steps: Step[] = [];
  const last = new Map<string, string>();
  let at = exchanges[0]?.relMs ?? 0;
  const arrivals = incomingDuring(exchanges).at;
  // A scenario runs logged in: what the client read while it was logged out (protected keys answer "") is not
  // expected. It started logged out when its first session write is a login.
  const session = (x: HttpExchange): string => (x.kind === 'goform-write' && SESSION_WRITES.has(x.request.fields?.goformId ?? '') ? x.request.fields!.goformId! : '');
  let loggedOut = ['LOGIN', 'LOGIN_MULTI_USER'].includes(exchanges.map(session).find((id) => id !== '') ?? '');
  for (const x of exchanges) {
    if (x.status !== 200 || x.error || x.blocked || (x.kind !== 'goform-read' && x.kind !== 'goform-write' && x.kind !== 'ubus')) continue;
    const id = session(x);
    if (id === 'LOGOUT') loggedOut = true;
    else if (id !== '' && ['0', '4'].includes(String((x.response.json as { result?: unknown } | undefined)?.result))) loggedOut = false;
    const gap = Math.floor((x.relMs - at) / 1000);
    if (gap >= 1) {
      steps.push({ wait: `${gap}s` });
      at += gap * 1000;
    }
    // An SMS the device received meanwhile, where the client first saw it.
    for (const sms of arrivals.get(x) ?? []) steps.push({ name: `recorded incoming SMS ${sms.id}`, stimulus: 'sms', with: { from: sms.number || '+0', text: sms.text, partGapMs: 0 } });
    if (x.kind === 'ubus') {
      steps.push(...ubusSteps(x, last));
      continue;
    }
    const fields = x.request.fields ?? {};
    if (x.kind === 'goform-write') {
      // A write the device refused for its wrong AD changed nothing; a scenario step signs its writes right.
      if (x.ad === 'wrong') continue;
      const id = fields.goformId ?? '';
      const sent = SESSION_WRITES.has(id) ? null : replayableFields(fields);
      if (sent) steps.push({ name: `client: ${id}`, goform: id, fields: sent });
      continue;
    }
    const answer = x.response.json;
    if (loggedOut || fields.multi_data !== '1' || answer === null || typeof answer !== 'object') continue;
    for (const [key, value] of Object.entries(answer as Record<string, unknown>)) {
      if (typeof value !== 'string' || UNSTABLE_KEY.test(key) || last.get(key) === value) continue;
      last.set(key, value);
      steps.push({ expect: { goform: key, equals: value } });
    }
  }
  return steps;
}

/** ubus calls that read (their answers become expectations); every other call is a client action. */
const UBUS_READ = /(^get|_get|report$|_list$|status|_info|_num$|netinfo|contents|result|capacity|parameter|get_sms_data|list$)/;

/** One recorded ubus batch as steps: writes as `ubus` actions expecting the recorded status, reads as expectations. */
function ubusSteps(x: HttpExchange, last: Map<string, string>): Step[] {
  const steps: Step[] = [];
  for (const { name, args, status, data } of ubusCalls(x)) {
    const sent = replayableUbusArgs(name, args);
    if (UBUS_SESSION_CALLS.has(name) || sent === null) continue;
    const argsJson = JSON.stringify(sent);
    if (!UBUS_READ.test(name.slice(name.lastIndexOf('.') + 1))) {
      steps.push({ name: `client: ${name}`, ubus: name, args: sent, status: status ?? 0 });
      continue;
    }
    for (const [key, value] of Object.entries(data ?? {})) {
      if ((typeof value !== 'string' && typeof value !== 'number') || UNSTABLE_KEY.test(key) || /^(real|month|total)_/.test(key)) continue;
      const id = `${name} ${argsJson} ${key}`;
      if (last.get(id) === String(value)) continue;
      last.set(id, String(value));
      steps.push({ expect: { ubus: name, ...(argsJson === '{}' ? {} : { args: sent }), field: key, equals: value } });
    }
  }
  return steps;
}

export function importRecording(recording: Recording, name: string): { scenario: Scenario; yaml: string } {
  // The device as the recording found it: each key's first answer (later ones show what the client changed, which
  // the client's own steps below change again).
  const v: Record<string, string> = {};
  for (const e of recording.goform) if (e.multi) for (const [k, val] of Object.entries(e.response)) if (typeof val === 'string' && (v[k] === undefined || v[k] === '')) v[k] = val;
  const num = (k: string): number | undefined => (v[k] !== undefined && v[k] !== '' && Number.isFinite(Number(v[k])) ? Number(v[k]) : undefined);
  const steps: Step[] = [];
  const tech = TECHNOLOGY_BY_NETWORK_TYPE[v.network_type ?? ''];
  if (tech) steps.push({ name: 'recorded technology', stimulus: 'technology', with: { technology: tech } });
  const signal: Record<string, number> = {};
  for (const [key, field] of [['lte_rsrp', 'rsrpDbm'], ['lte_rsrq', 'rsrqDb'], ['lte_snr', 'sinrDb'], ['rssi', 'rssiDbm']] as const) {
    const n = num(key);
    if (n !== undefined) signal[field] = n;
  }
  if (Object.keys(signal).length > 0) steps.push({ name: 'recorded signal', stimulus: 'signal', with: signal });
  // The user's connection settings as recorded (data roaming, dial mode): a device setting, set the way the web UI
  // sets it, so an imported scenario meets its own recording (set before roaming starts: with data roaming on the
  // connection stays up).
  if (v.roam_setting_option === 'on' || v.roam_setting_option === 'off') {
    const mode = v.dial_mode === 'manual_dial' || v.dial_mode === 'auto_dial' ? v.dial_mode : 'auto_dial';
    steps.push({ name: 'recorded connection settings', goform: 'SET_CONNECTION_MODE', fields: { ConnectionMode: mode, roam_setting_option: v.roam_setting_option } });
  }
  // The main Wi-Fi network as recorded (the key is never recorded: a stand-in, as fidelity replays it).
  if (v.SSID1 && v.AuthMode) {
    const wifi = replayableFields({
      ssid: v.SSID1, security_mode: v.AuthMode, cipher: v.EncrypType === 'TKIPCCMP' ? '2' : '1',
      ...(v.AuthMode === 'OPEN' || v.AuthMode === 'SHARED' ? {} : { passphrase: SECRET }),
      ...(v.HideSSID === '0' || v.HideSSID === '1' ? { broadcastSsidEnabled: v.HideSSID } : {}),
      ...(v.MAX_Access_num ? { MAX_Access_num: v.MAX_Access_num } : {}),
      ...(v.NoForwarding === '0' || v.NoForwarding === '1' ? { NoForwarding: v.NoForwarding } : {}),
    });
    if (wifi) steps.push({ name: 'recorded Wi-Fi settings', goform: 'SET_WIFI_SSID1_SETTINGS', fields: wifi });
  }
  // The network selection and the web UI's language as recorded.
  if (v.net_select) steps.push({ name: 'recorded network selection', goform: 'SET_BEARER_PREFERENCE', fields: { BearerPreference: v.net_select } });
  if (v.Language) steps.push({ name: 'recorded language', goform: 'SET_WEB_LANGUAGE', fields: { Language: v.Language } });
  // The data limit as recorded (§3.4), set as the web UI's data-limit page sets it.
  if (v.data_volume_limit_switch === '0') steps.push({ name: 'recorded data limit', goform: 'DATA_LIMIT_SETTING', fields: { data_volume_limit_switch: '0' } });
  if (v.data_volume_limit_switch === '1' && v.data_volume_limit_unit && v.data_volume_limit_size && v.data_volume_alert_percent) {
    steps.push({ name: 'recorded data limit', goform: 'DATA_LIMIT_SETTING', fields: { data_volume_limit_switch: '1', data_volume_limit_unit: v.data_volume_limit_unit, data_volume_limit_size: v.data_volume_limit_size, data_volume_alert_percent: v.data_volume_alert_percent } });
  }
  if (v.simcard_roam && v.simcard_roam !== 'Home') steps.push({ name: 'recorded roaming', stimulus: 'registration', with: { registration: 'roaming' } });
  const battery = num('battery_vol_percent');
  if (battery !== undefined) steps.push({ name: 'recorded battery', stimulus: 'battery', with: { percent: battery, charger: v.battery_charging !== '0' } });
  // The inbox as found (what arrived while a proxied client worked follows at its point, below).
  const inbox = initialInbox(recording);
  if (inbox) {
    for (const m of [...inbox].sort((a, b) => Number(a.id) - Number(b.id))) {
      if (m.tag !== '0' && m.tag !== '1') continue;
      steps.push({ name: `recorded SMS ${m.id ?? ''}`, stimulus: 'sms', with: { from: m.number ?? '+0', text: decodeUcs2Hex(m.content ?? ''), ...(m.tag === '0' ? { read: true } : {}) } });
    }
  }
  steps.push({ checkpoint: 'recorded state applied' });
  const proxied = recording.exchanges.length > 0;
  // A proxy recording's reads are checked in the client's order below; a capture's once, here.
  if (!proxied) for (const key of BEHAVIOUR_KEYS) if (v[key] !== undefined && v[key] !== '' && key !== 'sms_unread_num') steps.push({ expect: { goform: key, equals: v[key] } });
  for (const [key, shape] of Object.entries(SHAPE_KEYS)) if (v[key]) steps.push({ expect: { goform: key, matches: shape } });
  if (proxied) steps.push(...clientSteps(recording.exchanges));
  const client = proxied ? ' The client\'s own requests follow, in order: its writes as actions, its reads as expectations.' : '';
  for (const ex of recording.at) {
    if (AT_EXPECT.includes(ex.command) && ex.final === 'OK' && ex.lines[0]) steps.push({ expect: { at: ex.command, line: 1, equals: ex.lines[0] } });
  }
  const scenario = scenarioSchema.parse({
    name,
    description: `Imported from a recording (${recording._meta.source}, ${recording._meta.capturedAt}); identifiers are scrubbed and checked by shape.${client}`,
    tags: ['field', 'imported'],
    requires: ['stimuli', recording.exchanges.some((x) => x.kind === 'ubus') ? 'ubus' : 'router', ...(recording.at.length > 0 ? ['modem'] : [])],
    device: { profile: emulatorOptionsFromRecording(recording).profile ?? 'mf79u', seed: 1 },
    steps,
  });
  const header = '# yaml-language-server: $schema=../../scenario.schema.json\n';
  return { scenario, yaml: header + stringify(scenario, { lineWidth: 0 }) };
}
