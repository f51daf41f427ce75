// The ZWRT ubus protocol for k6 (ubus-api.md §2-§4): JSON-RPC batches on /ubus/, the salted double SHA-256 login,
// the sid in params[0]. The same rules as hil/clients/ubus-client.ts, written for k6's runtime (no Node modules).
import { check, fail } from 'k6';
import crypto from 'k6/crypto';
import http from 'k6/http';

export const ZERO_SID = '00000000000000000000000000000000';

export interface ZwrtRouter {
  base: string;
  password: string;
  sid: string;
}

export type Call = [object: string, method: string, args?: Record<string, unknown>];

export interface Answer {
  status: number;
  data: Record<string, unknown>;
  error?: { code: number; message: string };
}

let nextId = 1;

/** One batch, answered in order: `status` -1 with `error` for a JSON-RPC error (§3.4). */
export function batch(r: ZwrtRouter, calls: Call[], name?: string): Answer[] {
  const body = JSON.stringify(calls.map(([o, m, a]) => ({ jsonrpc: '2.0', id: nextId++, method: 'call', params: [r.sid, o, m, a ?? {}] })));
  const first = calls[0];
  const res = http.post(`${r.base}/ubus/?t=${Date.now()}`, body, {
    headers: { 'Content-Type': 'application/json', Referer: `${r.base}/`, 'X-Requested-With': 'XMLHttpRequest', 'Z-Mode': r.sid === ZERO_SID ? '0' : '1', 'Z-Tag': first ? first[1] : '' },
    tags: { name: name ?? (first ? `ubus:${first[0]}.${first[1]}${calls.length > 1 ? `+${calls.length - 1}` : ''}` : 'ubus') },
  });
  let parsed: unknown;
  try {
    parsed = res.json();
  } catch {
    fail(`/ubus/ answered something that is not JSON (HTTP ${res.status})`);
  }
  if (!Array.isArray(parsed)) fail(`/ubus/ refused the batch (HTTP ${res.status})`);
  return (parsed as { result?: [number, Record<string, unknown>?]; error?: { code: number; message: string } }[]).map((a) =>
    a.error ? { status: -1, data: {}, error: a.error } : { status: a.result ? a.result[0] : -1, data: (a.result && a.result[1]) || {} },
  );
}

/** web_login_info, then web_login with UPPER(SHA256(UPPER(SHA256(pw)) + salt)) (§4.3); true when logged in. */
export function login(r: ZwrtRouter): boolean {
  r.sid = ZERO_SID;
  const [info] = batch(r, [['zwrt_web', 'web_login_info']], 'ubus:web_login_info');
  const salt = info ? info.data.zte_web_sault : undefined;
  if (typeof salt !== 'string') return false;
  const inner = crypto.sha256(r.password, 'hex').toUpperCase();
  const password = crypto.sha256(inner + salt, 'hex').toUpperCase();
  const [answer] = batch(r, [['zwrt_web', 'web_login', { password }]], 'ubus:web_login');
  const sid = answer ? answer.data.ubus_rpc_session : undefined;
  const ok = check(answer, { 'ubus login: result 0': (a) => a !== undefined && Number(a.data.result) === 0 && typeof sid === 'string' });
  if (ok && typeof sid === 'string') r.sid = sid;
  return ok;
}

export function logout(r: ZwrtRouter): void {
  batch(r, [['zwrt_web', 'web_logout']], 'ubus:web_logout');
  r.sid = ZERO_SID;
}
