import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator, TestClient } from '../../helpers/emulator.js';

// goform-api.md §2: the login generations, AD, lockout and sessions.

const sha = (s: string): string => createHash('sha256').update(s).digest('hex').toUpperCase();

describe.each(['mf79u', 'mc888', 'mf823', 'mf286d'])('login on %s', (profile) => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('logs in with the profile password encoding and then reads protected keys', async () => {
    emu = createTestEmulator({ profile });
    const client = new TestClient(emu);
    expect((await client.get(['loginfo', 'imei'])).imei).toBe('');
    expect(await client.login()).toBe('0');
    const after = await client.get(['loginfo', 'imei']);
    expect(after.loginfo).toBe('ok');
    expect(after.imei).toBe(emu.device.state.identity.imei);
  });

  it('answers 3 to a wrong password and counts psw_fail_num_str down from 5', async () => {
    emu = createTestEmulator({ profile });
    const client = new TestClient(emu);
    expect(await client.login('wrong')).toBe('3');
    expect(await client.login('wrong')).toBe('3');
    expect((await client.get(['psw_fail_num_str', 'login_lock_time'])).psw_fail_num_str).toBe('3');
  });

  it('locks for 300 virtual seconds after 5 wrong passwords, then accepts the right one', async () => {
    emu = createTestEmulator({ profile });
    const client = new TestClient(emu);
    for (let i = 0; i < 5; i++) expect(await client.login('nope')).toBe('3');
    let keys = await client.get(['psw_fail_num_str', 'login_lock_time']);
    expect(keys).toEqual({ psw_fail_num_str: '0', login_lock_time: '300' });
    // During the lock even the right password fails and does not count.
    expect(await client.login()).toBe('3');
    emu.clock.advance(120_000);
    keys = await client.get(['psw_fail_num_str', 'login_lock_time']);
    expect(keys.login_lock_time).toBe('180');
    emu.clock.advance(180_000);
    keys = await client.get(['psw_fail_num_str', 'login_lock_time']);
    expect(keys).toEqual({ psw_fail_num_str: '5', login_lock_time: '-1' });
    expect(await client.login()).toBe('0');
  });

  it('refuses writes without login', async () => {
    emu = createTestEmulator({ profile });
    const client = new TestClient(emu);
    expect(await client.set('SET_WEB_LANGUAGE', { Language: 'de' })).toEqual({ result: 'success' });
    expect(await client.set('DISCONNECT_NETWORK')).toEqual({ result: 'failure' });
    expect(emu.device.state.connection.ppp).toBe('ppp_connected');
  });
});

describe('AD token', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it.each(['mf79u', 'mc888', 'mf286d'])('%s: a wrong or missing AD fails exactly like each other and changes nothing', async (profile) => {
    emu = createTestEmulator({ profile });
    const client = new TestClient(emu);
    await client.login();
    expect(await client.set('DISCONNECT_NETWORK', {}, null)).toEqual({ result: 'failure' });
    expect(await client.set('DISCONNECT_NETWORK', {}, 'deadbeef'.repeat(4))).toEqual({ result: 'failure' });
    expect(emu.device.state.connection.ppp).toBe('ppp_connected');
    expect(await client.set('DISCONNECT_NETWORK')).toEqual({ result: 'success' });
  });

  it('mf79u: MD5 AD is lower-case hex over wa_inner_version + cr_version + RD and is compared case-insensitively', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const client = new TestClient(emu);
    await client.login();
    const ad = await client.ad();
    expect(ad).toMatch(/^[0-9a-f]{32}$/);
    expect(await client.set('SET_CONNECTION_MODE', { ConnectionMode: 'manual_dial' }, ad!.toUpperCase())).toEqual({ result: 'success' });
  });

  it('mc888: SHA256 AD is upper-case, and RD stays the same within a session (rdPerSession quirk)', async () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const client = new TestClient(emu);
    await client.login();
    const ad = await client.ad();
    expect(ad).toMatch(/^[0-9A-F]{64}$/);
    expect((await client.get('RD')).RD).toBe((await client.get('RD')).RD);
  });

  it('mf823: no AD is needed at all', async () => {
    emu = createTestEmulator({ profile: 'mf823' });
    const client = new TestClient(emu);
    await client.login();
    expect(await client.set('DISCONNECT_NETWORK', {}, null)).toEqual({ result: 'success' });
  });
});

