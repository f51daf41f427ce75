import { MockBinding } from '@serialport/binding-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createModemBinding } from '../../../emulator/modem/serial-binding.js';
import { findModemPort, listPorts } from '../../../hil/drivers/port-discovery.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import type { BindingInterface } from '@serialport/bindings-interface';
import type { Emulator } from '../../../emulator/index.js';

// Discovery over a bench of mock ports: a ZTE modem's AT interface, its silent diagnostic interface, and an
// unrelated USB serial adapter.

describe('serial port discovery', () => {
  let emu: Emulator;
  afterEach(async () => {
    MockBinding.reset();
    await emu.close();
  });

  function bench(): BindingInterface {
    // MockBinding's ports are module state: another test file in this worker may have left some.
    MockBinding.reset();
    emu = createTestEmulator();
    const modem = createModemBinding(emu.modem, { path: '/dev/ttyUSB2' });
    MockBinding.createPort('/dev/ttyUSB0', { vendorId: '19d2', productId: '0016', manufacturer: 'ZTE,Incorporated' });
    MockBinding.createPort('/dev/ttyUSB9', { vendorId: '0403', productId: '6001', manufacturer: 'FTDI' });
    // One binding that lists every mock port and opens the modem's through the emulator.
    return { list: () => MockBinding.list(), open: (o) => (o.path === modem.path ? modem.open(o) : MockBinding.open(o)) };
  }

  it('lists ports with vendor and product ids, ZTE first, and probes ZTE interfaces with AT', async () => {
    const ports = await listPorts({ binding: bench(), probe: true, probeTimeoutMs: 1000 });
    expect(ports.map((p) => [p.path, p.zte, p.answersAt])).toEqual([
      ['/dev/ttyUSB0', true, false],
      ['/dev/ttyUSB2', true, true],
      ['/dev/ttyUSB9', false, undefined],
    ]);
    expect(ports[2]).toMatchObject({ vendorId: '0403', productId: '6001' });
  });

  it('finds the ZTE interface that answers AT', async () => {
    expect(await findModemPort({ binding: bench(), probeTimeoutMs: 1000 })).toBe('/dev/ttyUSB2');
  });

  it('names what it saw when no ZTE modem answers', async () => {
    MockBinding.reset();
    emu = createTestEmulator();
    MockBinding.createPort('/dev/ttyUSB9', { vendorId: '0403', productId: '6001' });
    await expect(findModemPort({ binding: MockBinding, probeTimeoutMs: 200 })).rejects.toThrow(/no ZTE modem answering AT .* ports seen: \/dev\/ttyUSB9 \(0403:6001\)/);
  });
});
