import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * ModemManager on a private session bus, with its test switches (modem-at.md §5.3): no udev, no port scan, a
 * virtual modem made with the Test interface on a UNIX socket that the emulator serves as one serial line.
 */
export class ModemManagerSession {
  #bus: ChildProcess | null = null;
  #mm: ChildProcess | null = null;
  #env: NodeJS.ProcessEnv = {};
  /** ModemManager's debug log, kept to explain a failure. */
  log = '';

  async start(): Promise<void> {
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#bus = bus;
    const address = await new Promise<string>((resolve, reject) => {
      let out = '';
      bus.once('error', reject);
      bus.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
      bus.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
      });
    });
    this.#env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
    const mm = spawn('ModemManager', ['--test-session', '--test-enable', '--test-no-udev', '--no-auto-scan', '--debug'], { env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#mm = mm;
    const keep = (d: Buffer): void => {
      this.log = (this.log + d.toString()).slice(-200_000);
    };
    mm.stdout.on('data', keep);
    mm.stderr.on('data', keep);
    await this.until(async () => {
      if (mm.exitCode !== null) throw new Error(`ModemManager exited with ${mm.exitCode}: ${this.log.slice(-2000)}`);
      return (await this.#try('gdbus', ['introspect', '--session', '--dest', 'org.freedesktop.ModemManager1', '--object-path', '/org/freedesktop/ModemManager1'])) !== null;
    }, 30_000, 'ModemManager on the session bus');
  }

  /** Create the virtual modem on `socket` with the ZTE plugin; answers its index once ModemManager lists it. */
  async addModem(socket: string): Promise<number> {
    await run('gdbus', ['call', '--session', '--dest', 'org.freedesktop.ModemManager1', '--object-path', '/org/freedesktop/ModemManager1',
      '--method', 'org.freedesktop.ModemManager1.Test.SetProfile', 'zte-emu', 'zte', `['${socket}']`], { env: this.#env, timeout: 30_000 });
    let index = -1;
    await this.until(async () => {
      const list = await this.mmcli('-L');
      const m = /Modem\/(\d+)/.exec(list);
      if (m) index = Number(m[1]);
      return m !== null;
    }, 90_000, 'the virtual modem to be listed');
    return index;
  }

  /** `mmcli --test-session ARGS`; rejects with mmcli's own error line. */
  async mmcli(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run('mmcli', ['--test-session', ...args], { env: this.#env, timeout: 60_000 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; stdout?: string; message: string };
      throw new Error(`mmcli ${args.join(' ')}: ${(err.stderr || err.stdout || err.message).trim()}`, { cause: e });
    }
  }

  /** `mmcli -K` output as key -> value ("--" is absent). */
  async keys(...args: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const line of (await this.mmcli(...args, '-K')).split('\n')) {
      const m = /^(\S+)\s*:\s?(.*)$/.exec(line);
      if (m && m[2] !== '--') out[m[1]!] = unescapeOctal(m[2]!);
    }
    return out;
  }

  /** Poll until `ok` (ModemManager works on its own wall-clock timers); rejects naming what did not happen. */
  async until(ok: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      if (await ok()) return;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; ModemManager log tail:\n${this.log.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async close(): Promise<void> {
    for (const child of [this.#mm, this.#bus]) {
      if (!child || child.exitCode !== null) continue;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 3000);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      clearTimeout(force);
    }
  }

  async #try(cmd: string, args: string[]): Promise<string | null> {
    try {
      return (await run(cmd, args, { env: this.#env, timeout: 10_000 })).stdout;
    } catch {
      // Not up yet: the caller polls again.
      return null;
    }
  }
}

/** mmcli -K writes the non-ASCII bytes of UTF-8 text as octal escapes: Grüße comes as Gr\\303\\274\\303\\237e. */
function unescapeOctal(value: string): string {
  if (!value.includes('\\')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const esc = /^\\([0-7]{3})/.exec(value.slice(i));
    if (esc) {
      bytes.push(parseInt(esc[1]!, 8));
      i += 3;
    } else {
      bytes.push(...Buffer.from(value[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