describe('sessions', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('sets the profile cookie, quoted, on login', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const client = new TestClient(emu);
    await client.login();
    expect(client.cookies.get('stok')).toMatch(/^"[0-9a-f]{24}"$/);
  });

  it('answers 4 when the same session logs in again (§2.4), and 0 keeping the session on MF79U-class firmware', async () => {
    emu = createTestEmulator({ profile: 'mf286d' });
    const client = new TestClient(emu);
    expect(await client.login()).toBe('0');
    expect(await client.login()).toBe('4');
    await emu.close();
    // An SMS-to-mail relay for the MF79U logs in before every mail and accepts only "0" (profile _meta.relogin).
    emu = createTestEmulator({ profile: 'mf79u' });
    const relay = new TestClient(emu);
    expect(await relay.login()).toBe('0');
    const cookie = relay.cookies.get('stok');
    expect(await relay.login()).toBe('0');
    expect(relay.cookies.get('stok')).toBe(cookie);
    expect((await relay.get('loginfo')).loginfo).toBe('ok');
    await emu.close();
    // So does a Prometheus exporter for the MC801A, before every scrape (LD login, MD5 AD).
    emu = createTestEmulator({ profile: 'mc801a' });
    const exporter = new TestClient(emu);
    expect(await exporter.login()).toBe('0');
    expect(await exporter.login()).toBe('0');
    expect((await exporter.get('loginfo')).loginfo).toBe('ok');
  });

  it('ends the first session when a second client logs in (single session)', async () => {
    emu = createTestEmulator({ profile: 'mc888' });
    const first = new TestClient(emu, { ip: '192.168.0.101' });
    const second = new TestClient(emu, { ip: '192.168.0.102' });
    await first.login();
    await second.login();
    expect((await first.get(['loginfo'])).loginfo).toBe('no');
    expect((await second.get(['loginfo'])).loginfo).toBe('ok');
  });

  it('binds the legacy (cookie-less) session to the client address', async () => {
    emu = createTestEmulator({ profile: 'mf823' });
    const a = new TestClient(emu, { ip: '192.168.0.101' });
    const b = new TestClient(emu, { ip: '192.168.0.102' });
    await a.login();
    expect(a.cookies.size).toBe(0);
    expect((await a.get(['loginfo'])).loginfo).toBe('ok');
    expect((await b.get(['loginfo'])).loginfo).toBe('no');
  });

  it('expires after 300 idle virtual seconds, but polling keeps it alive', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const client = new TestClient(emu);
    await client.login();
    for (let i = 0; i < 10; i++) {
      emu.clock.advance(60_000);
      expect((await client.get(['loginfo'])).loginfo).toBe('ok');
    }
    emu.clock.advance(301_000);
    expect((await client.get(['loginfo', 'imei'])).imei).toBe('');
  });

  it('ends the session on LOGOUT and on reboot', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const client = new TestClient(emu);
    await client.login();
    expect(await client.set('LOGOUT')).toEqual({ result: 'success' });
    expect((await client.get(['loginfo'])).loginfo).toBe('no');
    await client.login();
    expect(await client.set('REBOOT_DEVICE')).toEqual({ result: 'success' });
    expect((await client.raw('/goform/goform_get_cmd_process?cmd=loginfo')).status).toBe(503);
    emu.clock.advance(30_000);
    expect((await client.get(['loginfo'])).loginfo).toBe('no');
  });

  it('mf79u quirk: loginfo without multi_data says ok while another client holds the session', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const owner = new TestClient(emu, { ip: '192.168.0.101' });
    const other = new TestClient(emu, { ip: '192.168.0.102' });
    await owner.login();
    expect((await other.get('loginfo')).loginfo).toBe('ok');
    expect((await other.get(['loginfo'])).loginfo).toBe('no');
  });

  it('mf823 quirk: without a Referer the client reads as logged out', async () => {
    emu = createTestEmulator({ profile: 'mf823' });
    const withRef = new TestClient(emu, { ip: '192.168.0.101' });
    const noRef = new TestClient(emu, { ip: '192.168.0.101', referer: false });
    await withRef.login();
    expect((await noRef.get(['loginfo'])).loginfo).toBe('no');
  });

  it('changes the password with the profile encodings and logs in with the new one', async () => {
    for (const profile of ['mf79u', 'mc888', 'mf286d']) {
      emu = createTestEmulator({ profile });
      const client = new TestClient(emu);
      await client.login();
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      const enc = emu.device.profile.auth.passwordEncoding;
      const oldPassword = enc === 'sha256-ld' ? sha('admin') : enc === 'sha256-base64' ? sha(b64('admin')) : b64('admin');
      const newPassword = enc === 'sha256-ld' ? sha('s3cret!') : b64('s3cret!');
      expect(await client.set('CHANGE_PASSWORD', { oldPassword: 'bad', newPassword })).toEqual({ result: 'failure' });
      expect(await client.set('CHANGE_PASSWORD', { oldPassword, newPassword })).toEqual({ result: 'success' });
      await client.set('LOGOUT');
      expect(await client.login('admin')).toBe('3');
      expect(await client.login('s3cret!')).toBe('0');
      await emu.close();
    }
  });
});
