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

process.stdout.write(`${JSON.stringify({ emulator: base, raw: rawUrl, path, cookie, keys: Object.keys(parsed).length, bytes: body.length })}\n`);
process.on('SIGTERM', () => {
  raw.close();
  void emulator.close().then(() => process.exit(0));
});
