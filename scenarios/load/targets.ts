// What a load run points at: the ONE place that turns a target spec into goform URLs. The emulator and a fleet run
// as their own processes (so the engine and the server do not share one event loop), a running emulator or
// fleet is found through its control API, and a real router gets a low ceiling.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BenchError, parseTarget } from '../../hil/index.js';
import type { LoadTargetUrls } from './engine.js';

export interface LoadTarget extends LoadTargetUrls {
  description: string;
  /** A line to print before the run (real hardware). */
  warning: string | null;
  close(): Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/routerlab.js', import.meta.url));

/** Default ceiling on a real router: a MiFi serves its web UI from a small CPU. Raised with maxRate/maxVUs. */
export const REAL_ROUTER_LIMITS = { maxRate: 5, maxVUs: 5 };

async function spawnAndRead(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const end = Date.now() + 60_000;
  for (;;) {
    const m = ready.exec(out);
    if (m) return { child, match: m };
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new BenchError('TRANSPORT_OPEN_FAILED', `[load] routerlab ${args[0]} did not start: ${(err || out).trim().split('\n').pop() ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, SIGKILL after 5 s, and never waiting past 8 s: a lost exit report must not hang the run. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 5000);
  let gaveUp: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (gaveUp = setTimeout(r, 8000)))]);
  clearTimeout(force);
  clearTimeout(gaveUp);
}

async function devicesOf(controlUrl: string, token?: string): Promise<string[]> {
  const urls: string[] = [];
  for (let offset = 0; ; offset += 1000) {
    let res: Response;
    try {
      res = await fetch(`${controlUrl}/api/v1/devices?offset=${offset}&limit=1000`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    } catch (e) {
      throw new BenchError('TRANSPORT_OPEN_FAILED', `[load] the control API at ${controlUrl} does not answer`, { cause: e });
    }
    if (!res.ok) throw new BenchError('HTTP_STATUS', `[load] ${controlUrl}/api/v1/devices answered HTTP ${res.status}`);
    const page = (await res.json()) as { goformUrl?: string }[];
    for (const d of page) if (d.goformUrl) urls.push(d.goformUrl);
    if (page.length < 1000) break;
  }
  if (urls.length === 0) throw new BenchError('CONFIG_INVALID', `[load] no device at ${controlUrl} serves goform (start the fleet with --goform-base-port or --goform-address-base)`);
  return urls;
}

/**
 * `emulator[:profile]` (a `routerlab serve` started for the run), `fleet:N[:profile]` (a `routerlab fleet` of N
 * with a goform port per device), `emulator:http://host:8081` (a running emulator or fleet, through its control
 * API), `router:http://192.168.0.1?password=...` (a real router, capped), or a plain `http://host:port` goform URL.
 */
export async function openLoadTarget(spec: string, options: { password?: string | undefined; unlimited?: boolean; token?: string | undefined } = {}): Promise<LoadTarget> {
  const password = options.password ?? 'admin';
  const config = parseTarget(spec, { password: options.password });
  if (config.kind === 'emulator' && !config.controlUrl) {
    const args = ['serve', '--port', '0', '--control-port', '0', '--no-cloud', '--journal-size', '1000', ...(config.profile ? ['--profile', config.profile] : [])];
    const { child, match } = await spawnAndRead(args, /(?:goform|ubus) listening on (\S+)/);
    return { description: `emulator ${config.profile ?? 'mf79u'} (pid ${child.pid})`, urls: [match[1]!], password, warning: null, close: () => stop(child) };
  }
  if (config.kind === 'fleet') {
    const n = config.count;
    if (n < 1 || n > 5000) throw new BenchError('CONFIG_INVALID', `[load] fleet:${n}: from 1 to 5000 devices (one goform listener each)`);
    const args = ['fleet', '--count', String(n), '--no-cloud', '--control-port', '0', '--goform-address-base', '127.0.100.1', '--goform-port', '0', '--status-every', '0', '--tick', '10s', ...(config.profiles ? ['--profile', config.profiles.join(',')] : [])];
    const { child, match } = await spawnAndRead(args, /control api listening on (\S+)\/api\/v1[\s\S]*(?:goform|ubus)\S* listening on/);
    try {
      const urls = await devicesOf(match[1]!);
      return { description: `fleet of ${n} (pid ${child.pid})`, urls, password, warning: null, close: () => stop(child) };
    } catch (e) {
      await stop(child);
      throw e;
    }
  }
  if (config.kind === 'emulator' && config.controlUrl) {
    const base = config.controlUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
    return { description: `emulator at ${base}`, urls: await devicesOf(base, options.token), password, warning: null, close: () => Promise.resolve() };
  }
  if (config.kind === 'router') {
    const url = new URL(config.url);
    const pw = config.password;
    const limits = options.unlimited ? {} : REAL_ROUTER_LIMITS;
    return {
      description: `router at ${url.origin}`,
      urls: [url.origin],
      password: pw,
      ...limits,
      warning: options.unlimited
        ? `warning: load against a real router at ${url.origin} without limits (--unlimited); it may stop answering until rebooted`
        : `warning: load against a real router at ${url.origin}: capped at ${REAL_ROUTER_LIMITS.maxRate} iterations/s and ${REAL_ROUTER_LIMITS.maxVUs} VUs per scenario (--unlimited lifts the cap)`,
      close: () => Promise.resolve(),
    };
  }
  if (config.kind === 'goform') return { description: `goform at ${config.url}`, urls: [config.url], password, warning: null, close: () => Promise.resolve() };
  throw new BenchError('CONFIG_INVALID', `[load] a ${config.kind} target cannot take load; use emulator[:profile], fleet:N, emulator:<control url>, router:<url>?password=... or http://host:port`);
}
