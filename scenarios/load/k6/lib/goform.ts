// The goform protocol for k6 (goform-api.md §2, §1.3, §4.7): login generations, RD/AD on writes, sms_cmd polling.
// The same rules as hil/clients/goform-client.ts, written for k6's runtime (no Node modules there).
import { check, fail, sleep } from 'k6';
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';

export type PasswordEncoding = 'base64' | 'sha256-ld' | 'sha256-base64';
export type AdKind = 'none' | 'md5' | 'sha256';

export interface Generation {
  passwordEncoding: PasswordEncoding;
  ad: AdKind;
  /** wa_inner_version + cr_version: the AD's base (goform-api.md §1.3). */
  adBase: string;
}

export interface Router {
  base: string;
  password: string;
  generation: Generation;
}

const JSON_HEADERS = (base: string): Record<string, string> => ({ Referer: `${base}/index.html`, 'X-Requested-With': 'XMLHttpRequest' });

export function get(r: Router | { base: string }, keys: string[], name?: string): Record<string, string> {
  const multi = keys.length > 1 ? '&multi_data=1' : '';
  const res = http.get(`${r.base}/goform/goform_get_cmd_process?isTest=false${multi}&cmd=${keys.join('%2C')}`, {
    headers: JSON_HEADERS(r.base),
    tags: { name: name ?? (keys.length > 1 ? `get:${keys[0]}+${keys.length - 1}` : `get:${keys[0]}`) },
  });
  return parse(res);
}

export function aggregate(r: Router, cmd: string, extra: Record<string, string>, name: string): Record<string, unknown> {
  const q = Object.entries(extra).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
  const res = http.get(`${r.base}/goform/goform_get_cmd_process?isTest=false&cmd=${cmd}${q}`, { headers: JSON_HEADERS(r.base), tags: { name } });
  return parse(res);
}

function parse(res: RefinedResponse<ResponseType | undefined>): Record<string, string> {
  try {
    return res.json() as Record<string, string>;
  } catch {
    fail(`${res.url} answered something that is not JSON (HTTP ${res.status})`);
  }
}

/**
 * The login generation, by the rules GoformClient.generation() uses: WEB_ATTR_IF_SUPPORT_SHA256 in the web UI's
 * config.js (2 = SHA256+LD, 1 = SHA256 of base64, 0 = base64), else LD present; ACCESSIBLE_ID_SUPPORT: false = no
 * AD; SHA256 AD on MC888/MC889, MF297D and MF935, MD5 elsewhere (goform-api.md §2, §2.7).
 */
export function detect(base: string, password: string): Router {
  const config = http.get(`${base}/js/config/config.js`, { tags: { name: 'config.js' } });
  const body = config.status === 200 && typeof config.body === 'string' ? config.body : '';
  const v = get({ base }, ['wa_inner_version', 'cr_version', 'LD'], 'get:versions');
  const level = /WEB_ATTR_IF_SUPPORT_SHA256\s*:\s*"?(\d)/.exec(body)?.[1];
  const passwordEncoding: PasswordEncoding = level === '2' ? 'sha256-ld' : level === '1' ? 'sha256-base64' : level === '0' ? 'base64' : (v.LD ?? '') !== '' ? 'sha256-ld' : 'base64';
  const inner = v.wa_inner_version ?? '';
  const ad: AdKind = /ACCESSIBLE_ID_SUPPORT\s*:\s*false/.test(body) ? 'none' : /MC88[89]|MF297D|MF935/.test(inner) ? 'sha256' : 'md5';
  return { base, password, generation: { passwordEncoding, ad, adBase: `${inner}${v.cr_version ?? ''}` } };
}

const sha256 = (s: string): string => crypto.sha256(s, 'hex').toUpperCase();
const md5 = (s: string): string => crypto.md5(s, 'hex');

export function login(r: Router): boolean {
  const g = r.generation;
  let encoded: string;
  if (g.passwordEncoding === 'base64') encoded = encoding.b64encode(r.password);
  else if (g.passwordEncoding === 'sha256-base64') encoded = sha256(encoding.b64encode(r.password));
  else encoded = sha256(sha256(r.password) + (get(r, ['LD'], 'get:LD').LD ?? '').toUpperCase());
  const res = http.post(`${r.base}/goform/goform_set_cmd_process`, { isTest: 'false', goformId: 'LOGIN', password: encoded }, { headers: JSON_HEADERS(r.base), tags: { name: 'set:LOGIN' } });
  const result = parse(res).result;
  return check(result, { 'login accepted': (x) => x === '0' || x === '4' });
}

/** A write with a fresh RD and its AD (goform-api.md §1.3). */
export function set(r: Router, goformId: string, fields: Record<string, string>): boolean {
  const body: Record<string, string> = { isTest: 'false', goformId, ...fields };
  const g = r.generation;
  if (g.ad !== 'none') {
    const rd = get(r, ['RD'], 'get:RD').RD ?? '';
    body.AD = g.ad === 'md5' ? md5(md5(g.adBase) + rd) : sha256(sha256(g.adBase) + rd);
  }
  const res = http.post(`${r.base}/goform/goform_set_cmd_process`, body, { headers: JSON_HEADERS(r.base), tags: { name: `set:${goformId}` } });
  const result = parse(res).result;
  return check(result, { [`${goformId} accepted`]: (x) => x !== 'failure' && x !== 'fail' });
}

/** UCS-2 big-endian hex, as the web UI encodes SMS bodies (goform-api.md §6). */
export function ucs2Hex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return out;
}

/** SEND_SMS, then sms_cmd 4 until the router says sent (3) or failed (2). */
export function sendSms(r: Router, number: string, text: string): boolean {
  const now = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  const time = `${p(now.getFullYear() % 100)};${p(now.getMonth() + 1)};${p(now.getDate())};${p(now.getHours())};${p(now.getMinutes())};${p(now.getSeconds())};+0`;
  if (!set(r, 'SEND_SMS', { notCallback: 'true', Number: number, sms_time: time, MessageBody: ucs2Hex(text), ID: '-1', encode_type: 'GSM7_default' })) return false;
  for (let i = 0; i < 40; i++) {
    const status = aggregate(r, 'sms_cmd_status_info', { sms_cmd: '4' }, 'get:sms_cmd_status_info').sms_cmd_status_result;
    if (status === '3') return true;
    if (status === '2') return check(status, { 'sms sent': () => false });
    sleep(0.25);
  }
  return check(null, { 'sms sent': () => false });
}
