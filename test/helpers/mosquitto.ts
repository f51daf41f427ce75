import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real Mosquitto broker (Debian package `mosquitto`, installed by .ci/run) on a free loopback port, started by
// the tests, with persistence in a temporary folder so a restart keeps durable sessions and their queued messages.

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Mosquitto {
  url: string;
  port: number;
  /** Stop the broker (SIGTERM: it writes its persistence file first). */
  stop(): Promise<void>;
  /** Start it again on the same port with the same persistence. */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  s.close();
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(true)));
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'routerlab-mosquitto-'));
  // Started as root, Mosquitto drops to the `mosquitto` user, which must be able to write its persistence here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    'autosave_interval 1',
    'max_queued_messages 100000',
    'log_dest none',
    '',
  ].join('\n'));
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGTERM');
    await once(c, 'exit');
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
