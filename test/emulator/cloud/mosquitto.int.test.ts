import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../../emulator/fleet/fleet.js';
import { createEmulator, type Emulator } from '../../../emulator/index.js';
import { CloudClient, type Received } from '../../../hil/index.js';
import { makePki, startMosquitto, MOSQUITTO, type Mosquitto } from '../../helpers/mosquitto.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand } from '../../helpers/system.js';

// The cloud channel against a real Mosquitto (Debian package `mosquitto`, installed by .ci/run), started here on
// a free loopback port.

const seqOf = (m: Received): number => (m.payload as { seq: number }).seq;

async function waitUntil(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!existsSync(MOSQUITTO))('cloud channel against Mosquitto (needs the Debian package mosquitto)', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it.each([
    ['3.1.1', 4],
    ['5', 5],
  ] as const)('MQTT %s: telemetry meets its schema, stimuli raise events, commands change state and answer', async (_name, protocolVersion) => {
    const emu: Emulator = createEmulator({ clockMode: 'paused', id: `mifi-v${protocolVersion}`, seed: 11 });
    const cloud = await CloudClient.connect({ url: broker.url, protocolVersion });
    try {
      const id = `mifi-v${protocolVersion}`;
      await cloud.watch(id);
      await emu.startCloud({ url: broker.url, protocolVersion, telemetryIntervalMs: 10_000, telemetryOffsetMs: 0 });
      emu.clock.advance(20_000);
      await cloud.waitFor((m) => m.topic.endsWith('/telemetry') && seqOf(m) === 3, 10_000, 'three telemetry messages');
      const t = cloud.received().filter((m) => m.topic.endsWith('/telemetry'));
      expect(t.map((m) => m.invalid)).toEqual([null, null, null]);
      expect(t[0]!.payload).toMatchObject({ v: 1, deviceId: id, type: 'telemetry', data: { identity: { imei: emu.device.state.identity.imei }, connection: 'connected', roaming: false } });

      // Stimuli through the control API, as QA would send them.
      const post = async (path: string, body: unknown): Promise<Response> => emu.control.request(`/api/v1/devices/${id}/stimuli/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('registration', { registration: 'roaming' })).status).toBe(200);
      expect((await post('sms', { from: '+4915550002', text: 'Willkommen' })).status).toBe(200);
      expect((await post('station', { action: 'join', mac: '02:00:00:00:00:0A', hostname: 'laptop' })).status).toBe(200);
      expect((await post('battery', { percent: 10, charger: false })).status).toBe(200);
      expect((await post('reboot', {})).status).toBe(200);
      for (const name of ['roaming-changed', 'sms-received', 'station-joined', 'battery-low', 'reboot']) {
        const m = await cloud.waitFor((x) => x.topic.endsWith('/event') && (x.payload as { event: string }).event === name, 10_000, name);
        expect(m.invalid).toBeNull();
      }
      emu.clock.advance(31_000); // back up after the reboot

      const set = await cloud.command(id, { command: 'set-preferences', args: { dataRoaming: true } });
      expect(set).toMatchObject({ ok: true, result: { dataRoaming: true } });
      expect(emu.device.state.network.dataRoaming).toBe(true);
      const bind = await cloud.command(id, { command: 'bind', args: { account: 'qa-account', token: 'token-123456' } });
      expect(bind.ok).toBe(true);
      const info = await cloud.command(id, { command: 'info' });
      expect(info).toMatchObject({ ok: true, result: { bound: true, roaming: true } });
      // Every device message carries the device id and a gapless per-device sequence.
      const seqs = cloud.received().map(seqOf).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    } finally {
      await cloud.close();
      await emu.close();
    }
  });

  it('10000 messages from a fleet of 10 arrive with no gap in any sequence', async () => {
    const fleet = new Fleet({ count: 10, seed: 4, clockMode: 'paused', idPrefix: 'seq' });
    const cloud = await CloudClient.connect({ url: broker.url, keep: 20_000 });
    try {
      await cloud.subscribe('dt/routerlab/+/telemetry');
      await fleet.startCloud({ url: broker.url, telemetryIntervalMs: 1000, queueLimit: 100_000 });
      fleet.clock.advance(1_000_000); // 1000 (or 1001, by each device's offset) telemetry messages per device
      const made = fleet.cloudStatus().seq;
      expect(made).toBeGreaterThanOrEqual(10_000);
      await waitUntil(() => cloud.total >= made, 60_000, `${made} messages`);
      const byDevice = new Map<string, number[]>();
      for (const m of cloud.received()) {
        const p = m.payload as { deviceId: string; seq: number };
        (byDevice.get(p.deviceId) ?? byDevice.set(p.deviceId, []).get(p.deviceId)!).push(p.seq);
      }
      expect(byDevice.size).toBe(10);
      for (const [id, seqs] of byDevice) {
        expect(seqs.length, id).toBeGreaterThanOrEqual(1000);
        expect(seqs, id).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      }
      expect(cloud.total).toBe(made);
      await waitUntil(() => fleet.cloudStatus().sent === made, 10_000, 'every PUBACK');
      expect(fleet.cloudStatus()).toMatchObject({ dropped: 0, queued: 0, inflight: 0 });
    } finally {
      await cloud.close();
      await fleet.close();
    }
  });

  it('survives a broker restart: what was queued arrives, and exactly the dropped count is missing', async () => {
    const emu = createEmulator({ clockMode: 'paused', id: 'restart-1', seed: 12 });
    // A durable subscriber: its session and QoS 1 queue live in Mosquitto's persistence across the restart.
    const subscriber = { url: broker.url, clientId: 'routerlab-restart-observer', clean: false };
    let cloud = await CloudClient.connect(subscriber);
    try {
      await cloud.subscribe('dt/routerlab/restart-1/telemetry');
      await emu.startCloud({ url: broker.url, telemetryIntervalMs: 10_000, telemetryOffsetMs: 0, queueLimit: 5, reconnectMinMs: 100, reconnectMaxMs: 500 });
      emu.clock.advance(40_000); // seq 1..5 while connected
      await cloud.waitFor((m) => seqOf(m) === 5, 10_000, 'seq 5');
      await cloud.close();
      await broker.stop();
      const channel = emu.cloud!;
      await waitUntil(() => !channel.status().connected, 10_000, 'the channel to notice');
      emu.clock.advance(80_000); // seq 6..13 offline: the queue keeps the last 5, drops 3
      expect(channel.status()).toMatchObject({ seq: 13, queued: 5, dropped: 3 });
      await broker.start();
      await waitUntil(() => channel.status().connected && channel.status().queued === 0 && channel.status().inflight === 0, 20_000, 'reconnect and flush');
      cloud = await CloudClient.connect(subscriber);
      await cloud.subscribe('dt/routerlab/restart-1/telemetry');
      emu.clock.advance(10_000); // seq 14
      await cloud.waitFor((m) => seqOf(m) === 14, 10_000, 'seq 14');
      const got = new Set(cloud.received().map(seqOf));
      const missing = Array.from({ length: 14 }, (_, i) => i + 1).filter((s) => s > 5 && !got.has(s));
      // The oldest offline messages were dropped first: 6, 7, 8; 9..13 came through the restart.
      expect(missing).toEqual([6, 7, 8]);
      expect(missing.length).toBe(channel.status().dropped);
      const last = cloud.received().find((m) => seqOf(m) === 14)!;
      expect(last.payload).toMatchObject({ data: { dropped: 3 } });
    } finally {
      await cloud.close();
      await emu.close();
    }
  });

  it.skipIf(!hasCommand('openssl'))('mqtts with mutual TLS and a username/password (needs openssl)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-pki-'));
    const pki = makePki(dir);
    const secure = await startMosquitto({ tls: pki, users: { router: 'router-pass', cloud: 'cloud-pass' } });
    const tls = { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey) };
    const emu = createEmulator({ clockMode: 'paused', id: 'tls-1' });
    try {
      expect(secure.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
      await expect(CloudClient.connect({ url: secure.url, ...tls, username: 'cloud', password: 'wrong' })).rejects.toMatchObject({ code: 'TRANSPORT_OPEN_FAILED' });
      await expect(CloudClient.connect({ url: secure.url, ca: tls.ca, username: 'cloud', password: 'cloud-pass' })).rejects.toMatchObject({ code: 'TRANSPORT_OPEN_FAILED' });
      const cloud = await CloudClient.connect({ url: secure.url, ...tls, username: 'cloud', password: 'cloud-pass' });
      try {
        await cloud.watch('tls-1');
        await emu.startCloud({ url: secure.url, ...tls, username: 'router', password: 'router-pass', telemetryOffsetMs: 0 });
        emu.clock.advance(0);
        const t = await cloud.waitFor((m) => m.topic.endsWith('/telemetry'), 10_000);
        expect(t.invalid).toBeNull();
        expect((await cloud.command('tls-1', { command: 'info' })).ok).toBe(true);
      } finally {
        await cloud.close();
      }
    } finally {
      await emu.close();
      await secure.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
