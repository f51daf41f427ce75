import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { CloudClient, type Received } from '../../../hil/index.js';
import { startEmbeddedBroker } from '../../../emulator/cloud/broker.js';
import { createTestEmulator, TestClient, withState } from '../../helpers/emulator.js';

// The cloud channel against the embedded aedes broker (the default without --mqtt); the same behaviour
// against a real Mosquitto is in test/emulator/cloud/mosquitto.int.test.ts.

let emu: Emulator;
let cloud: CloudClient;

afterEach(async () => {
  await cloud?.close();
  await emu?.close();
});

async function start(options: Parameters<Emulator['startCloud']>[0] = {}): Promise<void> {
  emu = createTestEmulator({ id: 'mifi-1' });
  const { brokerUrl } = await emu.startCloud({ brokerPort: 0, telemetryIntervalMs: 10_000, telemetryOffsetMs: 0, ...options });
  cloud = await CloudClient.connect({ url: brokerUrl });
  await cloud.watch();
}

const telemetry = (m: Received): boolean => m.topic === 'dt/routerlab/mifi-1/telemetry';
const event = (name: string) => (m: Received): boolean => m.topic === 'dt/routerlab/mifi-1/event' && (m.payload as { event: string }).event === name;

describe('cloud channel (embedded broker)', () => {
  it('publishes telemetry on the virtual clock that meets its schema and mirrors the state', async () => {
    await start();
    emu.clock.advance(30_000);
    await cloud.waitFor((m) => telemetry(m) && (m.payload as { seq: number }).seq >= 3, 15_000);
    const msgs = cloud.received().filter(telemetry);
    expect(msgs.map((m) => m.invalid)).toEqual(msgs.map(() => null));
    const t = msgs.at(-1)!.payload as { seq: number; ts: number; deviceId: string; data: { identity: { imei: string }; battery: { percent: number }; carrier: string; signal: { bars: number } } };
    expect(t.deviceId).toBe('mifi-1');
    expect(t.data.identity.imei).toBe(emu.device.state.identity.imei);
    expect(t.data.battery.percent).toBe(emu.device.state.battery.percent);
    expect(t.data.carrier).toBe(emu.device.state.radio.operator.longName);
    // Telemetry at 0, 10 s, 20 s, 30 s of virtual time: seq 1..4 and timestamps 10 s apart.
    expect(msgs.map((m) => (m.payload as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
    const ts = msgs.map((m) => (m.payload as { ts: number }).ts);
    expect(ts[1]! - ts[0]!).toBe(10_000);
  });

  it('raises events when the state crosses a line', async () => {
    await start();
    emu.device.sms.receive({ number: '+4915550001', text: 'hi' });
    emu.device.network.setRegistration('roaming');
    withState(emu.device, (s) => {
      s.battery.level = s.battery.percent = 15;
    });
    emu.device.wifi.join({ mac: '02:00:00:00:00:01', hostname: 'phone' });
    withState(emu.device, (s) => {
      s.dataLimit = { ...s.dataLimit, enabled: true, unit: 'data', size: '100_1', alertPercent: 80 };
    });
    emu.device.data.addUsage(85 * 1024 * 1024);
    for (const name of ['sms-received', 'roaming-changed', 'battery-low', 'station-joined', 'data-warning']) {
      const m = await cloud.waitFor(event(name), 15_000, name);
      expect(m.invalid, name).toBeNull();
    }
    const warning = cloud.received().find(event('data-warning'))!.payload as { data: { usedPercent: number; alertPercent: number } };
    expect(warning.data.usedPercent).toBeGreaterThanOrEqual(80);
    expect(warning.data.alertPercent).toBe(80);
    // An event fires on the crossing, not on every change after it.
    emu.device.data.addUsage(1024);
    emu.clock.advance(1000);
    await cloud.waitFor(event('station-joined'), 100);
    expect(cloud.received().filter(event('data-warning'))).toHaveLength(1);
  });

  it('raises one sms-received for a multi-part SMS, once its last part is in', async () => {
    await start();
    const { message } = emu.device.sms.receive({ number: '+4915550001', text: 'x'.repeat(200), partGapMs: 10_000 }) as { message: { id: number } };
    emu.device.sms.receive({ number: '+4915550002', text: 'marker' });
    const marker = await cloud.waitFor((m) => event('sms-received')(m) && (m.payload as { data: { number: string } }).data.number === '+4915550002', 15_000, 'marker');
    expect(marker.invalid).toBeNull();
    expect(cloud.received().filter(event('sms-received'))).toHaveLength(1);
    emu.clock.advance(10_000);
    const whole = await cloud.waitFor((m) => event('sms-received')(m) && (m.payload as { data: { id: number } }).data.id === message.id, 15_000, 'whole');
    expect(whole.invalid).toBeNull();
    expect(cloud.received().filter(event('sms-received'))).toHaveLength(2);
  });

  it('takes commands, changes the state every surface sees, and answers with the request id', async () => {
    await start();
    const bind = await cloud.command('mifi-1', { command: 'bind', args: { account: 'acct-42', token: 'secret-token-1' } });
    expect(bind).toMatchObject({ ok: true, command: 'bind', result: { account: 'acct-42' } });
    expect(emu.device.state.cloud.account).toBe('acct-42');
    const again = await cloud.command('mifi-1', { command: 'bind', args: { account: 'other', token: 'another-token' } });
    expect(again).toMatchObject({ ok: false, error: { code: 'ALREADY_BOUND' } });
    const wrong = await cloud.command('mifi-1', { command: 'unbind', args: { token: 'not-the-token' } });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const wifi = await cloud.command('mifi-1', { command: 'set-wifi', args: { ssid: 'Cloud-SSID', password: 'cloudpass1' } });
    expect(wifi.ok).toBe(true);
    const web = new TestClient(emu);
    await web.login();
    expect(await web.get(['SSID1', 'WPAPSK1'])).toMatchObject({ SSID1: 'Cloud-SSID' });

    const info = await cloud.command('mifi-1', { command: 'info' });
    expect(info).toMatchObject({ ok: true, result: { bound: true, identity: { imei: emu.device.state.identity.imei } } });

    emu.device.wifi.join({ mac: '02:00:00:00:00:09', hostname: 'kid' });
    const block = await cloud.command('mifi-1', { command: 'block-station', args: { mac: '02:00:00:00:00:09' } });
    expect(block).toMatchObject({ ok: true, result: { kicked: true } });
    expect(emu.device.state.wifi.macBlackList).toContain('02:00:00:00:00:09');

    const fota = await cloud.command('mifi-1', { command: 'start-fota' });
    expect(fota).toMatchObject({ ok: false, error: { code: 'NO_UPDATE' } });
    emu.device.fota.publish({ version: 'V2', sizeBytes: 1000, description: 'x' });
    expect(await cloud.command('mifi-1', { command: 'start-fota' })).toMatchObject({ ok: true });
    await cloud.waitFor(event('fota-progress'), 15_000);

    const unbind = await cloud.command('mifi-1', { command: 'unbind', args: { token: 'secret-token-1' } });
    expect(unbind.ok).toBe(true);
    await cloud.waitFor(event('unbound'), 15_000);
    expect(emu.journal.query({ surface: 'cloud' }).map((e) => `${e.name}:${e.response}`)).toEqual([
      'bind:ok', 'bind:error ALREADY_BOUND', 'unbind:error FORBIDDEN', 'set-wifi:ok', 'info:ok', 'block-station:ok', 'start-fota:error NO_UPDATE', 'start-fota:ok', 'unbind:ok',
    ]);
    expect(emu.journal.query({ surface: 'cloud' })[0]!.params.token).toBe('***');
  });

  it('refuses a command by rule in its own words, answers an override or patched result, and leaves one unanswered', async () => {
    await start();
    const r1 = emu.faults.rules.add({ surface: 'cloud', match: { name: 'set-wifi', params: { ssid: { pattern: '^Guest' } } }, action: { kind: 'error', code: 503, message: 'busy' }, times: 1 });
    expect(await cloud.command('mifi-1', { command: 'set-wifi', args: { ssid: 'Guest-1', password: 'cloudpass1' } })).toMatchObject({ ok: false, error: { code: '503', message: 'busy' } });
    expect(emu.device.state.wifi.main.ssid).not.toBe('Guest-1');
    expect((await cloud.command('mifi-1', { command: 'set-wifi', args: { ssid: 'Guest-1', password: 'cloudpass1' } })).ok).toBe(true);
    emu.faults.rules.add({ surface: 'cloud', match: { name: 'info' }, action: { kind: 'patch', fields: { bound: 'maybe' } }, times: 1 });
    const info = await cloud.command('mifi-1', { command: 'info' });
    expect(info).toMatchObject({ ok: true, result: { bound: 'maybe', identity: { imei: emu.device.state.identity.imei } } });
    emu.faults.rules.add({ surface: 'cloud', match: { name: 'info' }, action: { kind: 'answer', body: { bound: false } }, times: 1 });
    expect((await cloud.command('mifi-1', { command: 'info' })).result).toEqual({ bound: false });
    emu.faults.rules.add({ surface: 'cloud', match: { name: 'info' }, action: { kind: 'hang' }, times: 1 });
    await expect(cloud.command('mifi-1', { command: 'info' }, 500)).rejects.toThrow();
    expect((await cloud.command('mifi-1', { command: 'info' })).ok).toBe(true);
    expect(emu.journal.query({ surface: 'cloud', kind: 'rule' }).map((e) => e.name)).toEqual([r1.id, 'r2', 'r3', 'r4']);
    // garbage: bytes that are not JSON on the response topic, and the command not answered.
    emu.faults.rules.add({ surface: 'cloud', match: { name: 'info' }, action: { kind: 'garbage' }, times: 1 });
    await expect(cloud.command('mifi-1', { command: 'info' }, 500)).rejects.toThrow();
    const raw = await cloud.waitFor((m) => m.topic.endsWith('/res') && m.invalid === 'not JSON', 15_000);
    expect(String(raw.payload)).toContain('routerlab garbage');
    // latency then drop: the delay adds to the rule that answers; nothing comes.
    emu.faults.rules.add({ surface: 'cloud', match: { name: 'info' }, action: { kind: 'latency', ms: 10 }, times: 1, priority: 1 });
    emu.faults.rules.add({ surface: 'cloud', match: { name: 'info' }, action: { kind: 'drop' }, times: 1 });
    await expect(cloud.command('mifi-1', { command: 'info' }, 500)).rejects.toThrow();
    expect(emu.journal.query({ surface: 'cloud', kind: 'rule' }).slice(-2).map((e) => e.params.action)).toEqual(['latency', 'drop']);
    expect(() => emu.faults.rules.add({ surface: 'cloud', action: { kind: 'slow-body', bytesPerSecond: 10 } })).toThrow(/a cloud rule cannot slow-body/);
  });

  it('answers malformed commands with INVALID_COMMAND naming the field, and keeps running', async () => {
    await start();
    await cloud.publish('cmd/routerlab/mifi-1/req', 'not json');
    await cloud.waitFor((m) => m.topic.endsWith('/res') && (m.payload as { error?: { code: string } }).error?.code === 'INVALID_COMMAND', 15_000);
    const bad = await cloud.command('mifi-1', { command: 'set-wifi', args: { password: 'short' } });
    expect(bad.ok).toBe(false);
    expect(bad.error?.message).toMatch(/^args\.password: /);
    const unknown = await cloud.command('mifi-1', { command: 'selfdestruct' } as never);
    expect(unknown.error?.code).toBe('INVALID_COMMAND');
    expect((await cloud.command('mifi-1', { command: 'info' })).ok).toBe(true);
  });

  it('queues while the broker is away, drops the oldest past the limit, counts them, and flushes on reconnect', async () => {
    let broker = await startEmbeddedBroker({ port: 0 });
    const port = broker.port;
    emu = createTestEmulator({ id: 'mifi-1' });
    await emu.startCloud({ url: broker.url, queueLimit: 3, telemetryIntervalMs: 10_000, telemetryOffsetMs: 0, reconnectMinMs: 50, reconnectMaxMs: 200 });
    emu.clock.advance(0);
    const channel = emu.cloud!;
    await waitUntil(() => channel.status().sent === 1);
    await broker.close();
    await waitUntil(() => !channel.status().connected);
    emu.clock.advance(50_000); // five more telemetry messages, made offline
    expect(channel.status()).toMatchObject({ seq: 6, sent: 1, queued: 3, dropped: 2 });
    broker = await startEmbeddedBroker({ port });
    try {
      // A flushed message counts as sent once the broker acknowledges it (queued reaches 0 before that).
      await waitUntil(() => channel.status().connected && channel.status().sent === 4, 10_000);
      expect(channel.status()).toMatchObject({ queued: 0, dropped: 2 });
      expect(channel.status().reconnects).toBeGreaterThan(0);
      cloud = await CloudClient.connect({ url: broker.url });
      await cloud.watch();
      emu.clock.advance(10_000);
      const next = await cloud.waitFor(telemetry, 15_000);
      expect(next.payload).toMatchObject({ seq: 7, data: { dropped: 2 } });
    } finally {
      await cloud?.close();
      await emu.close();
      await broker.close();
    }
  });
});

async function waitUntil(ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
