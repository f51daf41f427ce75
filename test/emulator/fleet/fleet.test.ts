import { afterEach, describe, expect, it } from 'vitest';
import { Fleet, shardRange } from '../../../emulator/fleet/fleet.js';
import { isLuhnValid } from '../../../emulator/state/identity.js';
import { startEmbeddedBroker } from '../../../emulator/cloud/broker.js';
import { CloudClient, UbusClient } from '../../../hil/index.js';
import type { Emulator } from '../../../emulator/index.js';
import { TestClient, withState } from '../../helpers/emulator.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const paused = { clockMode: 'paused' as const };

describe('fleet', () => {
  it('derives identity from (seed, index) only: same index, same router; other index or seed, another', () => {
    fleet = new Fleet({ count: 1000, seed: 5, ...paused });
    const again = new Fleet({ count: 50, seed: 5, shard: { index: 0, total: 1 }, ...paused });
    const other = new Fleet({ count: 1000, seed: 6, ...paused });
    try {
      const a = fleet.identityOf(42);
      expect(again.identityOf(42)).toEqual(a);
      expect(fleet.device(42).state.identity).toEqual(a);
      expect(fleet.identityOf(43).imei).not.toBe(a.imei);
      expect(other.identityOf(42).imei).not.toBe(a.imei);
      expect(isLuhnValid(a.imei) && isLuhnValid(a.iccid)).toBe(true);
      const imeis = new Set(Array.from({ length: 1000 }, (_, i) => fleet!.identityOf(i).imei));
      expect(imeis.size).toBe(1000);
      expect(fleet.deviceId(42)).toBe('rl-000042');
    } finally {
      void again.close();
      void other.close();
    }
  });

  it('splits the index range into disjoint shards that together cover the fleet', () => {
    for (const [n, k] of [[10, 3], [100000, 7], [5, 5]] as const) {
      const ranges = Array.from({ length: k }, (_, i) => shardRange(n, { index: i, total: k }));
      expect(ranges[0]!.start).toBe(0);
      expect(ranges.at(-1)!.end).toBe(n);
      for (let i = 1; i < k; i++) expect(ranges[i]!.start).toBe(ranges[i - 1]!.end);
    }
    expect(() => new Fleet({ count: 10, shard: { index: 3, total: 3 } })).toThrow(/shard must be k\/K/);
    expect(() => new Fleet({ count: 0 })).toThrow(/count must be/);
    expect(() => new Fleet({ count: 5, profiles: ['nope'] })).toThrow(/no profiles fixture "nope"/);
  });

  it('makes devices on demand, puts quiet ones away compressed, and wakes them with time caught up', () => {
    fleet = new Fleet({ count: 100, hibernateAfterMs: 120_000, ...paused });
    expect(fleet.liveCount).toBe(0);
    const d = fleet.device(7);
    d.network.setRegistration('roaming');
    withState(d, (s) => {
      s.battery.chargerConnected = false;
      s.battery.level = s.battery.percent = 80;
    });
    expect(fleet.liveCount).toBe(1);
    fleet.clock.advance(3 * 60_000);
    expect(fleet.liveCount).toBe(0);
    expect(fleet.storedCount).toBe(1);
    fleet.clock.advance(60 * 60_000);
    const woken = fleet.device(7);
    expect(woken).not.toBe(d);
    expect(woken.state.radio.registration).toBe('roaming');
    // An hour and more away from the charger: the battery drained as if the device had run all along.
    expect(woken.state.battery.level).toBeLessThan(80);
    expect(fleet.wakes).toBe(1);
  });

  it('never puts away a device with a pending SET_NETWORK; once done and quiet it is, and wakes with the selection', async () => {
    fleet = new Fleet({ count: 10, hibernateAfterMs: 60_000, ...paused });
    const router = fleet.router(3);
    const client = new TestClient({ goform: router.goform, device: router.device } as unknown as Emulator);
    await client.login();
    expect(await client.set('SET_NETWORK', { NetworkNumber: '20801', Rat: '7' })).toEqual({ result: 'success' });
    // The selection is due in 3 virtual seconds: the device is busy and cannot be put away.
    expect(router.device.busy()).toBe(true);
    expect(fleet.putAway(3)).toBe(false);
    // 3 s to the selection, then roaming without data roaming hangs up (0.5 s).
    fleet.clock.advance(4000);
    expect(router.device.busy()).toBe(false);
    fleet.clock.advance(3 * 60_000);
    expect(fleet.storedCount).toBe(1);
    const woken = fleet.device(3);
    expect(woken).not.toBe(router.device);
    expect(woken.state.network).toMatchObject({ selectionMode: 'manual_select', manualNetwork: { numeric: '20801', rat: 7 }, scan: { result: 'manual_success' } });
    expect(woken.state.radio.registration).toBe('roaming');
  });

  it('gives fleet devices the journal and the unhandled policy of the fleet', async () => {
    fleet = new Fleet({ count: 10, onUnhandled: 'error', ...paused });
    const router = fleet.router(2);
    const port = router.modem.openPort(() => undefined);
    port.write('AT+CSQ\rAT+NOSUCH\r');
    const res = await router.goform.app.request('/goform/goform_set_cmd_process', { method: 'POST', body: 'goformId=NO_SUCH_ID' });
    expect(res.status).toBe(500);
    expect(router.unhandled.errors).toEqual(['at: AT+NOSUCH', 'goform: goformId=NO_SUCH_ID']);
    expect(fleet.journal.query({ deviceId: 'rl-000002', surface: 'at' }).map((e) => e.name)).toContain('AT+CSQ');
    port.close();
  });

  it('serves the control API over the whole fleet without waking devices to list them', async () => {
    fleet = new Fleet({ count: 1000, seed: 9, profiles: ['mix'], ...paused });
    const list = await fleet.control.request('/api/v1/devices?offset=10&limit=5');
    expect(list.headers.get('x-total-count')).toBe('1000');
    const items = (await list.json()) as { id: string; imei: string; profile: string }[];
    expect(items.map((i) => i.id)).toEqual(['rl-000010', 'rl-000011', 'rl-000012', 'rl-000013', 'rl-000014']);
    expect(new Set((await (await fleet.control.request('/api/v1/devices?limit=50')).json() as { profile: string }[]).map((i) => i.profile)).size).toBeGreaterThan(1);
    expect(fleet.liveCount).toBe(0);
    const one = (await (await fleet.control.request('/api/v1/devices/rl-000012')).json()) as { imei: string };
    expect(one.imei).toBe(items[2]!.imei);
    expect((await fleet.control.request('/api/v1/devices/rl-001000')).status).toBe(404);
    const sig = await fleet.control.request('/api/v1/devices/rl-000012/stimuli/signal', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ bars: 1 }) });
    expect(sig.status).toBe(200);
    expect(fleet.device(12).state.radio.rsrpDbm).toBe(-115);
  });

  it('applies a stimulus to a deterministic share of the fleet', async () => {
    fleet = new Fleet({ count: 2000, ...paused });
    const post = async (body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const r = await fleet!.control.request('/api/v1/fleet/stimuli/registration', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    const r = await post({ select: { percent: 10, seed: 1 }, params: { registration: 'roaming' } });
    expect(r.status).toBe(200);
    const selected = r.json.selected as number;
    expect(selected).toBeGreaterThan(150);
    expect(selected).toBeLessThan(250);
    expect(r.json.applied).toBe(selected);
    // The answer names the devices it reached: exactly those roam now.
    const ids = r.json.ids as string[];
    expect(ids).toHaveLength(selected);
    const roamingIds: string[] = [];
    for (let i = 0; i < 2000; i++) if (fleet.device(i).state.radio.registration === 'roaming') roamingIds.push(fleet.deviceId(i));
    expect(roamingIds).toEqual(ids);
    const bad = await post({ select: { percent: 0 }, params: { registration: 'roaming' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toMatch(/body\.select\.percent/);
    const range = await post({ select: { from: 10, to: 20 }, params: { registration: 'home' } });
    expect(range.json.selected).toBe(10);
  });

  it('installs one rule on a share of the fleet, each device counting its own, kept while a device is put away', async () => {
    fleet = new Fleet({ count: 200, ...paused });
    const r = await fleet.control.request('/api/v1/fleet/rules', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ select: { from: 0, to: 3 }, rule: { surface: 'goform', match: { name: 'signalbar' }, action: { kind: 'patch', fields: { signalbar: '0' } } } }) });
    const body = (await r.json()) as { selected: number; rules: { device: string; rule: string }[] };
    expect(body.rules).toEqual([{ device: 'rl-000000', rule: 'r1' }, { device: 'rl-000001', rule: 'r1' }, { device: 'rl-000002', rule: 'r1' }]);
    expect(fleet.putAway(1)).toBe(true);
    const rules = (await (await fleet.control.request('/api/v1/devices/rl-000001/rules')).json()) as { id: string }[];
    expect(rules.map((x) => x.id)).toEqual(['r1']);
    const cleared = await fleet.control.request('/api/v1/fleet/rules', { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ select: { to: 2 } }) });
    expect(((await cleared.json()) as { devices: string[] }).devices).toEqual(['rl-000000', 'rl-000001']);
    expect(((await (await fleet.control.request('/api/v1/devices/rl-000002/rules')).json()) as unknown[]).length).toBe(1);
  });

  it("serves each device's goform API on its own loopback address", async () => {
    fleet = new Fleet({ count: 5, seed: 3, ...paused });
    const r = await fleet.listenGoform({ addressBase: '127.77.0.1', port: 0 });
    expect(r.first).toMatch(/^http:\/\/127\.77\.0\.1:\d+$/);
    expect(r.last).toMatch(/^http:\/\/127\.77\.0\.5:\d+$/);
    const list = (await (await fleet.control.request('/api/v1/devices')).json()) as { goformUrl: string; imei: string }[];
    for (const d of list) {
      // The MF79U generation: base64 password, session cookie (goform-api.md §2).
      const login = await fetch(`${d.goformUrl}/goform/goform_set_cmd_process`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `isTest=false&goformId=LOGIN&password=${Buffer.from('admin').toString('base64')}` });
      expect(await login.json()).toEqual({ result: '0' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const res = await fetch(`${d.goformUrl}/goform/goform_get_cmd_process?cmd=imei`, { headers: { Cookie: cookie } });
      expect(await res.json()).toEqual({ imei: d.imei });
    }
    expect(new Set(fleet.journal.query({ surface: 'goform' }).map((e) => e.deviceId))).toEqual(new Set(['rl-000000', 'rl-000001', 'rl-000002', 'rl-000003', 'rl-000004']));
  });

  it('serves ubus on the routers of ZWRT profiles and goform on the others, each with its own identity', async () => {
    fleet = new Fleet({ count: 6, seed: 4, profiles: ['g5ts', 'mf79u', 'u60pro'], ...paused });
    await fleet.listenGoform({ addressBase: '127.78.0.1', port: 0 });
    const list = (await (await fleet.control.request('/api/v1/devices')).json()) as { goformUrl: string; imei: string; api: string; profile: string }[];
    expect(new Set(list.map((d) => d.api))).toEqual(new Set(['goform', 'ubus']));
    for (const d of list) {
      const ubus = await fetch(`${d.goformUrl}/ubus/`, { method: 'POST', headers: { Referer: `${d.goformUrl}/` }, body: '[{"jsonrpc":"2.0","id":1,"method":"call","params":["00000000000000000000000000000000","zwrt_web","web_login_info",{}]}]' });
      if (d.api === 'ubus') {
        expect(ubus.status).toBe(200);
        expect(((await ubus.json()) as { result: [number] }[])[0]!.result[0]).toBe(0);
        const client = new UbusClient({ baseUrl: d.goformUrl, password: 'admin' });
        await client.login();
        expect(await client.call('zwrt_zte_mdm.api', 'get_imei')).toEqual({ imei: d.imei });
      } else {
        expect(ubus.status).toBe(404);
      }
    }
    expect(fleet.journal.query({ surface: 'ubus', name: 'zwrt_zte_mdm.api.get_imei' }).length).toBe(list.filter((d) => d.api === 'ubus').length);
  });

  it('gives every device of the shard a cloud channel with its own topics', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    const cloud = await CloudClient.connect({ url: broker.url });
    try {
      await cloud.watch();
      fleet = new Fleet({ count: 40, shard: { index: 1, total: 2 }, ...paused });
      const started = await fleet.startCloud({ url: broker.url, telemetryIntervalMs: 10_000 });
      expect(started.connected).toBe(20);
      fleet.clock.advance(10_000);
      await cloud.waitFor(() => new Set(cloud.received().filter((m) => m.topic.endsWith('/telemetry')).map((m) => m.topic)).size === 20, 10_000);
      const ids = new Set(cloud.received().map((m) => (m.payload as { deviceId: string }).deviceId));
      expect([...ids].sort()).toEqual(Array.from({ length: 20 }, (_, i) => fleet!.deviceId(20 + i)));
      expect(cloud.received().every((m) => m.invalid === null)).toBe(true);
      const answer = await cloud.command('rl-000025', { command: 'info' });
      expect(answer).toMatchObject({ ok: true, result: { identity: { imei: fleet.identityOf(25).imei } } });
      expect(fleet.cloudStatus()).toMatchObject({ devices: 20, connected: 20, dropped: 0 });
    } finally {
      await fleet?.close();
      await cloud.close();
      await broker.close();
    }
  });
});
