import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { hostOf } from '../../../emulator/net.js';
import { isLoopbackHost } from '../../../emulator/net.js';
import { createTestEmulator } from '../../helpers/emulator.js';

// The control API next to a browser (#16): Host, Origin, Content-Type, token and prototype keys.

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

const call = (path: string, init: RequestInit = {}): Promise<Response> =>
  Promise.resolve(emu.control.request(`http://127.0.0.1:8081/api/v1${path}`, init));
const json = { 'Content-Type': 'application/json' };

describe('control API guard', () => {
  it('decides loopback on the parsed address, never on a name prefix', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST', 'localhost.']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['127.evil.example', '127.0.0.1.nip.io', '0.0.0.0', '10.0.0.1', '::', 'evil.localhost.example', '']) expect(isLoopbackHost(h), h).toBe(false);
    expect(hostOf('127.0.0.1:8081')).toBe('127.0.0.1');
    expect(hostOf('[::1]:8081')).toBe('::1');
    expect(hostOf('Evil.Example')).toBe('evil.example');
  });

  it('answers 403 to a Host that is not loopback (DNS rebinding) and serves an allowed one', async () => {
    emu = createTestEmulator();
    for (const host of ['rebind.evil.example:8081', '127.evil.example:8081', 'router.local:8081']) {
      const r = await call('/devices/dev-0/state', { headers: { Host: host } });
      expect(r.status, host).toBe(403);
      expect(await r.text()).not.toContain(emu.device.state.identity.imei);
    }
    expect((await emu.control.request('http://rebind.evil.example/', { headers: { Host: 'rebind.evil.example' } })).status).toBe(403);
    expect((await call('/devices/dev-0/state', { headers: { Host: '127.0.0.1:8081' } })).status).toBe(200);
    expect((await call('/devices/dev-0/state', { headers: { Host: 'localhost:8081' } })).status).toBe(200);
    // An address cannot be rebound: a bench reached by its IP (with a token, off loopback) is served.
    expect((await call('/devices/dev-0/state', { headers: { Host: '192.168.0.5:8081' } })).status).toBe(200);
    expect((await call('/devices/dev-0/state', { headers: { Host: '[fe80::1]:8081' } })).status).toBe(200);
    await emu.close();
    emu = createTestEmulator({ controlAllowHosts: ['bench.lab.example'] });
    expect((await call('/devices/dev-0/state', { headers: { Host: 'bench.lab.example:8081' } })).status).toBe(200);
  });

  it('answers 403 to another Origin, also on the dashboard, and sends no CORS headers', async () => {
    emu = createTestEmulator();
    const before = emu.device.state.system.rebootCount;
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:9999', 'file://']) {
      const r = await call('/devices/dev-0/stimuli/reboot', { method: 'POST', headers: { ...json, Host: '127.0.0.1:8081', Origin: origin }, body: '{}' });
      expect(r.status, origin).toBe(403);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    }
    const preflight = await call('/devices/dev-0/stimuli/reboot', { method: 'OPTIONS', headers: { Host: '127.0.0.1:8081', Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect((await emu.control.request('http://127.0.0.1:8081/', { headers: { Host: '127.0.0.1:8081', Origin: 'http://evil.example' } })).status).toBe(403);
    expect((await call('/devices/dev-0/state', { headers: { Host: '127.0.0.1:8081', 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403);
    expect(emu.device.state.system.poweredOn).toBe(true);
    expect(emu.device.state.system.rebootCount).toBe(before);
    // The listener's own origin (the dashboard's fetches) is served.
    const own = await call('/devices/dev-0/stimuli/signal', { method: 'POST', headers: { ...json, Host: '127.0.0.1:8081', Origin: 'http://127.0.0.1:8081' }, body: JSON.stringify({ bars: 2 }) });
    expect(own.status).toBe(200);
  });

  it('answers 415 to a body that is not JSON (what a <form> can send) and changes nothing', async () => {
    emu = createTestEmulator();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const r = await call('/devices/dev-0/stimuli/signal', { method: 'POST', headers: type ? { 'Content-Type': type } : {}, body: JSON.stringify({ rsrpDbm: -120 }) });
      expect(r.status, String(type)).toBe(415);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(emu.device.state.radio.rsrpDbm).not.toBe(-120);
    const patch = await call('/devices/dev-0/state', { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ wifi: { main: { ssid: 'patched' } } }) });
    expect(patch.status).toBe(200);
    expect(emu.device.state.wifi.main.ssid).toBe('patched');
  });

  it('refuses __proto__, constructor and prototype keys in a patch or a restore, and stays healthy', async () => {
    emu = createTestEmulator();
    const bodies = ['{"wifi":{"__proto__":{"polluted":1}}}', '{"__proto__":{"polluted":1}}', '{"sms":{"constructor":{"prototype":{"polluted":1}}}}'];
    for (const body of bodies) {
      const r = await call('/devices/dev-0/state', { method: 'PATCH', headers: json, body });
      expect(r.status, body).toBe(400);
      expect(((await r.json()) as { detail: string }).detail).toMatch(/__proto__|constructor/);
    }
    const snap = (await (await call('/devices/dev-0/snapshot')).json()) as { state: Record<string, unknown> };
    const restore = await call('/devices/dev-0/restore', { method: 'POST', headers: json, body: JSON.stringify({ format: 'routerlab-snapshot/1', state: snap.state }).replace('"wifi":{', '"wifi":{"__proto__":{"polluted":1},') });
    expect(restore.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await call('/devices/dev-0/state')).status).toBe(200);
  });

  it('takes the token with any case of Bearer, in the URL only on the event stream', async () => {
    emu = createTestEmulator({ controlToken: 's3cret-token' });
    expect((await call('/time')).status).toBe(401);
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) expect((await call('/time', { headers: { Authorization: `${scheme} s3cret-token` } })).status, scheme).toBe(200);
    expect((await call('/time?token=s3cret-token')).status).toBe(401);
    const ac = new AbortController();
    const events = await call('/devices/dev-0/events?token=s3cret-token', { signal: ac.signal });
    expect(events.status).toBe(200);
    ac.abort();
    await events.body?.cancel().catch(() => undefined);
  });

  it('refuses an empty token at start instead of listening without one', () => {
    expect(() => createTestEmulator({ controlToken: '' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/empty/) as unknown }));
    expect(() => createTestEmulator({ controlToken: '   ' })).toThrow(/empty/);
  });

  it('cuts a body off at 1 MiB while it streams, without reading the rest', async () => {
    emu = createTestEmulator();
    let pulled = 0;
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        if (pulled > 256 * 1024 * 1024) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const r = await call('/devices/dev-0/state', { method: 'PATCH', headers: json, body, duplex: 'half' } as RequestInit);
    expect(r.status).toBe(413);
    expect(pulled).toBeLessThan(4 * 1024 * 1024);
    const big = await call('/devices/dev-0/state', { method: 'PATCH', headers: { ...json, 'Content-Length': String(2 * 1024 * 1024) }, body: ' '.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
  });

  it('drops the oldest events of a stream whose client does not read, and counts them', async () => {
    emu = createTestEmulator();
    const ac = new AbortController();
    const res = await call('/devices/dev-0/events', { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    // The client reads nothing while 5000 stimuli (each a stimulus event and a state change) are posted.
    for (let i = 0; i < 5000; i++) await call('/devices/dev-0/stimuli/signal', { method: 'POST', headers: json, body: JSON.stringify({ rsrpDbm: -70 - (i % 50) }) });
    await new Promise((r) => setImmediate(r));
    const limits = (await (await call('/limits')).json()) as { eventStream: { maxQueuedEvents: number; dropped: number } };
    expect(limits.eventStream.maxQueuedEvents).toBe(1000);
    expect(limits.eventStream.dropped).toBeGreaterThan(3000);
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('event: dropped')) text += decoder.decode((await reader.read()).value);
    expect(text).toMatch(/event: dropped\ndata: \{"dropped":\d+\}/);
    ac.abort();
    await reader.cancel().catch(() => undefined);
  });
});
