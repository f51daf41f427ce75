import { Socket } from 'node:net';
import { SerialPortStream } from '@serialport/stream';
import type { BindingInterface } from '@serialport/bindings-interface';
import { BenchError } from '../errors.js';
import type { ByteTransport } from './byte-transport.js';

// ByteTransport implementations. The in-process LoopbackTransport lives with the emulator driver.

/** Listener bookkeeping and the open/closed state every transport shares. */
export abstract class BaseTransport implements ByteTransport {
  abstract readonly name: string;
  isOpen = false;
  #data = new Set<(chunk: string) => void>();
  #close = new Set<(error?: Error) => void>();
  #closed = false;

  abstract open(): Promise<void>;
  abstract write(data: string): Promise<void>;
  abstract close(): Promise<void>;

  onData(fn: (chunk: string) => void): () => void {
    this.#data.add(fn);
    return () => this.#data.delete(fn);
  }

  onClose(fn: (error?: Error) => void): () => void {
    this.#close.add(fn);
    return () => this.#close.delete(fn);
  }

  protected emitData(chunk: string): void {
    for (const fn of this.#data) fn(chunk);
  }

  protected emitClose(error?: Error): void {
    this.isOpen = false;
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#close) fn(error);
  }

  /** A transport can be opened again after it closed (a modem that re-enumerated). */
  protected reopened(): void {
    this.#closed = false;
    this.isOpen = true;
  }

  protected assertOpen(): void {
    if (!this.isOpen) throw new BenchError('TRANSPORT_CLOSED', `[hil:transport] ${this.name} is not open; open() it first`);
  }
}

/** TCP (ser2net-style, the emulator's --modem-tcp). */
export class TcpTransport extends BaseTransport {
  readonly name: string;
  #socket: Socket | null = null;

  constructor(readonly host: string, readonly port: number) {
    super();
    this.name = `tcp:${host}:${port}`;
  }

  async open(): Promise<void> {
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (e) => reject(new BenchError('TRANSPORT_OPEN_FAILED', `[hil:tcp] cannot connect to ${this.host}:${this.port} (${(e as NodeJS.ErrnoException).code ?? e.message})`, { cause: e })));
      socket.connect(this.port, this.host, () => resolve());
    });
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.emitData(d.toString('latin1')));
    socket.on('close', () => this.emitClose());
    // Errors after connecting end the link; 'close' reports it.
    socket.on('error', () => undefined);
    this.#socket = socket;
    this.isOpen = true;
  }

  async write(data: string): Promise<void> {
    this.assertOpen();
    await new Promise<void>((resolve, reject) => this.#socket!.write(data, 'latin1', (e) => (e ? reject(new BenchError('TRANSPORT_CLOSED', `[hil:tcp] write failed: ${e.message}`, { cause: e })) : resolve())));
  }

  close(): Promise<void> {
    this.#socket?.destroy();
    this.emitClose();
    return Promise.resolve();
  }
}

/** A serial port through serialport: a real device, a pseudo-terminal, or any binding (e.g. the mock). */
export class SerialTransport extends BaseTransport {
  readonly name: string;
  #port: SerialPortStream | null = null;
  #closing = false;

  constructor(readonly path: string, readonly options: { baudRate?: number; binding?: BindingInterface } = {}) {
    super();
    this.name = path;
  }

  async open(): Promise<void> {
    const binding = this.options.binding ?? (await defaultBinding());
    const port = new SerialPortStream({ binding, path: this.path, baudRate: this.options.baudRate ?? 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) =>
      port.open((e) => (e ? reject(new BenchError('TRANSPORT_OPEN_FAILED', `[hil:serial] cannot open ${this.path} (${e.message}); check the path and permissions`, { cause: e })) : resolve())),
    );
    this.#closing = false;
    port.on('data', (d: Buffer) => this.emitData(d.toString('latin1')));
    port.on('close', (e?: Error) => {
      // A close we did not ask for is the device going away (USB re-enumeration, cable, reboot).
      const error = e ?? (this.#closing ? undefined : new BenchError('TRANSPORT_CLOSED', `[hil:serial] ${this.path} disappeared`));
      this.emitClose(error);
    });
    // A device that disappears raises 'error' then 'close'; 'close' reports it.
    port.on('error', () => undefined);
    this.#port = port;
    this.reopened();
  }

  async write(data: string): Promise<void> {
    this.assertOpen();
    await new Promise<void>((resolve, reject) =>
      this.#port!.write(Buffer.from(data, 'latin1'), (e) => (e ? reject(new BenchError('TRANSPORT_CLOSED', `[hil:serial] write to ${this.path} failed: ${e.message}`, { cause: e })) : resolve())),
    );
  }

  async close(): Promise<void> {
    this.#closing = true;
    const port = this.#port;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.emitClose();
  }
}

async function defaultBinding(): Promise<BindingInterface> {
  const { autoDetect } = (await import('@serialport/bindings-cpp')) as { autoDetect: () => BindingInterface };
  return autoDetect();
}
