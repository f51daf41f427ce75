import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** PEM files of a throwaway CA, a server certificate for 127.0.0.1 and a client certificate (openssl). */
export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function makePki(dir: string): TestPki {
  const f = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=routerlab test CA');
  writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('server.ext'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=routerlab device');
  ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('client.crt'), '-days', '2');
  // Mosquitto runs as its own user: it must reach the folder and read the keys.
  chmodSync(dir, 0o755);
  for (const k of ['server.key', 'client.key', 'ca.key']) chmodSync(f(k), 0o644);
  return { ca: f('ca.crt'), serverCert: f('server.crt'), serverKey: f('server.key'), clientCert: f('client.crt'), clientKey: f('client.key') };
}

export interface MosquittoOptions {
  /** A TLS listener that requires a client certificate signed by the same CA (mutual TLS). */
  tls?: TestPki;
  /** Users and passwords (mosquitto_passwd); anonymous clients are then refused. */
  users?: Record<string, string>;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'routerlab-mosquitto-'));
  // Started as root, Mosquitto drops to the `mosquitto` user, which must be able to write its persistence here.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  const auth: string[] = [];
  if (options.users) {
    const file = join(dir, 'passwords');
    for (const [user, pw] of Object.entries(options.users)) execFileSync('mosquitto_passwd', ['-b', ...(existsSync(file) ? [] : ['-c']), file, user, pw], { stdio: 'ignore' });
    chmodSync(file, 0o644);
    auth.push(`password_file ${file}`, 'allow_anonymous false');
  } else {
    auth.push('allow_anonymous true');
  }
  if (options.tls) auth.push(`cafile ${options.tls.ca}`, `certfile ${options.tls.serverCert}`, `keyfile ${options.tls.serverKey}`, 'require_certificate true');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`,
    ...auth,
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
    url: `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
