import { existsSync } from 'node:fs';
import { mqttConnect as connect } from 'usp-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';

// usp-js (npm), a controller library nobody here wrote, against the router's USP Agent over Debian's Mosquitto with
// MQTT 5 (device-management.md §3.6): get, set, add, delete, operate, subscribe with a ValueChange.

describe.skipIf(!existsSync(MOSQUITTO))("usp-js as the controller of the router's USP Agent (needs the Debian package mosquitto)", () => {
  let broker: Mosquitto;
  let emu: Emulator;
  let usp: Awaited<ReturnType<typeof connect>>;
  beforeAll(async () => {
    broker = await startMosquitto();
    emu = createTestEmulator({ profile: 'mc888', clockMode: 'running', speed: 20 });
    const agent = await emu.startUsp({ brokerUrl: broker.url });
    usp = await connect({ url: broker.url, username: '', password: '', toId: agent.endpointId, protocolVersion: 5 });
  }, 30_000);
  afterAll(async () => {
    await usp?.disconnect();
    await emu?.close();
    await broker?.close();
  });

  it('reads a parameter, an object and a wildcard, and names an unknown path', async () => {
    expect(await usp.get('Device.DeviceInfo.SerialNumber')).toBe(emu.device.state.identity.serialNumber);
    const info = (await usp.get('Device.DeviceInfo.')) as Record<string, unknown>;
    expect(info).toMatchObject({ Manufacturer: 'ZTE', ProductClass: 'MC888', SoftwareVersion: emu.device.state.fota.currentVersion });
    const ssids = (await usp.get('Device.WiFi.SSID.*.SSID')) as unknown;
    expect(JSON.stringify(ssids)).toContain(emu.device.state.wifi.main.ssid);
    await expect(usp.get('Device.NoSuch.Thing')).rejects.toBeDefined();
  });

  it('sets values through the device rules and refuses what the device refuses', async () => {
    await usp.set('Device.WiFi.SSID.1.', { SSID: 'USP-Lab' });
    expect(emu.device.state.wifi.main.ssid).toBe('USP-Lab');
    expect(await usp.get('Device.WiFi.SSID.1.SSID')).toBe('USP-Lab');
    await expect(usp.set('Device.DeviceInfo.', { SerialNumber: 'x' })).rejects.toBeDefined();
    expect(emu.device.state.identity.serialNumber).not.toBe('x');
  });

  it('meets a drop rule as a lost answer: the next Get after it is answered', async () => {
    // usp-js resolves a call by its msg id and response type, so an Error message (what an error rule sends) never
    // settles it; rules that answer with USP errors are checked with the project's own controller (rules-usp test).
    emu.faults.rules.add({ surface: 'usp', match: { name: 'Get', params: { paths: 'Device.DeviceInfo.ModelName' } }, action: { kind: 'drop' }, times: 1 });
    const lost = usp.get('Device.DeviceInfo.ModelName');
    await expect(Promise.race([lost, new Promise((r) => setTimeout(() => r('no answer'), 1000))])).resolves.toBe('no answer');
    expect(await usp.get('Device.DeviceInfo.SerialNumber')).toBe(emu.device.state.identity.serialNumber);
    expect(emu.journal.query({ surface: 'usp', kind: 'rule' }).map((e) => e.params.action)).toEqual(['drop']);
    emu.faults.rules.reset();
  });

  it('adds and deletes an APN instance', async () => {
    const added = (await usp.add('Device.Cellular.AccessPoint.', { APN: 'usp.example' })) as unknown;
    const path = (Array.isArray(added) ? String(added[0]) : String(added)).replace(/\.?$/, '.');
    expect(path).toMatch(/^Device\.Cellular\.AccessPoint\.\d+\.$/);
    const n = Number(/AccessPoint\.(\d+)\./.exec(path)![1]);
    expect(emu.device.state.apn.profiles[n - 1]).toMatchObject({ apn: 'usp.example' });
    await usp.del(path);
    expect(emu.device.state.apn.profiles[n - 1]).toBeNull();
  });

  it('receives a ValueChange for a subscribed parameter when the device changes it', async () => {
    const changes: unknown[] = [];
    const clear = await usp.subscribe({ notif: 'ValueChange', reference: 'Device.WiFi.SSID.1.SSID' }, (msg: unknown) => changes.push(msg));
    emu.device.wifi.setSsid(0, { ...emu.device.state.wifi.main, ssid: 'Changed-Locally' });
    await expect.poll(() => JSON.stringify(changes)).toContain('Changed-Locally');
    await clear();
  });

  it('answers GetSupportedDM, GetInstances and GetSupportedProtocol', async () => {
    const dm = JSON.stringify(await usp.supportedDM('Device.WiFi.'));
    expect(dm).toContain('Device.WiFi.SSID.{i}.');
    const inst = JSON.stringify(await usp.instances('Device.WiFi.SSID.'));
    expect(inst).toContain('Device.WiFi.SSID.2.');
    expect(JSON.stringify(await usp.supportedProto('1.4'))).toContain('1.4');
  });

  it('runs the asynchronous Device.SelfTestDiagnostics() the usp-js way and reports OperationComplete', async () => {
    // usp-js's default operate(): an OperationComplete subscription with the Operate's msg_id as its ID (§3.6).
    const [op, clear] = await usp.operate('Device.SelfTestDiagnostics()');
    const done = JSON.stringify(await op({}));
    await clear();
    expect(done).toContain('Complete');
    expect(done).toContain('sim=ready');
    expect(emu.journal.query({ surface: 'usp', name: 'Device.SelfTestDiagnostics()' }).length).toBe(1);
  }, 30_000);

  it('sends ObjectCreation and ObjectDeletion to subscribers of the table', async () => {
    const seen: unknown[] = [];
    const clearC = await usp.subscribe({ notif: 'ObjectCreation', reference: 'Device.Cellular.AccessPoint.' }, (m: unknown) => seen.push(m));
    const clearD = await usp.subscribe({ notif: 'ObjectDeletion', reference: 'Device.Cellular.AccessPoint.' }, (m: unknown) => seen.push(m));
    const added = (await usp.add('Device.Cellular.AccessPoint.', { APN: 'notify.example' })) as unknown;
    const path = (Array.isArray(added) ? String(added[0]) : String(added)).replace(/\.?$/, '.');
    await usp.del(path);
    await expect.poll(() => seen.length).toBe(2);
    expect(JSON.stringify(seen)).toContain(path);
    await clearC();
    await clearD();
  });

  it('reboots with Device.Reboot() (synchronous) and comes back', async () => {
    // §3.6: Device.Reboot() is synchronous, so usp-js is told not to wait for an OperationComplete.
    const [op, clear] = await usp.operate('Device.Reboot()', { isAsync: false });
    await op({});
    await clear();
    await expect.poll(() => emu.device.power.isUp()).toBe(false);
    await expect.poll(() => emu.device.power.isUp(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => emu.journal.query({ surface: 'usp', name: 'event' }).length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('is found by usp-js without a toId when it announces its Endpoint ID (what serve --usp does)', async () => {
    const other = createTestEmulator({ profile: 'g5ts', clockMode: 'running', speed: 20 });
    try {
      const agent = await other.startUsp({ brokerUrl: broker.url, announceEndpointId: true, agentTopic: '/usp/endpoint-g5ts' });
      // usp-js reads the retained obuspa/EndpointID to learn its toId (§3.6); its requests go to /usp/endpoint by
      // default, so this agent is addressed by its own topic through the publish option.
      const client = await connect({ url: broker.url, username: '', password: '', protocolVersion: 5, publishEndpoint: agent.agentTopic });
      try {
        expect(await client.get('Device.LocalAgent.EndpointID')).toBe(agent.endpointId);
      } finally {
        await client.disconnect();
      }
    } finally {
      await other.close();
    }
  }, 30_000);
});
