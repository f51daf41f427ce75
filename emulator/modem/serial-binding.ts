import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface';
import type { Modem } from './modem.js';

// In-process serial port for node code that uses serialport (modem-at.md §8.2): pass the binding in the open
// options (`new SerialPort({ path, baudRate, binding })`) and the bytes go to the emulated modem, with no OS
// device. Built on @serialport/binding-mock, so it is as strict as the mock: one open at a time, closed
// ports reject, writes do not overlap.

export interface ModemBinding extends BindingInterface<MockPortBinding> {
  /** The path to open; it also shows in list() with ZTE's USB vendor id. */
  readonly path: string;
  /** Forget the mock port (MockBinding keeps ports in module state). Idempotent. */
  dispose(): void;
}

let next = 0;

export function createModemBinding(modem: Modem, options: { path?: string } = {}): ModemBinding {
  const path = options.path ?? `/dev/ttyZTEEMU${next++}`;
  MockBinding.createPort(path, { echo: false, record: false, manufacturer: 'ZTE CORPORATION', vendorId: '19d2', productId: '0016' });
  let disposed = false;
  return {
    path,
    async list(): Promise<PortInfo[]> {
      return (await MockBinding.list()).filter((p) => p.path === path);
    },
    async open(openOptions: OpenOptions): Promise<MockPortBinding> {
      const port = await MockBinding.open(openOptions);
      const at = modem.openPort((text) => {
        if (port.isOpen) port.emitData(Buffer.from(text, 'latin1'));
      });
      const write = port.write.bind(port);
      const close = port.close.bind(port);
      port.write = async (buffer: Buffer): Promise<void> => {
        await write(buffer);
        at.write(buffer);
      };
      port.close = async (): Promise<void> => {
        at.close();
        await close();
      };
      return port;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      // binding-mock has no per-port removal; recreating the path leaves a fresh, closed port behind.
      MockBinding.createPort(path, { echo: false, record: false });
    },
  };
}
