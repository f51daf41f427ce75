import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeUcs2Hex, encodeUcs2Hex } from '../../../emulator/http/codec.js';
import { createEmulator } from '../../../emulator/index.js';
import { createEmulatorTarget, type EmulatorTarget } from '../../../hil/drivers/emulator-target.js';
import { GoformClient } from '../../../hil/clients/goform-client.js';
import { importRecording } from '../../../scenarios/index.js';
import { loadRecording, recordingSchema, replayFidelity, startProxy, type Recording } from '../../../hil/index.js';

// routerlab proxy between a client and a router: here an emulator stands in for the real router and the project's
// own goform SDK (and headless Chromium for the static files) for the app.

const CHROMIUM = '/usr/bin/chromium';
const PHONE = '+4915187654321';

describe('routerlab proxy', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const device = async (): Promise<EmulatorTarget> => {
    const t = await createEmulatorTarget({ clockMode: 'paused', seed: 11, profile: 'mf79u' });
    cleanup.push(() => t.close());
    return t;
  };
  const folder = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-proxy-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const goformUrl = (t: EmulatorTarget): string => String(t.describe().details.goformUrl);

  /** What the app does: the web UI's start-up reads, login, a status poll, SMS, a Wi-Fi change, a reboot. */
  async function app(base: string): Promise<GoformClient> {
    const client = new GoformClient({ baseUrl: base, password: 'admin' });
    await client.get(['loginfo', 'Language', 'modem_main_state'], false);
    await client.login();
    for (let i = 0; i < 3; i++) await client.get(['signalbar', 'network_type', 'ppp_status', 'imei', 'msisdn', 'sms_unread_num'], false);
    await client.set('SEND_SMS', { Number: PHONE, MessageBody: encodeUcs2Hex(`call me back on ${PHONE}`), ID: '-1', encode_type: 'GSM7_default' }, false);
    await client.getAggregate('sms_data_total', { page: '0', data_per_page: '10', mem_store: '1', tags: '10', order_by: 'order by id desc' });
    await client.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'Proxy-Lab', broadcastSsidEnabled: '0', MAX_Access_num: '8', security_mode: 'WPA2PSK', cipher: '1', NoForwarding: '0', passphrase: Buffer.from('secret-wifi-key').toString('base64') }, false);
    await expect(client.set('REBOOT_DEVICE', {}, false)).rejects.toThrow(/REBOOT_DEVICE answered failure/);
    await client.get(['SSID1', 'WPAPSK1', 'signalbar'], false);
    return client;
  }

  it('records what the client did, scrubbed, and a fresh emulator of the same profile and seed answers it the same', async () => {
    const router = await device();
    const dir = folder();
    const proxy = await startProxy({ target: goformUrl(router), out: dir, port: 0 });
    cleanup.push(async () => void (await proxy.close()));
    const identity = router.emulator!.device.state.identity;
    await app(proxy.url);
    const recording = await proxy.close();

    // One format, versioned: the file on disk is the recording answered, and valid.
    const onDisk = loadRecording(dir);
    expect(onDisk).toEqual(recording);
    expect(recordingSchema.safeParse(JSON.parse(readFileSync(join(dir, 'recording.json'), 'utf8'))).success).toBe(true);
    expect(recording._meta).toMatchObject({ version: 3, kind: 'proxy' });
    expect(existsSync(join(dir, 'exchanges.partial.jsonl'))).toBe(false);
    const kinds = new Set(recording.exchanges.map((x) => x.kind));
    expect(kinds).toContain('goform-read');
    expect(kinds).toContain('goform-write');
    expect(recording.exchanges.map((x) => x.seq)).toEqual(recording.exchanges.map((_, i) => i + 1));
    expect(recording.exchanges.every((x, i) => i === 0 || x.relMs >= recording.exchanges[i - 1]!.relMs)).toBe(true);

    // The reboot was held back: answered failure to the client and never reached the router.
    const reboot = recording.exchanges.find((x) => x.name === 'REBOOT_DEVICE')!;
    expect(reboot).toMatchObject({ blocked: true, response: { json: { result: 'failure' } } });
    expect(router.emulator!.device.power.isUp()).toBe(true);
    expect(router.emulator!.device.state.wifi.main.ssid).toBe('Proxy-Lab');

    // Nothing identifying, no password, AD or Wi-Fi key in the files.
    const text = readFileSync(join(dir, 'recording.json'), 'utf8');
    for (const secret of [identity.imei, identity.imsi, identity.iccid, identity.msisdn, PHONE, 'secret-wifi-key', Buffer.from('secret-wifi-key').toString('base64'), router.emulator!.device.state.wifi.main.password]) {
      expect(text, secret).not.toContain(secret);
    }
    const login = recording.exchanges.find((x) => x.name === 'LOGIN')!;
    expect(login.request.fields?.password).toBe('***');
    expect(recording.exchanges.filter((x) => x.request.fields?.AD !== undefined).every((x) => x.request.fields!.AD === '***')).toBe(true);
    const sent = recording.exchanges.find((x) => x.name === 'SEND_SMS')!;
    expect(sent.request.fields!.Number).toMatch(/^\+49\d{11}$/);
    expect(decodeUcs2Hex(sent.request.fields!.MessageBody!)).toBe(`call me back on ${sent.request.fields!.Number}`);

    // Replayed against a fresh emulator of the same profile and seed: every replayed request answers as recorded.
    const fresh = await device();
    const report = await replayFidelity(recording, fresh);
    expect(report.differences).toEqual([]);
    expect(report.replayed).toBeGreaterThanOrEqual(8);
    expect(report.matched).toBe(report.replayed);
    expect(report.skipped).toMatchObject({ 'destructive writes the proxy held back': 1 });
    expect(fresh.emulator!.device.state.wifi.main.ssid).toBe('Proxy-Lab');

    // A planted difference is reported, naming the request and the key.
    const planted: Recording = structuredClone(recording);
    const poll = planted.exchanges.find((x) => x.name?.startsWith('signalbar'))!;
    (poll.response.json as Record<string, string>).signalbar = '1';
    const again = await replayFidelity(planted, await device());
    expect(again.differences).toEqual([expect.objectContaining({ request: 'signalbar,network_type,ppp_status,imei,msisdn,sms_unread_num', field: 'signalbar', kind: 'value', recorded: '1' })]);
    expect(again.matched).toBe(again.replayed - 1);

    // import: the client's sequence as a scenario (writes as actions, reads as expectations).
    const { scenario } = importRecording(recording, 'proxied session');
    expect(scenario.steps).toContainEqual(expect.objectContaining({ goform: 'SEND_SMS' }));
    expect(scenario.steps.some((s) => 'expect' in s && 'goform' in s.expect && s.expect.goform === 'signalbar')).toBe(true);
    expect(scenario.steps.some((s) => 'goform' in s && (s.goform === 'REBOOT_DEVICE' || s.goform === 'LOGIN'))).toBe(false);
  });

  it.skipIf(!existsSync(CHROMIUM))('records the static files a browser fetched, and serve --from the recording serves them (needs the Debian package chromium)', async () => {
    const router = await device();
    const dir = folder();
    const proxy = await startProxy({ target: goformUrl(router), out: dir, port: 0 });
    cleanup.push(async () => void (await proxy.close()));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    cleanup.push(() => browser.close());
    const page = await browser.newPage();
    const res = await page.goto(`${proxy.url}/`);
    expect(res?.status()).toBe(200);
    const html = await page.content();
    expect(html).toContain(router.emulator!.device.profile.model);
    const recording = await proxy.close();
    const statics = recording.exchanges.filter((x) => x.kind === 'static');
    expect(statics[0]).toMatchObject({ method: 'GET', path: '/', status: 200, response: { file: join('webui', 'index.html') } });
    expect(readFileSync(join(dir, 'webui', 'index.html'), 'utf8')).toContain(router.emulator!.device.profile.model);
    // serve --from DIR: the recorded web UI on the goform port.
    const served = createEmulator({ clockMode: 'paused', webUiDir: join(dir, 'webui') });
    cleanup.push(() => served.close());
    const url = await served.listen({ port: 0 });
    expect(await (await fetch(`${url}/`)).text()).toBe(readFileSync(join(dir, 'webui', 'index.html'), 'utf8'));
  });

  it('streams a file-share upload through to the router and records it by size', async () => {
    const router = await device();
    const proxy = await startProxy({ target: goformUrl(router), out: folder(), port: 0 });
    cleanup.push(async () => void (await proxy.close()));
    const session = { cookie: null as string | null };
    const client = new GoformClient({ baseUrl: proxy.url, password: 'admin', session });
    await client.login();
    const data = new Uint8Array(200_000).map((_, i) => i % 251);
    const form = new FormData();
    form.set('path_SD_CARD', '/mmc2');
    form.set('file', new Blob([data]), 'photo.jpg');
    const res = await fetch(`${proxy.url}/cgi-bin/httpshare/upload`, { method: 'POST', body: form, headers: { Cookie: session.cookie!, Referer: `${proxy.url}/` } });
    expect(JSON.parse(await res.text())).toMatchObject({ result: 'success' });
    expect(readFileSync(join(router.emulator!.share!.root, 'photo.jpg'))).toEqual(Buffer.from(data));
    const recording = await proxy.close();
    const upload = recording.exchanges.find((x) => x.kind === 'file-share')!;
    expect(upload).toMatchObject({ method: 'POST', path: '/cgi-bin/httpshare/upload', status: 200, response: { json: { result: 'success' } } });
    expect(upload.request.bytes).toBeGreaterThan(200_000);
  });

  it('forwards a destructive write with --allow-destructive', async () => {
    const router = await device();
    const proxy = await startProxy({ target: goformUrl(router), out: folder(), port: 0, allowDestructive: true });
    cleanup.push(async () => void (await proxy.close()));
    const client = new GoformClient({ baseUrl: proxy.url, password: 'admin' });
    await client.login();
    expect(await client.set('REBOOT_DEVICE', {}, false)).toEqual({ result: 'success' });
    expect(router.emulator!.device.power.isUp()).toBe(false);
  });

  it('refuses a target that is unreachable or not a router with one line, before listening', async () => {
    const closed = await freePort();
    await expect(startProxy({ target: `http://127.0.0.1:${closed}`, out: folder(), port: 0 })).rejects.toThrow(/^\[proxy\] cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    const router = await device();
    // The control API is HTTP but not goform.
    const control = await router.emulator!.listenControl({ port: 0 });
    await expect(startProxy({ target: control, out: folder(), port: 0 })).rejects.toThrow(/is not a ZTE router: .* answered \d+/);
    await expect(startProxy({ target: 'not a url', out: folder(), port: 0 })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(startProxy({ target: goformUrl(router), out: folder(), port: 0, host: '0.0.0.0' })).rejects.toThrow(/needs a token/);
  });

  it('keeps what was recorded when a client goes away mid-request or the router stops answering', async () => {
    const router = await device();
    const dir = folder();
    const proxy = await startProxy({ target: goformUrl(router), out: dir, port: 0 });
    const client = new GoformClient({ baseUrl: proxy.url, password: 'admin' });
    await client.get(['signalbar'], false);
    // Half a request: headers promising a body that never comes, then the client hangs up.
    await new Promise<void>((resolve) => {
      const { port } = new URL(proxy.url);
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/goform/goform_set_cmd_process', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '100' } });
      req.on('error', () => resolve());
      req.write('isTest=false&goformId=SET');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100);
    });
    await expect.poll(() => proxy.count).toBe(2);
    // The partial log is on disk while the proxy runs.
    expect(readFileSync(join(dir, 'exchanges.partial.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    await router.close();
    const res = await fetch(`${proxy.url}/goform/goform_get_cmd_process?isTest=false&cmd=signalbar`);
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/^routerlab proxy: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\n$/);
    const recording = await proxy.close();
    expect(recording.exchanges.map((x) => [x.kind, x.status, x.error ?? ''])).toEqual([
      ['goform-read', 200, ''],
      ['goform-write', 0, 'client disconnected before sending its request'],
      ['goform-read', 0, expect.stringMatching(/cannot reach/)],
    ]);
  });

  it('keeps at most maxExchanges exchanges, forwarding the rest and saying so once', async () => {
    const router = await device();
    const lines: string[] = [];
    const proxy = await startProxy({ target: goformUrl(router), out: folder(), port: 0, maxExchanges: 3, log: (l) => lines.push(l) });
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${proxy.url}/goform/goform_get_cmd_process?isTest=false&cmd=signalbar`);
      expect(JSON.parse(await res.text())).toHaveProperty('signalbar');
    }
    expect([proxy.count, proxy.dropped]).toEqual([3, 3]);
    expect(lines).toEqual([expect.stringMatching(/holds 3 exchanges; later ones are forwarded but not recorded/)]);
    expect((await proxy.close()).exchanges).toHaveLength(3);
  });

  it('answers only its own Host and Origin, and off loopback only with the token', async () => {
    const router = await device();
    const proxy = await startProxy({ target: goformUrl(router), out: folder(), port: 0, token: 'proxy-token-1' });
    cleanup.push(async () => void (await proxy.close()));
    const { port } = new URL(proxy.url);
    const get = (headers: Record<string, string>, path = '/goform/goform_get_cmd_process?isTest=false&cmd=signalbar'): Promise<{ status: number; headers: Record<string, unknown> }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
        });
        req.on('error', reject);
        req.end();
      });
    expect((await get({ host: 'rebind.example:80' })).status).toBe(403);
    expect((await get({ host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await get({ host: `127.0.0.1:${port}`, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get({ host: `127.0.0.1:${port}` })).status).toBe(401);
    expect((await get({ host: `127.0.0.1:${port}`, authorization: 'Bearer proxy-token-1' })).status).toBe(200);
    const once = await get({ host: `127.0.0.1:${port}` }, '/index.html?routerlab_token=proxy-token-1');
    expect(once.status).toBe(303);
    expect(String(once.headers['set-cookie'])).toContain('routerlab_proxy_token=proxy-token-1');
    expect((await get({ host: `127.0.0.1:${port}`, cookie: 'routerlab_proxy_token=proxy-token-1' })).status).toBe(200);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
