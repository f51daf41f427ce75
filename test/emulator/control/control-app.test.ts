import { validate } from '@readme/openapi-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { controlRoutes, mapDirectory } from '../../../emulator/control/control-routes.js';
import type { Emulator } from '../../../emulator/index.js';
import { AtProbe } from '../../helpers/at.js';
import { ControlClient } from '../../helpers/control.js';
import { createTestEmulator, startLoggedIn, TestClient } from '../../helpers/emulator.js';

describe('control API', () => {
  let emu: Emulator;
  let control: ControlClient;
  afterEach(async () => {
    await emu.close();
  });
  const start = (options: Parameters<typeof createTestEmulator>[0] = {}): void => {
    emu = createTestEmulator(options);
    control = new ControlClient(emu, options.controlToken);
  };

  it('serves a valid OpenAPI 3.1 document that lists every route', async () => {
    start();
    const { json } = await control.call('GET', '/openapi.json');
    const doc = json as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, JSON.stringify(result)).toBe(true);
    const routes = controlRoutes({ devices: mapDirectory(new Map()), clock: emu.clock, journal: emu.journal });
    for (const r of routes) expect(doc.paths[`/api/v1${r.path}`]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
    expect(doc.paths['/api/v1/devices/{id}/events']?.get).toBeDefined();
    expect(doc.paths['/api/v1/limits']?.get).toBeDefined();
    expect(doc.paths['/api/v1/fleet/events']?.get).toBeDefined();
    expect(Object.values(doc.paths).flatMap((p) => Object.keys(p)).length).toBe(routes.length + 3);
  });

  it('serves interactive docs without external resources', async () => {
    start();
    const res = await emu.control.request('/api/v1/docs');
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('/api/v1/openapi.json');
    expect(html).not.toMatch(/https?:\/\/(?!routerlab)/);
  });

  it('answers bad input on every route with a body with 400, a problem naming the field, and no change', async () => {
    start();
    const routes = controlRoutes({ devices: mapDirectory(new Map()), clock: emu.clock, journal: emu.journal }).filter((r) => r.body);
    expect(routes.length).toBeGreaterThan(25);
    for (const r of routes) {
      const path = r.path.replace('{id}', 'dev-0');
      const before = JSON.stringify(emu.device.state);
      const clockBefore = emu.clock.now();
      const res = await control.call(r.method.toUpperCase(), path, '{"bogus": [1, 2');
      expect(res.status, `${r.method} ${path} with broken JSON`).toBe(400);
      expect(res.type).toContain('application/problem+json');
      expect((res.json as { errors: { field: string }[] }).errors[0]!.field).toBe('body');
      // A JSON array where an object is expected fails every body schema.
      const wrong = await control.call(r.method.toUpperCase(), path, [1, 2, 3]);
      expect(wrong.status, `${r.method} ${path} with a wrong body: ${wrong.text}`).toBe(400);
      expect((wrong.json as { errors: { field: string }[] }).errors.length).toBeGreaterThan(0);
      expect((wrong.json as { errors: { field: string }[] }).errors[0]!.field).toMatch(/^body/);
      expect(JSON.stringify(emu.device.state)).toBe(before);
      expect(emu.clock.now()).toBe(clockBefore);
    }
  });

  it('names the exact field in a validation problem', async () => {
    start();
    const res = await control.call('POST', '/devices/dev-0/stimuli/signal', { rsrpDbm: -300 });
    expect(res.status).toBe(400);
    expect((res.json as { errors: { field: string; message: string }[] }).errors).toEqual([{ field: 'body.rsrpDbm', message: expect.stringMatching(/>=-140/) as unknown }]);
    const q = await control.call('GET', '/journal?limit=0');
    expect(q.status).toBe(400);
    expect((q.json as { errors: { field: string }[] }).errors[0]!.field).toBe('query.limit');
  });

  it('answers 404 problems for unknown devices and routes', async () => {
    start();
    const r = await control.call('GET', '/devices/nope/state');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ title: 'Unknown device', detail: expect.stringContaining('nope') as unknown });
    expect((await control.call('GET', '/nothing')).status).toBe(404);
  });

  it('requires the token when one is set: 401 without it', async () => {
    start({ controlToken: 's3cret' });
    const anonymous = new ControlClient(emu);
    expect((await anonymous.call('GET', '/devices')).status).toBe(401);
    expect((await new ControlClient(emu, 'wrong').call('GET', '/devices')).status).toBe(401);
    expect((await control.call('GET', '/devices')).json).toEqual([expect.objectContaining({ id: 'dev-0', model: 'MF79U' })]);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    start();
    await expect(emu.listenControl({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/needs a token/);
    expect(await emu.listenControl({ port: 0 })).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('reads the whole state and patches part of it with validation', async () => {
    start();
    const { json } = await control.call('GET', '/devices/dev-0/state');
    expect(json).toMatchObject({ id: 'dev-0', identity: { imei: emu.device.state.identity.imei } });
    const ok = await control.call('PATCH', '/devices/dev-0/state', { wifi: { main: { ssid: 'Patched' } }, radio: { nr: null } });
    expect(ok.status).toBe(200);
    expect(emu.device.state.wifi.main.ssid).toBe('Patched');
    const bad = await control.call('PATCH', '/devices/dev-0/state', { battery: { percent: 140 } });
    expect(bad.status).toBe(400);
    expect((bad.json as { errors: { field: string }[] }).errors[0]!.field).toBe('body.battery.percent');
    expect(emu.device.state.battery.percent).toBe(80);
  });

  it('snapshots and restores the full state, and a restored device answers like the saved one', async () => {
    start();
    const client = new TestClient(emu);
    await client.login();
    emu.device.sms.receive({ number: '+1', text: 'saved' });
    const snap = (await control.call('GET', '/devices/dev-0/snapshot')).json;
    await emu.close();
    start({ seed: 99 });
    expect((await control.call('POST', '/devices/dev-0/restore', snap)).status).toBe(200);
    const again = new TestClient(emu);
    await again.login();
    const s = snap as { state: { identity: { imei: string } } };
    expect((await again.get(['imei'])).imei).toBe(s.state.identity.imei);
    expect(emu.device.state.sms.messages.map((m) => m.text)).toEqual(['saved']);
    expect((await control.call('POST', '/devices/dev-0/restore', { format: 'routerlab-snapshot/1', state: { id: 'x' } })).status).toBe(400);
  });

  it('controls time: pause, speed, advance by a duration, resume', async () => {
    start({ clockMode: 'paused' });
    const t0 = emu.clock.now();
    expect((await control.call('POST', '/time/advance', { by: '5m' })).json).toMatchObject({ nowMs: t0 + 300_000, mode: 'paused' });
    await control.call('POST', '/time/advance', { by: 1500 });
    expect(emu.clock.now()).toBe(t0 + 301_500);
    expect((await control.call('POST', '/time/speed', { speed: 60 })).json).toMatchObject({ speed: 60 });
    expect((await control.call('POST', '/time/resume', {})).json).toMatchObject({ mode: 'running' });
    expect((await control.call('POST', '/time/pause', {})).json).toMatchObject({ mode: 'paused' });
    expect((await control.call('POST', '/time/speed', { speed: 0 })).status).toBe(400);
  });
});

describe('journal', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('records goform requests with passwords masked, AT commands and URCs, and filters them', async () => {
    let client: TestClient;
    ({ emu, client } = await startLoggedIn({ profile: 'mf79u' }));
    const control = new ControlClient(emu);
    await client.get(['signalbar', 'sms_unread_num']);
    const at = new AtProbe(emu);
    at.send('AT+CNMI=2,1,0,2,0\r');
    emu.device.sms.receive({ number: '+1', text: 'x' });
    const all = (await control.call('GET', '/journal')).json as { entries: { surface: string; kind: string; name: string; params: Record<string, string>; response: string }[] };
    const login = all.entries.find((e) => e.name === 'LOGIN')!;
    expect(login).toMatchObject({ surface: 'goform', kind: 'write', response: 'result=0' });
    expect(login.params.password).toBe('***');
    const reads = (await control.call('GET', '/journal?surface=goform&name=sms_unread_num')).json as { entries: unknown[] };
    expect(reads.entries).toHaveLength(1);
    const atEntries = (await control.call('GET', '/journal?surface=at')).json as { entries: { kind: string; name: string; response: string }[] };
    expect(atEntries.entries.map((e) => [e.kind, e.name, e.response])).toEqual([
      ['command', 'AT+CNMI=2,1,0,2,0', 'OK'],
      ['urc', '+CMTI: "ME",1', ''],
    ]);
    const jsonl = await control.call('GET', '/journal.jsonl?surface=at');
    expect(jsonl.type).toContain('application/x-ndjson');
    expect(jsonl.text.trim().split('\n').map((l) => (JSON.parse(l) as { name: string }).name)).toEqual(['AT+CNMI=2,1,0,2,0', '+CMTI: "ME",1']);
    at.close();
  });

  it('stays within its bound under 100000 requests', async () => {
    let client: TestClient;
    ({ emu, client } = await startLoggedIn({ journalCapacity: 1000 }));
    for (let i = 0; i < 100_000; i++) {
      const res = await emu.goform.app.request(`/goform/goform_get_cmd_process?cmd=signalbar,k${i % 500}&multi_data=1`);
      await res.text();
    }
    await client.get(['signalbar']);
    expect(emu.journal.total).toBe(100_000 + 2); // + LOGIN + the last read
    expect(emu.journal.size).toBe(1000);
    const entries = emu.journal.query();
    expect(entries).toHaveLength(1000);
    expect(entries.at(-1)!.name).toBe('signalbar');
    expect(entries[0]!.seq).toBe(emu.journal.total - 999);
    // Nothing older than the ring is reachable: the oldest kept entry is request 99003 of 100002.
    expect(entries.some((e) => e.seq <= emu.journal.total - 1000)).toBe(false);
  });
});
