// Child process of bench/ubus-poll.ts: a ZWRT emulator (g5ts, one session per client: the `multi` session policy,
// since the firmware's single web session cannot serve 100 clients) and a raw node:http server that reads the
// request body and answers the same bytes. Prints one JSON line with the URLs and the clients' sessions, then waits.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulator } from '../emulator/index.js';
import { UbusClient, ZWRT_STATUS_POLL } from '../hil/clients/ubus-client.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 100);
const emulator = createEmulator({ profile: 'g5ts', seed: 1, onUnhandled: 'silent' });
const profile = emulator.device.profile;
emulator.device.reset({ profile: { ...profile, ubus: { ...profile.ubus, sessionPolicy: 'multi' } } });
const base = await emulator.listen({ port: 0 });
const sids: string[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const client = new UbusClient({ baseUrl: base, password: 'admin' });
  await client.login();
  sids.push(client.sid);
}
const body = (sid: string, id: number): string =>
  JSON.stringify(ZWRT_STATUS_POLL.map(([o, m, a], i) => ({ jsonrpc: '2.0', id: id + i, method: 'call', params: [sid, o, m, a ?? {}] })));
const sample = await fetch(`${base}/ubus/?t=1767225600000`, { method: 'POST', headers: { Referer: `${base}/`, 'Content-Type': 'application/json' }, body: body(sids[0]!, 1) });
const answer = Buffer.from(await sample.arrayBuffer());
const parsed = JSON.parse(answer.toString()) as { result?: [number] }[];
if (parsed.some((a) => a.result?.[0] !== 0)) throw new Error(`[bench] the status batch is not answered [0] throughout: ${answer.toString().slice(0, 200)}`);

// The same headers as the emulator's answer (its webtoken cookie included), so only the work differs.
const rawHeaders: Record<string, string> = { 'Content-Type': 'application/json', 'Content-Length': String(answer.length) };
const cookie = sample.headers.get('set-cookie');
if (cookie) rawHeaders['Set-Cookie'] = cookie;
const raw = createServer((req, res) => {
  // Like any server, the baseline reads the whole body before it answers.
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, rawHeaders);
    res.end(answer);
  });
});
await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
const rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;

process.stdout.write(`${JSON.stringify({ emulator: base, raw: rawUrl, sids, calls: ZWRT_STATUS_POLL.length, bytes: answer.length })}\n`);
process.on('SIGTERM', () => {
  raw.close();
  void emulator.close().then(() => process.exit(0));
});
