import { afterEach, describe, expect, it } from 'vitest';
import { cookieValue } from '../../../emulator/http/codec.js';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator, TestClient } from '../../helpers/emulator.js';
import { STATUS_POLL_QUERY } from '../../helpers/poll-keys.js';

describe('goform app plumbing', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  it('answers a read on the socket fast path byte for byte like the Hono route', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const base = await emu.listen({ port: 0 });
    const client = new TestClient(emu);
    await client.login();
    const cookie = `stok=${client.cookies.get('stok')!}`;
    const path = `/goform/goform_get_cmd_process?${STATUS_POLL_QUERY}&_=1767225600123`;
    const viaSocket = await fetch(`${base}${path}`, { headers: { Cookie: cookie, Referer: `${base}/` } });
    const viaHono = await client.raw(path);
    const text = await viaSocket.text();
    expect(text).toBe(await viaHono.text());
    expect(JSON.parse(text)).toMatchObject({ loginfo: 'ok' });
    expect(viaSocket.headers.get('content-type')).toBe(viaHono.headers.get('content-type'));
    expect(viaSocket.headers.get('cache-control')).toBe('no-cache');
    expect(Number(viaSocket.headers.get('content-length'))).toBe(Buffer.byteLength(text));
  });

  it('serves POST reads, writes and unknown paths over the socket through the Hono app', async () => {
    emu = createTestEmulator({ profile: 'mf823', onUnhandled: 'silent' });
    const base = await emu.listen({ port: 0 });
    const post = (path: string, body: string): Promise<Response> =>
      fetch(`${base}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', Referer: `${base}/` } });
    expect(await (await post('/goform/goform_get_cmd_process', 'cmd=Language&multi_data=1')).text()).toBe('{"Language":"en"}');
    expect(await (await post('/goform/goform_set_cmd_process', `goformId=LOGIN&password=${Buffer.from('admin').toString('base64')}`)).text()).toBe('{"result":"0"}');
    expect((await fetch(`${base}/goform/goform_get_cmd_process_x?cmd=Language`)).status).toBe(404);
  });

  it('drops the connection while the device reboots', async () => {
    emu = createTestEmulator({ profile: 'mf79u' });
    const base = await emu.listen({ port: 0 });
    emu.device.power.reboot();
    await expect(fetch(`${base}/goform/goform_get_cmd_process?cmd=Language`)).rejects.toThrow();
    emu.clock.advance(30_000);
    expect(await (await fetch(`${base}/goform/goform_get_cmd_process?cmd=Language`)).text()).toBe('{"Language":"en"}');
  });

  it('finds a cookie among others and unquotes it', () => {
    expect(cookieValue('a=1; stok="abc"; b=2', 'stok')).toBe('abc');
    expect(cookieValue('xstok=no; stok=yes', 'stok')).toBe('yes');
    expect(cookieValue('stokx=no', 'stok')).toBeUndefined();
    expect(cookieValue('zsidn="q"', 'zsidn')).toBe('q');
  });
});
