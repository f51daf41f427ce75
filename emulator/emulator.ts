import { getRequestListener } from '@hono/node-server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BenchError } from '../hil/errors.js';
import { VirtualClock, type ClockMode } from './clock/virtual-clock.js';
import { FileShare } from './http/file-share.js';
import { createGoformApp, type GoformApp, type UnhandledPolicy } from './http/goform-app.js';
import { Device } from './state/device.js';
import { loadProfile } from './state/profile.js';

export interface EmulatorOptions {
  /** Device profile name from fixtures/profiles (default 'mf79u'). Unknown names throw CONFIG_INVALID. */
  profile?: string;
  /** Seed for identities and every random choice; same seed + same steps = same answers. Default 1. */
  seed?: number;
  /** 'running' follows wall time x speed (default); 'paused' moves only with clock.advance(). */
  clockMode?: ClockMode;
  /** Virtual seconds per wall second while running. Default 1. */
  speed?: number;
  /** Virtual epoch ms at start. Default: fixed 2026-01-01T00:00Z when paused, now when running. */
  originMs?: number;
  /** Login password; default the profile's (admin). */
  password?: string;
  /** Folder for shared files; default a temporary folder deleted on close(). */
  shareDir?: string;
  /** Policy for unimplemented goformIds and paths. Default 'warn'. */
  onUnhandled?: UnhandledPolicy;
}

export interface Emulator {
  readonly device: Device;
  readonly clock: VirtualClock;
  readonly goform: GoformApp;
  readonly share: FileShare | null;
  /** Serve the goform API; resolves with the bound URL. Rejects with CONFIG_INVALID when the port is taken. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Stop listening, stop the clock, remove a temporary share folder. Idempotent. */
  close(): Promise<void>;
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const profile = loadProfile(options.profile ?? 'mf79u');
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new BenchError('INVALID_ARGUMENT', `[emulator] seed must be a non-negative integer, got ${seed}`);
  }
  const clock = new VirtualClock({
    mode: options.clockMode ?? 'running',
    speed: options.speed ?? 1,
    ...(options.originMs === undefined ? {} : { originMs: options.originMs }),
  });
  const device = new Device({ profile, clock, seed, ...(options.password === undefined ? {} : { password: options.password }) });
  const share = profile.keyGroups.includes('httpshare') ? new FileShare(device, options.shareDir) : null;
  const goform = createGoformApp({ device, share, ...(options.onUnhandled ? { onUnhandled: options.onUnhandled } : {}) });
  let server: Server | undefined;
  let closed = false;

  return {
    device,
    clock,
    goform,
    share,
    async listen({ host = '127.0.0.1', port = 8080 } = {}) {
      if (server) throw new BenchError('INVALID_ARGUMENT', '[emulator] already listening; close() first');
      const honoListener = getRequestListener(goform.app.fetch);
      const s = createServer(function goformListener(incoming, outgoing) {
        if (!goform.fastRead(incoming, outgoing)) void honoListener(incoming, outgoing);
      });
      server = s;
      return new Promise<string>((resolve, reject) => {
        s.once('error', (e: NodeJS.ErrnoException) => {
          server = undefined;
          reject(new BenchError('CONFIG_INVALID', `[emulator] cannot listen on ${host}:${port} (${e.code ?? e.message}); pick another --port`, { cause: e }));
        });
        s.listen(port, host, () => {
          const info = s.address() as AddressInfo;
          const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
          resolve(`http://${shownHost}:${info.port}`);
        });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const s = server;
      server = undefined;
      if (s) {
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      device.close();
      clock.close();
      share?.close();
    },
  };
}
