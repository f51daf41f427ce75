import { createRequire } from 'node:module';
import * as bindingMock from '@serialport/binding-mock';
import type { MockPortBinding } from '@serialport/binding-mock';
import type { BindingInterface, OpenOptions, PortInfo } from '@serialport/bindings-interface';
import type { Modem } from './modem.js';
import { LINE_PACING } from './at-engine.js';

// The package's MockBinding, as every other importer of it sees it (MockBinding keeps its ports in module state).
// Under plain Node with tsx the specifier resolves to the package's index.d.ts (tsconfig "paths"), an empty module:
// then it is loaded by path through require.
const MockBinding = (bindingMock as Partial<typeof bindingMock>).MockBinding ?? loadMockBinding();

function loadMockBinding(): typeof bindingMock.MockBinding {
  const requireHere = createRequire(import.meta.url);
  const file = requireHere.resolve('@serialport/binding-mock').replace(/\.d\.ts$/, '.js');
  return (requireHere(file) as typeof bindingMock).MockBinding;
}

// In-process serial port for node code that uses serialport (modem-at.md §8.2): pass the binding in the open
// options (`new SerialPort({ path, baudRate, binding })`) and the bytes go to the emulated modem, with no OS
// device. Built on @serialport/binding-mock, so it is as strict as the mock: one open at a time, closed
// ports reject, writes do not overlap.

export interface ModemBinding extends BindingInterface<MockPortBinding> {
  /** The path to open; it also shows in list() with ZTE's USB vendor id. */
  readonly path: string;
  /** Forget the mock port (MockBinding keeps ports in module state). Idempotent. */
  dispose(): void;
  /** Simulate the USB device vanishing: open ports close, new opens fail until plug(). */
  unplug(): Promise<void>;
  plug(): void;
}

let next = 0;

export function createModemBinding(modem: Modem, options: { path?: string } = {}): ModemBinding {
  const path = options.path ?? `/dev/ttyZTEEMU${next++}`;
  MockBinding.createPort(path, { echo: false, record: false, manufacturer: 'ZTE CORPORATION', vendorId: '19d2', productId: '0016' });
  let disposed = false;
  let unplugged = false;
  const waiters = new Set<(e: Error) => void>();
  // What a vanished USB serial device looks like to serialport: a read failing with a disconnect error.
  const disconnect = (): Error => Object.assign(new Error(`${path} disconnected`), { disconnected: true });
  return {
    path,
    async list(): Promise<PortInfo[]> {
      return (await MockBinding.list()).filter((p) => p.path === path);
    },
    async open(openOptions: OpenOptions): Promise<MockPortBinding> {
      if (unplugged) throw new Error(`Error: ENOENT: no such file or directory, cannot open ${path}`);
      const port = await MockBinding.open(openOptions);
      // A serial port: new-message indications paced as on a real line (at-engine.ts LINE_PACING).
      const at = modem.openPort((text) => {
        if (port.isOpen) port.emitData(Buffer.from(text, 'latin1'));
      }, { indicationPacing: LINE_PACING });
      const write = port.write.bind(port);
      const close = port.close.bind(port);
      const read = port.read.bind(port);
      port.read = (buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> => {
        if (unplugged) return Promise.reject(disconnect());
        return Promise.race([read(buffer, offset, length), new Promise<never>((_resolve, reject) => waiters.add(reject))]);
      };
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
    unplug() {
      unplugged = true;
      for (const fail of [...waiters]) fail(disconnect());
      waiters.clear();
      return Promise.resolve();
    },
    plug() {
      unplugged = false;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      // binding-mock has no per-port removal; recreating the path leaves a fresh, closed port behind.
      MockBinding.createPort(path, { echo: false, record: false });
    },
  };
}
