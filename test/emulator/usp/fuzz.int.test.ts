import { existsSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { SeededRandom } from '../../../emulator/state/identity.js';
import type { UspAgent } from '../../../emulator/usp/agent.js';
import { MSG, decodeMsg, decodeRecord, msgRecord, type UspMsg } from '../../../emulator/usp/records.js';
import { UspController } from '../../../hil/clients/usp-controller.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';

// Random bytes, mutated Records and well-formed requests the device must refuse, published at the agent over a real
// broker (seeded, so a failure replays): the agent never dies, answers what it can answer with USP's own errors,
// drops what it cannot, and the device's state does not move.

const CTL = 'proto::fuzz-controller';

describe.skipIf(!existsSync(MOSQUITTO))('USP Agent fuzzing (needs the Debian package mosquitto)', () => {
  let broker: Mosquitto;
  let emu: Emulator;
  let agent: UspAgent;
  let raw: MqttClient;
  const answers: UspMsg[] = [];
  beforeAll(async () => {
    broker = await startMosquitto();
    emu = createTestEmulator({ profile: 'mc888' });
    agent = await emu.startUsp({ brokerUrl: broker.url, controller: { endpointId: CTL, topic: 'fuzz/controller' } });
    raw = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'fuzzer' });
    await raw.subscribeAsync('fuzz/controller', { qos: 1 });
    raw.on('message', (_t, payload) => {
      try {
        const r = decodeRecord(payload);
        if (r.no_session_context?.payload) answers.push(decodeMsg(r.no_session_context.payload));
      } catch {
        answers.push({ header: { msg_id: 'undecodable' } });
      }
    });
  }, 30_000);
  afterAll(async () => {
    await raw?.endAsync();
    await emu?.close();
    await broker?.close();
  });

  const send = (bytes: Uint8Array): void => void raw.publish('/usp/endpoint', Buffer.from(bytes), { qos: 1, properties: { responseTopic: 'fuzz/controller' } });
  const request = (id: string, type: number, field: string, body: Record<string, unknown>): Uint8Array => msgRecord('1.4', agent.endpointId, CTL, { header: { msg_id: id, msg_type: type }, body: { request: { [field]: body } } });

  it('survives garbage and mutations, refuses bad requests in USP words, and keeps the device as it was', async () => {
    const rng = new SeededRandom(2512);
    const before = JSON.stringify(emu.device.state);
    const refused: [string, Uint8Array, number][] = [
      // [msg id, record, the err_code expected somewhere in the answer]
      ['ro', request('ro', MSG.SET, 'set', { allow_partial: false, update_objs: [{ obj_path: 'Device.DeviceInfo.', param_settings: [{ param: 'SerialNumber', value: 'X', required: true }] }] }), 7013],
      ['long', request('long', MSG.SET, 'set', { allow_partial: false, update_objs: [{ obj_path: 'Device.WiFi.SSID.1.', param_settings: [{ param: 'SSID', value: 'S'.repeat(40), required: true }] }] }), 7012],
      ['atomic', request('atomic', MSG.SET, 'set', { allow_partial: false, update_objs: [{ obj_path: 'Device.WiFi.SSID.1.', param_settings: [{ param: 'SSID', value: 'Fine', required: true }, { param: 'NoSuch', value: '1', required: true }] }] }), 7010],
      ['nosuch', request('nosuch', MSG.SET, 'set', { allow_partial: false, update_objs: [{ obj_path: 'Device.NoSuch.', param_settings: [{ param: 'A', value: '1' }] }] }), 7016],
      ['addro', request('addro', MSG.ADD, 'add', { allow_partial: false, create_objs: [{ obj_path: 'Device.DeviceInfo.', param_settings: [] }] }), 0],
      ['del', request('del', MSG.DELETE, 'delete', { allow_partial: false, obj_paths: ['Device.Cellular.AccessPoint.99.'] }), 7024],
      ['op', request('op', MSG.OPERATE, 'operate', { command: 'Device.Format()', send_resp: true }), 7026],
      ['syntax', request('syntax', MSG.GET, 'get', { param_paths: ['Device..Bad..', 'Device.WiFi.SSID.1.SSID'] }), 7008],
      ['type', msgRecord('1.4', agent.endpointId, CTL, { header: { msg_id: 'type', msg_type: 99 }, body: { request: {} } }), 7001],
    ];
    for (const [, bytes] of refused) send(bytes);
    const get = request('get', MSG.GET, 'get', { param_paths: ['Device.DeviceInfo.', 'Device.WiFi.SSID.*.SSID'] });
    for (let i = 0; i < 1500; i++) {
      const kind = i % 3;
      let bytes: Uint8Array;
      if (kind === 0) bytes = Uint8Array.from({ length: Math.floor(rng.next() * 300) }, () => Math.floor(rng.next() * 256));
      else {
        // A read or a refused write, bytes flipped, dropped or cut short.
        const base = kind === 1 ? get : refused[Math.floor(rng.next() * refused.length)]![1];
        const b = Buffer.from(base);
        for (let k = 1 + Math.floor(rng.next() * 4); k > 0; k--) b[Math.floor(rng.next() * b.length)] = Math.floor(rng.next() * 256);
        bytes = rng.next() < 0.3 ? b.subarray(0, Math.floor(rng.next() * b.length)) : b;
      }
      send(bytes);
    }
    send(new Uint8Array(300 * 1024));
    send(request('alive', MSG.GET, 'get', { param_paths: ['Device.WiFi.SSID.1.SSID'] }));
    for (let i = 0; i < 200 && !answers.some((a) => a.header?.msg_id === 'alive'); i++) await new Promise((r) => setTimeout(r, 50));

    const alive = answers.find((a) => a.header?.msg_id === 'alive');
    expect(JSON.stringify(alive?.body?.response)).toContain(emu.device.state.wifi.main.ssid);
    for (const [id, , code] of refused) {
      const a = answers.find((x) => x.header?.msg_id === id);
      expect(a, id).toBeDefined();
      if (code) expect(JSON.stringify(a), id).toContain(`"err_code":${code}`);
      else expect(a?.header?.msg_type, id).toBe(MSG.ERROR);
    }
    expect(answers.some((a) => a.header?.msg_id === 'undecodable')).toBe(false);
    expect(agent.status().dropped).toBeGreaterThan(400);
    expect(agent.status().connected).toBe(true);
    expect(JSON.stringify(emu.device.state)).toBe(before);
  }, 60_000);

  it('a controller still works after the fuzzing', async () => {
    const ctl = await UspController.connect({ url: broker.url, endpointId: CTL, topic: 'fuzz/controller2' });
    try {
      ctl.learnAgent(agent.endpointId, '/usp/endpoint');
      const got = await ctl.get(agent.endpointId, ['Device.DeviceInfo.SerialNumber']);
      expect(got['Device.DeviceInfo.SerialNumber']).toBe(emu.device.state.identity.serialNumber);
    } finally {
      await ctl.close();
    }
  });

  it('sends a Disconnect Record on a clean stop only when asked (R-MTP.7; usp-js throws on one)', async () => {
    const seen: string[] = [];
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'disconnect-watcher' });
    try {
      await watcher.subscribeAsync('fuzz/disconnect', { qos: 1 });
      watcher.on('message', (_t, payload) => seen.push(Object.keys(decodeRecord(payload)).filter((k) => k !== 'version' && k !== 'to_id' && k !== 'from_id').join()));
      for (const disconnectRecord of [false, true]) {
        const other = createTestEmulator({ profile: 'mf79u' });
        await other.startUsp({ brokerUrl: broker.url, agentTopic: `fuzz/agent-${String(disconnectRecord)}`, controller: { endpointId: CTL, topic: 'fuzz/disconnect' }, disconnectRecord });
        await other.close();
      }
      await expect.poll(() => seen.filter((k) => k === 'mqtt_connect').length).toBe(2);
      await expect.poll(() => seen.includes('disconnect')).toBe(true);
      expect(seen.filter((k) => k === 'disconnect')).toHaveLength(1);
      expect(seen.filter((k) => k === 'mqtt_connect')).toHaveLength(2);
    } finally {
      await watcher.endAsync();
    }
  });
});
