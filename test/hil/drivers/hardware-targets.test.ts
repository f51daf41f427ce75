import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../../emulator/index.js';
import { createModemBinding } from '../../../emulator/modem/serial-binding.js';
import { combineTargets, connectModem, connectRouter } from '../../../hil/drivers/hardware-targets.js';
import { runTargetContract } from '../../contracts/target.contract.js';
import { hasCommand } from '../../helpers/system.js';

// The hardware drivers against emulated hardware: the router driver over real HTTP, the modem driver through
// @serialport/binding-mock and through a socat pseudo-terminal.

const emulators: Emulator[] = [];
const dir = mkdtempSync(join(tmpdir(), 'routerlab-hil-'));
afterAll(async () => {
  for (const e of emulators) await e.close();
  rmSync(dir, { recursive: true, force: true });
});
function emulator(): Emulator {
  const e = createEmulator({ onUnhandled: 'silent', clockMode: 'running', speed: 20 });
  emulators.push(e);
  return e;
}

runTargetContract({
  name: 'router driver over HTTP',
  capabilities: ['router', 'clock'],
  mutates: true,
  create: async () => connectRouter({ url: await emulator().listen({ port: 0 }), password: 'admin' }),
});

runTargetContract({
  name: 'router driver with the broker its cloud channel reports to',
  capabilities: ['router', 'clock', 'cloud'],
  mutates: true,
  create: async () => {
    const e = emulator();
    const { brokerUrl } = await e.startCloud({ brokerPort: 0 });
    return connectRouter({ url: await e.listen({ port: 0 }), password: 'admin', cloud: { url: brokerUrl, deviceId: e.device.state.id, topicPrefix: 'routerlab' } });
  },
});

runTargetContract({
  name: 'modem driver through @serialport/binding-mock',
  capabilities: ['modem', 'clock'],
  mutates: true,
  create: async () => {
    const binding = createModemBinding(emulator().modem);
    return connectModem({ path: binding.path, binding });
  },
});

runTargetContract({
  name: 'router + modem of one device (combined)',
  capabilities: ['router', 'modem', 'clock'],
  mutates: true,
  create: async () => {
    const emu = emulator();
    const binding = createModemBinding(emu.modem);
    return combineTargets(await connectRouter({ url: await emu.listen({ port: 0 }), password: 'admin' }), await connectModem({ path: binding.path, binding }));
  },
});

describe.skipIf(!hasCommand('socat'))('modem driver through a PTY (needs the Debian package socat)', () => {
  runTargetContract({
    name: 'modem driver through a socat PTY',
    capabilities: ['modem', 'clock'],
    mutates: true,
    create: async () => {
      const link = join(dir, 'ttyZTE-contract');
      await emulator().openModemPty(link);
      return connectModem({ path: link });
    },
  });
});

