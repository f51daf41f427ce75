import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { UspController, UspError } from '../../../hil/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';

// Rules on the USP surface (instrument/rules.ts), through Mosquitto with the project's controller: an error rule
// answers a USP Error message with its code, matched by message type and the paths the request names.

describe.skipIf(!existsSync(MOSQUITTO))('rules on the USP Agent (needs the Debian package mosquitto)', () => {
  let broker: Mosquitto;
  let emu: Emulator;
  let ctl: UspController;
  let agentId: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    emu = createTestEmulator({ profile: 'mc888', clockMode: 'paused' });
    ctl = await UspController.connect({ url: broker.url, endpointId: 'proto::rules-ctl', topic: 'rules/controller' });
    const agent = await emu.startUsp({ brokerUrl: broker.url, controller: { endpointId: 'proto::rules-ctl', topic: 'rules/controller' } });
    agentId = agent.endpointId;
    // The agent publishes its Boot! to the controller: from then on the controller knows its topic.
    await vi.waitFor(() => expect(ctl.agents.has(agentId), 'the agent\'s Boot! reached the controller').toBe(true), { timeout: 15_000, interval: 25 });
  }, 30_000);
  afterAll(async () => {
    await ctl?.close();
    await emu?.close();
    await broker?.close();
  });

  it('refuses one Set on Wi-Fi with the rule\'s error code, changes nothing, and carries out the next one', async () => {
    const before = emu.device.state.wifi.main.ssid;
    const rule = emu.faults.rules.add({ surface: 'usp', match: { name: 'Set', params: { paths: { pattern: 'WiFi\\.SSID' } } }, action: { kind: 'error', code: 7004, message: 'denied by a rule' }, times: 1 });
    const refused = await ctl.set(agentId, 'Device.WiFi.SSID.1.', { SSID: 'Rule-Lab' }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(UspError);
    expect((refused as UspError).code).toBe(7004);
    expect(emu.device.state.wifi.main.ssid).toBe(before);
    await ctl.set(agentId, 'Device.WiFi.SSID.1.', { SSID: 'Rule-Lab' });
    expect(emu.device.state.wifi.main.ssid).toBe('Rule-Lab');
    // A Get on other paths is not matched by the rule's paths.
    emu.faults.rules.add({ surface: 'usp', match: { name: 'GET', params: { paths: { pattern: '^Device\\.Cellular' } } }, action: { kind: 'error' } });
    expect((await ctl.get(agentId, ['Device.DeviceInfo.SerialNumber']))['Device.DeviceInfo.SerialNumber']).toBe(emu.device.state.identity.serialNumber);
    await expect(ctl.get(agentId, ['Device.Cellular.Interface.1.IMEI'])).rejects.toMatchObject({ code: 7002 });
    expect(emu.journal.query({ surface: 'usp', kind: 'msg', name: 'SET' }).map((e) => e.response)[0]).toBe(`error 7004 (rule ${rule.id}: error)`);
    expect(() => emu.faults.rules.add({ surface: 'usp', action: { kind: 'answer', body: {} } })).toThrow(/a usp rule cannot answer/);
  });
});
