import type { BindingInterface } from '@serialport/bindings-interface';
import { AtSession } from '../clients/at-session.js';
import { BenchError } from '../errors.js';
import { SerialTransport } from '../transports/transports.js';

// Serial port discovery (modem-at.md §8.3): list ports, flag ZTE devices by USB vendor id 0x19d2, and find the
// interface that answers AT. Pseudo-terminals do not show in the list; give their path explicitly.

export const ZTE_VENDOR_ID = '19d2';

export interface PortCandidate {
  path: string;
  vendorId: string;
  productId: string;
  manufacturer: string;
  serialNumber: string;
  zte: boolean;
  /** Set when probed: whether the port answered AT within the probe timeout. */
  answersAt?: boolean;
}

export interface DiscoveryOptions {
  binding?: BindingInterface | undefined;
  /** Send AT to each ZTE candidate (default false for listing, true for finding). */
  probe?: boolean | undefined;
  probeTimeoutMs?: number | undefined;
}

export async function listPorts(options: DiscoveryOptions = {}): Promise<PortCandidate[]> {
  const binding = options.binding ?? (await nativeBinding());
  let ports: Awaited<ReturnType<typeof binding.list>>;
  try {
    ports = await binding.list();
  } catch (e) {
    // The Linux binding lists ports through udevadm; a machine without udev (a container, a CI runner) has no
    // enumerable serial ports, which is what `ports` reports.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: PortCandidate[] = ports.map((p) => ({
    path: p.path,
    vendorId: (p.vendorId ?? '').toLowerCase(),
    productId: (p.productId ?? '').toLowerCase(),
    manufacturer: p.manufacturer ?? '',
    serialNumber: p.serialNumber ?? '',
    zte: (p.vendorId ?? '').toLowerCase() === ZTE_VENDOR_ID,
  }));
  // ZTE devices first, then by path; among a modem's interfaces the AT one is found by probing.
  out.sort((a, b) => Number(b.zte) - Number(a.zte) || a.path.localeCompare(b.path));
  if (options.probe) {
    // All of a modem's interfaces at once: the silent ones (diagnostics, NMEA) cost one timeout together, not each.
    await Promise.all(out.filter((c) => c.zte).map(async (c) => (c.answersAt = await answersAt(c.path, binding, options.probeTimeoutMs ?? 1500))));
  }
  return out;
}

/** The first ZTE port that answers AT; CONFIG_INVALID naming what was found when there is none. */
export async function findModemPort(options: DiscoveryOptions = {}): Promise<string> {
  const ports = await listPorts({ ...options, probe: true });
  const found = ports.find((p) => p.zte && p.answersAt);
  if (found) return found.path;
  const seen = ports.map((p) => `${p.path} (${p.vendorId || '?'}:${p.productId || '?'}${p.zte ? ', ZTE, no AT answer' : ''})`).join(', ');
  throw new BenchError('CONFIG_INVALID', `[hil:ports] no ZTE modem answering AT (vendor id 0x${ZTE_VENDOR_ID}); ports seen: ${seen || 'none'}. Give modem:/dev/ttyUSBn explicitly`);
}

async function answersAt(path: string, binding: BindingInterface, timeoutMs: number): Promise<boolean> {
  const transport = new SerialTransport(path, { binding });
  try {
    await transport.open();
    const session = new AtSession(transport, { timeoutMs });
    await session.command('AT');
    return true;
  } catch (e) {
    // A port that cannot be opened or does not answer AT is simply not the AT interface.
    if (e instanceof BenchError) return false;
    throw e;
  } finally {
    await transport.close();
  }
}

async function nativeBinding(): Promise<BindingInterface> {
  const { autoDetect } = (await import('@serialport/bindings-cpp')) as { autoDetect: () => BindingInterface };
  return autoDetect();
}
