import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../../../emulator/fleet/fleet.js';
import { UspController, type UspNotification } from '../../../hil/clients/usp-controller.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../../helpers/mosquitto.js';

// A fleet of USP Agents on Debian's Mosquitto (device-management.md §3, §4): 1000 routers connect with their own
// Endpoint IDs, report Boot!, answer a Get and an Operate from one controller, and report Boot! again after a power
// outage, with the fleet on a paused virtual clock.

async function until(done: () => boolean, what: string, step?: () => void): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) {
    step?.();
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!done()) throw new Error(`gave up waiting for ${what}`);
}

const boots = (n: UspNotification[], cause?: string): Set<string> =>
  new Set(n.filter((x) => x.type === 'event' && x.body.event_name === 'Boot!' && (!cause || (x.body.params as Record<string, string>).Cause === cause)).map((x) => x.from));

describe.skipIf(!existsSync(MOSQUITTO))('a fleet of USP Agents (needs the Debian package mosquitto)', () => {
  let broker: Mosquitto;
  let fleet: Fleet;
  let ctl: UspController;
  beforeAll(async () => {
    broker = await startMosquitto();
    ctl = await UspController.connect({ url: broker.url });
    fleet = new Fleet({ count: 1000, seed: 9, clockMode: 'paused', profiles: ['mf79u', 'g5ts', 'mc888'], hibernateAfterMs: 0 });
  }, 30_000);
  afterAll(async () => {
    await fleet?.close();
    await ctl?.close();
    await broker?.close();
  });

  it('connects 1000 agents with their own Endpoint IDs, each reporting Boot!, and answers one controller', async () => {
    const started = await fleet.startUsp({ url: broker.url, connectRate: 4000 });
    expect(started).toEqual({ agents: 1000, connected: 1000 });
    await until(() => boots(ctl.notifications).size === 1000, '1000 Boot! notifications');
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => fleet.agent(i)!.endpointId));
    expect(ids.size).toBe(1000);
    expect([...boots(ctl.notifications)].every((id) => ids.has(id))).toBe(true);
    // Every agent told the controller its topic in its MQTT connect Record.
    expect(ctl.agents.size).toBe(1000);

    const agent = fleet.agent(421)!;
    const got = await ctl.get(agent.endpointId, ['Device.DeviceInfo.SerialNumber', 'Device.LocalAgent.EndpointID']);
    expect(got).toEqual({ 'Device.DeviceInfo.SerialNumber': fleet.device(421).state.identity.serialNumber, 'Device.LocalAgent.EndpointID': agent.endpointId });
    await ctl.set(agent.endpointId, 'Device.WiFi.SSID.1.', { SSID: 'Fleet-421' });
    expect(fleet.device(421).state.wifi.main.ssid).toBe('Fleet-421');
    expect(fleet.device(422).state.wifi.main.ssid).not.toBe('Fleet-421');
    // A put-away router still answers: its agent wakes it.
    expect(fleet.putAway(7)).toBe(true);
    const woken = await ctl.get(fleet.agent(7)!.endpointId, ['Device.DeviceInfo.SerialNumber']);
    expect(Object.values(woken)[0]).toBe(fleet.device(7).state.identity.serialNumber);
  }, 120_000);

  it('keeps subscriptions per agent, and after a power outage every agent reports Boot! again', async () => {
    const a = fleet.agent(10)!;
    await ctl.subscribe(a.endpointId, { id: 'ssid-watch', notifType: 'ValueChange', referenceList: ['Device.WiFi.SSID.1.SSID'] });
    fleet.device(10).wifi.setSsid(0, { ...fleet.device(10).state.wifi.main, ssid: 'Changed-10' });
    fleet.device(11).wifi.setSsid(0, { ...fleet.device(11).state.wifi.main, ssid: 'Changed-11' });
    await until(() => ctl.notifications.some((n) => n.type === 'value_change'), 'a ValueChange', () => fleet.clock.advance(1000));
    const changes = ctl.notifications.filter((n) => n.type === 'value_change');
    expect(changes.map((n) => [n.from, n.subscriptionId, n.body.param_value])).toEqual([[a.endpointId, 'ssid-watch', 'Changed-10']]);

    const before = ctl.notifications.length;
    const outage = await fleet.control.request('/api/v1/fleet/stimuli/power-outage', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ select: {}, params: {} }) });
    expect(outage.status).toBe(200);
    await until(() => boots(ctl.notifications.slice(before), 'LocalReboot').size === 1000, '1000 Boot! after the outage', () => fleet.clock.advance(5000));
    expect(fleet.uspStatus()).toMatchObject({ agents: 1000, connected: 1000, dropped: 0 });
    // The subscription outlived the reboot (it is the agent's, not the MQTT session's).
    const n = ctl.notifications.length;
    fleet.device(10).wifi.setSsid(0, { ...fleet.device(10).state.wifi.main, ssid: 'After-Outage' });
    await until(() => ctl.notifications.slice(n).some((x) => x.type === 'value_change'), 'a ValueChange after the outage', () => fleet.clock.advance(1000));
  }, 180_000);
});
