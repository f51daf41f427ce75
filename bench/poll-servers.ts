// Child process of bench/goform-poll.ts: the emulator and a raw node:http server that answers the same
// bytes, both on loopback. Prints one JSON line with their URLs and the logged-in cookie, then waits.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator } from '../emulator/index.js';
import { STATUS_POLL_QUERY } from '../test/helpers/poll-keys.js';

const emulator = createEmulator({ profile: 'mf79u', seed: 1, onUnhandled: 'silent' });
const base = await emulator.listen({ port: 0 });
const headers = { Referer: `${base}/index.html` };
const login = await fetch(`${base}/goform/goform_set_cmd_process`, {
  method: 'POST',
  headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: `isTest=false&goformId=LOGIN&password=${encodeURIComponent(Buffer.from('admin').toString('base64'))}`,
});
const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
// The web UI adds a jQuery cache-buster `_=<ms>`; autocannon sends one fixed URL, so a fixed value stands in.
const path = `/goform/goform_get_cmd_process?${STATUS_POLL_QUERY}&_=1767225600000`;
const sample = await fetch(`${base}${path}`, { headers: { ...headers, Cookie: cookie } });
const body = Buffer.from(await sample.arrayBuffer());
const parsed = JSON.parse(body.toString()) as Record<string, string>;
if (parsed.loginfo !== 'ok') throw new Error(`[bench] the poll is not logged in: loginfo=${parsed.loginfo}`);

// The same router with 20 rules installed that this poll never matches (other goformIds and keys, parameter and
// client patterns, other surfaces): what a QA bench staging faults elsewhere costs the poll.
const ruled = createEmulator({ profile: 'mf79u', seed: 1, onUnhandled: 'silent' });
const ruledBase = await ruled.listen({ port: 0 });
for (const name of ['SEND_SMS', 'SET_WIFI_INFO', 'SET_CONNECTION_MODE', 'DELETE_SMS', 'REBOOT_DEVICE', 'sms_data_total', 'station_list', 'wan_ipaddr_x']) {
  ruled.faults.rules.add({ surface: 'goform', match: { name }, action: { kind: 'error' } });
}
ruled.faults.rules.add({ surface: 'goform', match: { name: { pattern: '^NEVER_' } }, action: { kind: 'drop' } });
ruled.faults.rules.add({ surface: 'goform', match: { params: { goformId: 'SET_BEARER_PREFERENCE' } }, action: { kind: 'error' } });
ruled.faults.rules.add({ surface: 'goform', match: { client: '10.9.9.9' }, action: { kind: 'hang' } });
ruled.faults.rules.add({ surface: 'goform', match: { name: 'ppp_status', client: { pattern: '^192\\.168\\.' } }, action: { kind: 'patch', fields: { ppp_status: 'ppp_disconnected' } } });
for (const name of ['+CMGS', '+CSQ', '+COPS']) ruled.faults.rules.add({ surface: 'at', match: { name }, action: { kind: 'hang' } });
for (const name of ['zwrt_wms.zte_libwms_send_sms', 'zwrt_router.api.router_get_status']) ruled.faults.rules.add({ surface: 'ubus', match: { name }, action: { kind: 'error' } });
ruled.faults.rules.add({ surface: 'cloud', match: { name: 'info' }, action: { kind: 'drop' } });
ruled.faults.rules.add({ surface: 'cwmp', match: { name: 'SetParameterValues' }, action: { kind: 'error' } });
ruled.faults.rules.add({ surface: 'usp', match: { name: 'Set' }, action: { kind: 'error' } });
if (ruled.faults.rules.list().length !== 20) throw new Error('[bench] expected 20 rules');
const ruledLogin = await fetch(`${ruledBase}/goform/goform_set_cmd_process`, {
  method: 'POST',
  headers: { Referer: `${ruledBase}/index.html`, 'Content-Type': 'application/x-www-form-urlencoded' },
  body: `isTest=false&goformId=LOGIN&password=${encodeURIComponent(Buffer.from('admin').toString('base64'))}`,
});
const ruledCookie = (ruledLogin.headers.get('set-cookie') ?? '').split(';')[0]!;

const rawHeaders = {
  'Content-Type': sample.headers.get('content-type') ?? 'text/plain',
  'Cache-Control': 'no-cache',
  Pragma: 'no-cache',
  'Content-Length': String(body.length),
};
const raw = createServer((_req, res) => {
  res.writeHead(200, rawHeaders);
  res.end(body);
});
await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;

process.stdout.write(`${JSON.stringify({ emulator: base, raw: rawUrl, ruled: ruledBase, ruledCookie, path, cookie, keys: Object.keys(parsed).length, bytes: body.length })}\n`);
process.on('SIGTERM', () => {
  raw.close();
  void Promise.all([emulator.close(), ruled.close()]).then(() => process.exit(0));
});