describe('hardware driver safety', () => {
  it('refuses destructive writes on a router unless allowed', async () => {
    const emu = emulator();
    const url = await emu.listen({ port: 0 });
    const safe = await connectRouter({ url, password: 'admin' });
    await expect(safe.require('router').set('REBOOT_DEVICE')).rejects.toThrow(/destructive on hardware; set allowDestructive/);
    expect(emu.device.power.isUp()).toBe(true);
    const allowed = await connectRouter({ url, password: 'admin', allowDestructive: true });
    await allowed.require('router').set('REBOOT_DEVICE');
    expect(emu.device.power.isUp()).toBe(false);
    await safe.close();
    await allowed.close();
  });

  it('refuses destructive AT commands on a modem unless allowed', async () => {
    const emu = emulator();
    const binding = createModemBinding(emu.modem);
    const target = await connectModem({ path: binding.path, binding });
    await expect(target.require('modem').command('AT+CFUN=1,1')).rejects.toThrow(/destructive on hardware/);
    await expect(target.require('modem').command('AT+CFUN=0')).rejects.toThrow(/allowDestructive/);
    expect(emu.device.power.isUp()).toBe(true);
    await target.close();
    const second = createModemBinding(emu.modem);
    const allowed = await connectModem({ path: second.path, binding: second, allowDestructive: true });
    await allowed.require('modem').command('AT+CFUN=1,1');
    expect(emu.device.power.isUp()).toBe(false);
    await allowed.close();
  });

  it('reconnects when the modem re-enumerates within the timeout', async () => {
    const emu = emulator();
    const binding = createModemBinding(emu.modem);
    const target = await connectModem({ path: binding.path, binding, reconnectTimeoutMs: 3000 });
    const session = target.require('modem');
    await binding.unplug();
    await expect(session.command('AT')).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
    setTimeout(() => binding.plug(), 300);
    await expect.poll(async () => (await session.command('AT+CGMI').catch(() => ({ lines: [] }))).lines[0]).toBe('ZTE CORPORATION');
    expect(target.broken).toBe(false);
    await target.close();
  });

  it('marks the modem target broken when the port does not come back in time, until reset()', async () => {
    const emu = emulator();
    const binding = createModemBinding(emu.modem);
    const target = await connectModem({ path: binding.path, binding, reconnectTimeoutMs: 400 });
    await binding.unplug();
    await expect.poll(() => target.broken).toBe(true);
    expect(() => target.require('modem')).toThrow(expect.objectContaining({ code: 'TARGET_BROKEN' }));
    target.reset();
    expect(target.require('modem')).toBeDefined();
    await target.close();
  });

  it('instruments: a second modem sends the incoming SMS, a command hook cycles power', async () => {
    const dut = emulator();
    const senderEmu = emulator();
    const binding = createModemBinding(senderEmu.modem);
    const target = await connectRouter({ url: await dut.listen({ port: 0 }), password: 'admin', instruments: { smsModemPath: binding.path, smsModemBinding: binding, powerCycleCommand: 'true' } });
    expect(target.describe().capabilities.sort()).toEqual(['clock', 'power', 'router', 'stimuli']);
    await target.require('stimuli').apply('sms', { text: 'from the bench modem' });
    expect(senderEmu.device.state.sms.messages).toEqual([expect.objectContaining({ number: dut.device.state.identity.msisdn, text: 'from the bench modem', tag: 2 })]);
    await expect(target.require('stimuli').apply('signal', { bars: 1 })).rejects.toMatchObject({ code: 'CAPABILITY_MISSING' });
    await target.require('power').cycle();
    await target.close();
  });

  it('instruments: a failing power hook marks the target broken', async () => {
    const target = await connectRouter({ url: await emulator().listen({ port: 0 }), password: 'admin', instruments: { powerCycleCommand: 'echo relay stuck >&2; exit 3' } });
    await expect(target.require('power').cycle()).rejects.toThrow(/relay stuck/);
    expect(() => target.require('router')).toThrow(expect.objectContaining({ code: 'TARGET_BROKEN' }));
    await target.close();
  });

  it('reads target configs from fixtures/targets and shorthands', async () => {
    const { parseTarget } = await import('../../../hil/connect.js');
    expect(parseTarget('fixtures/targets/emulator-mc888.json')).toEqual({ kind: 'emulator', profile: 'mc888', seed: 7 });
    expect(parseTarget('fixtures/targets/bench-router.json')).toMatchObject({ kind: 'router', instruments: { smsModemPath: '/dev/ttyUSB5' } });
    expect(parseTarget('router:http://192.168.0.1?password=pw&allowDestructive=true')).toEqual({ kind: 'router', url: 'http://192.168.0.1', password: 'pw', allowDestructive: true });
    expect(parseTarget('modem:auto')).toEqual({ kind: 'modem', path: 'auto' });
    expect(parseTarget('router:http://192.168.0.1?password=pw+modem:/dev/ttyUSB2')).toEqual({ kind: 'combined', router: { kind: 'router', url: 'http://192.168.0.1', password: 'pw' }, modem: { kind: 'modem', path: '/dev/ttyUSB2' } });
    expect(parseTarget('emulator:http://127.0.0.1:8081')).toEqual({ kind: 'emulator', controlUrl: 'http://127.0.0.1:8081' });
    expect(() => parseTarget('router:http://192.168.0.1')).toThrow(/password/);
    expect(() => parseTarget('toaster')).toThrow(/unknown target "toaster"/);
  });

  it('fails to connect a modem on a port that does not answer AT', async () => {
    await expect(connectModem({ path: join(dir, 'no-such-tty') })).rejects.toMatchObject({ code: 'TRANSPORT_OPEN_FAILED' });
  });
});
