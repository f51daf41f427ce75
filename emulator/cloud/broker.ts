// The embedded default broker: with no --mqtt URL the cloud channel talks to an in-process aedes broker on
// loopback, so it works out of the box (load-and-fleet.md §5.3: `await Aedes.createBroker()` behind
// `net.createServer(broker.handle)`).
import { Aedes } from 'aedes';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BenchError } from '../../hil/errors.js';

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly aedes: Aedes;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: { host?: string; port?: number } = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  if (!/^127\.|^localhost$|^::1$/.test(host)) throw new BenchError('CONFIG_INVALID', `[cloud] the embedded broker only listens on loopback, not ${host}`);
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      aedes.close();
      reject(new BenchError('CONFIG_INVALID', `[cloud] cannot start the embedded MQTT broker on ${host}:${options.port ?? 1883} (${e.code ?? e.message}); pick another --mqtt-port or give --mqtt URL`, { cause: e }));
    });
    server.listen(options.port ?? 1883, host, () => resolve((server.address() as AddressInfo).port));
  });
  let closed = false;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    aedes,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
