import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BenchError, connectTarget } from '../../../hil/index.js';
import { createEmulator } from '../../../emulator/index.js';
import { defineScenario, runScenario } from '../../../scenarios/index.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';

// A scenario acting as a USP Controller (issue #25): get, set, a refused set, add subscriptions, operate, and
// expectations on notifications, through the SDK's usp capability against the emulator's agent on Mosquitto.

describe.skipIf(!existsSync(MOSQUITTO))('usp steps in scenarios (needs the Debian package mosquitto)', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  const scenario = defineScenario({
    name: 'USP controller',
    requires: ['usp', 'router', 'state'],
    device: { profile: 'mc888', seed: 4 },
    clock: { mode: 'virtual', speed: 50 },
    steps: [
      { expect: { uspNotify: 'Boot!', field: 'params.Cause', equals: 'LocalReboot', within: '30s' } },
      { expect: { usp: 'Device.DeviceInfo.ProductClass', equals: 'MC888' } },
      { usp: { op: 'set', path: 'Device.WiFi.SSID.1.', params: { SSID: 'From-USP' } } },
      { expect: { state: 'wifi.main.ssid', equals: 'From-USP' } },
      { expect: { journal: { surface: 'usp', name: 'Device.WiFi.SSID.1.SSID' }, count: { min: 1, max: 1 } } },
      { name: 'a read-only parameter is refused', usp: { op: 'set', path: 'Device.DeviceInfo.', params: { SerialNumber: 'X' }, error: 7004 } },
      { usp: { op: 'add', path: 'Device.LocalAgent.Subscription.', params: { ID: 'ssid', NotifType: 'ValueChange', ReferenceList: 'Device.WiFi.SSID.1.SSID' } } },
      { goform: 'SET_WIFI_SSID1_SETTINGS', fields: { ssid: 'From-WebUI', broadcastSsidEnabled: '0', MAX_Access_num: '10', security_mode: 'WPA2PSK', cipher: '1', NoForwarding: '0', security_shared_mode: '1', passphrase: 'MTIzNDU2Nzg=' } },
      { expect: { uspNotify: 'ValueChange', field: 'param_value', equals: 'From-WebUI', within: '30s' } },
      { usp: { op: 'add', path: 'Device.LocalAgent.Subscription.', params: { ID: 'selftest', NotifType: 'OperationComplete', ReferenceList: 'Device.SelfTestDiagnostics()' } } },
      { usp: { op: 'operate', path: 'Device.SelfTestDiagnostics()' } },
      { expect: { uspNotify: 'OperationComplete', field: 'req_output_args.output_args.Status', equals: 'Complete', within: '1m' } },
      { name: 'an unknown command is refused', usp: { op: 'operate', path: 'Device.Format()', error: 7026 } },
    ],
  });

  it('runs get, set, add, operate and notification expectations against the emulator', async () => {
    const result = await runScenario('usp.yaml', scenario, { target: () => connectTarget({ kind: 'emulator', profile: 'mc888', seed: 4, clockMode: 'running', speed: 50, usp: { url: broker.url } }) });
    const failed = result.steps.find((s) => s.status !== 'passed');
    expect(failed?.reason ?? '', `${failed?.title ?? ''}`).toBe('');
    expect(result.steps.length).toBe(13);
  }, 60_000);

  it('fails a step when the agent refuses something the scenario expected to work, with the USP error as reason', async () => {
    const bad = defineScenario({ name: 'USP refusal', requires: ['usp'], device: { profile: 'mc888', seed: 4 }, steps: [{ usp: { op: 'set', path: 'Device.DeviceInfo.', params: { SerialNumber: 'X' } } }] });
    const result = await runScenario('bad.yaml', bad, { target: () => connectTarget({ kind: 'emulator', profile: 'mc888', usp: { url: broker.url } }) });
    expect(result.steps[0]!.status).toBe('failed');
    expect(result.steps[0]!.reason).toMatch(/USP error 7004/);
  }, 60_000);

  it('gives a router target the usp capability from its config, and refuses Reboot without allowDestructive', async () => {
    // The emulator stands in for a real router here: its goform API as the router, its agent as the router's agent.
    const emu = createEmulator({ profile: 'mc888', clockMode: 'running', speed: 20 });
    try {
      const url = await emu.listen({ port: 0 });
      const agent = await emu.startUsp({ brokerUrl: broker.url, controller: { endpointId: 'proto::qa', topic: 'qa/router-target' } });
      const target = await connectTarget({ kind: 'router', url, password: 'admin', usp: { url: broker.url, endpointId: agent.endpointId, agentTopic: agent.agentTopic, controllerEndpointId: 'proto::qa', controllerTopic: 'qa/router-target' } });
      try {
        const usp = target.require('usp');
        expect(await usp.controller.get(usp.endpointId, ['Device.DeviceInfo.SerialNumber'])).toEqual({ 'Device.DeviceInfo.SerialNumber': emu.device.state.identity.serialNumber });
        await expect(usp.controller.operate(usp.endpointId, 'Device.Reboot()')).rejects.toThrow(BenchError);
        expect(emu.device.power.isUp()).toBe(true);
      } finally {
        await target.close();
      }
    } finally {
      await emu.close();
    }
  }, 60_000);
});
