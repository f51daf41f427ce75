import { createHash } from 'node:crypto';
import { createEmulator, computeAd, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import type { DeviceApi } from '../../emulator/state/device-api.js';
import type { DeviceState } from '../../emulator/state/device-state.js';

// Test helpers: an emulator on a paused clock, and a small goform client that speaks like the web UI
// (LD/RD/AD, the profile's password encoding, cookies) through app.request, without sockets.

/**
 * Tests run with the 'error' unhandled policy (msw's onUnhandledRequest: 'error'): a goformId, path or AT command
 * the emulator does not implement is not answered like the firmware, and test/setup.ts fails the test that asked.
 * A test that probes unimplemented requests on purpose passes its own policy.
 */
export function createTestEmulator(options: EmulatorOptions = {}): Emulator {
  const emu = createEmulator({ clockMode: 'paused', seed: 7, onUnhandled: 'error', ...options });
  created.add(emu);
  return emu;
}

const created = new Set<Emulator>();

/** What the test's emulators were asked for and do not implement; forgets them (test/setup.ts, afterEach). */
export function takeUnhandled(): string[] {
  const all = [...created].flatMap((e) => e.unhandled.errors);
  created.clear();
  return all;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex').toUpperCase();
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export type Json = Record<string, unknown> & { result?: string };

export class TestClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly emulator: Emulator,
    readonly options: { ip?: string; referer?: boolean } = {},
  ) {}

  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.options.referer !== false) headers.set('Referer', 'http://192.168.0.1/index.html');
    if (this.cookies.size > 0) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const env = { incoming: { socket: { remoteAddress: this.options.ip ?? '192.168.0.100', destroy: () => undefined } } };
    const res = await this.emulator.goform.app.request(path, { ...init, headers }, env);
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  }

  /** GET keys; an array (or a comma list) is sent with multi_data=1. */
  async get(cmd: string | string[], extra: Record<string, string> = {}): Promise<Json> {
    const multi = Array.isArray(cmd) || cmd.includes(',');
    const params = new URLSearchParams({ isTest: 'false', cmd: Array.isArray(cmd) ? cmd.join(',') : cmd, ...extra });
    if (multi) params.set('multi_data', '1');
    params.set('_', String(Date.now()));
    const res = await this.raw(`/goform/goform_get_cmd_process?${params.toString()}`);
    return JSON.parse(await res.text()) as Json;
  }

  /** POST a goformId; adds a correct AD unless `ad` is given (null = omit it). */
  async set(goformId: string, fields: Record<string, string> = {}, ad?: string | null): Promise<Json> {
    const body = new URLSearchParams({ isTest: 'false', goformId, ...fields });
    if (ad === undefined) {
      const token = await this.ad();
      if (token) body.set('AD', token);
    } else if (ad !== null) {
      body.set('AD', ad);
    }
    const res = await this.raw('/goform/goform_set_cmd_process', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: body.toString(),
    });
    return JSON.parse(await res.text()) as Json;
  }

  /** The AD token for the next write, computed as the web UI does (goform-api.md §2.7). */
  async ad(): Promise<string | undefined> {
    const kind = this.emulator.device.profile.auth.ad;
    if (kind === 'none') return undefined;
    const v = await this.get(['wa_inner_version', 'cr_version']);
    const rd = (await this.get('RD')).RD as string;
    return computeAd(kind, `${String(v.wa_inner_version)}${String(v.cr_version)}`, rd);
  }

  /** The password as this profile's web UI encodes it (goform-api.md §2.2). */
  async encodePassword(password: string): Promise<string> {
    switch (this.emulator.device.profile.auth.passwordEncoding) {
      case 'base64':
        return b64(password);
      case 'sha256-base64':
        return sha256(b64(password));
      case 'sha256-ld': {
        const ld = (await this.get('LD')).LD as string;
        return sha256(sha256(password) + ld.toUpperCase());
      }
    }
  }

  /** LOGIN, or LOGIN_MULTI_USER as the first account on multi-user firmware (goform-api.md §2.3). */
  async login(password = 'admin'): Promise<string> {
    const auth = this.emulator.device.profile.auth;
    const encoded = await this.encodePassword(password);
    const res = auth.multiUser ? await this.set('LOGIN_MULTI_USER', { user: auth.users[0]!, password: encoded }, null) : await this.set('LOGIN', { password: encoded }, null);
    return String(res.result);
  }
}

/** An emulator on a paused clock and a client already logged in to it. */
export async function startLoggedIn(options: EmulatorOptions = {}): Promise<{ emu: Emulator; client: TestClient }> {
  const emu = createTestEmulator(options);
  const client = new TestClient(emu);
  await client.login();
  return { emu, client };
}

/**
 * Test set-up of a state the device's operations do not reach directly (a SIM that is already absent, a given
 * signal): the change goes through the validated replaceState, like a control-API PATCH.
 */
export function withState(device: DeviceApi, change: (state: DeviceState) => void): void {
  const next = device.snapshot();
  change(next);
  const outcome = device.replaceState(next);
  if (outcome.refused) throw new Error(`[test] the changed state is not valid: ${outcome.message}`);
}
