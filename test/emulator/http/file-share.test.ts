import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator, TestClient, withState } from '../../helpers/emulator.js';

// File sharing between connected devices (goform-api.md §3.10, §4.8), over a real socket.

describe('file sharing over HTTP', () => {
  let emu: Emulator;
  afterEach(async () => {
    await emu.close();
  });

  async function start(onUnhandled?: 'silent'): Promise<{ base: string; cookie: string; client: TestClient }> {
    emu = createTestEmulator({ profile: 'mf79u', ...(onUnhandled ? { onUnhandled } : {}) });
    const base = await emu.listen({ port: 0 });
    const client = new TestClient(emu);
    await client.login();
    return { base, cookie: `stok=${client.cookies.get('stok')!}`, client };
  }

  async function upload(base: string, cookie: string, path: string, name: string, data: Uint8Array<ArrayBuffer>): Promise<unknown> {
    const form = new FormData();
    form.set('path_SD_CARD', path);
    form.set('file', new Blob([new Uint8Array(data)]), name);
    const res = await fetch(`${base}/cgi-bin/httpshare/upload`, { method: 'POST', body: form, headers: { Cookie: cookie, Referer: `${base}/` } });
    return JSON.parse(await res.text()) as unknown;
  }

  it('answers the card value over the socket with a dangling link in the folder, and failure once the folder is gone', async () => {
    const { base, cookie, client } = await start();
    const root = emu.share!.root;
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    const read = async (): Promise<Record<string, string>> => {
      // The status read goes through the socket fast path, as the web UI's poll does.
      const res = await fetch(`${base}/goform/goform_get_cmd_process?isTest=false&cmd=HTTPSHARE_GETCARD_VALUE&_=1`, { headers: { Cookie: cookie, Referer: `${base}/` } });
      return JSON.parse(await res.text()) as Record<string, string>;
    };
    expect(await read()).toMatchObject({ sd_card_total_size: expect.stringMatching(/^\d+$/) as unknown });
    expect((await client.set('HTTPSHARE_ENTERFOLD', { path_SD_CARD: '/mmc2', indexPage: '1' })).result).toEqual({ totalRecord: '0', fileInfo: [] });
    rmSync(root, { recursive: true, force: true });
    expect(await read()).toEqual({ result: 'failure' });
    expect(await client.set('HTTPSHARE_ENTERFOLD', { path_SD_CARD: '/mmc2', indexPage: '1' })).toEqual({ result: 'noexist' });
    expect(await client.set('HTTPSHARE_NEW', { path_SD_CARD: '/mmc2/x' })).toEqual({ result: 'noexist' });
    // Still serving.
    expect((await client.get(['loginfo'])).loginfo).toBe('ok');
  });

  it('refuses every operation through a link that leaves the card, and treats "..." as a name', async () => {
    const { base, cookie, client } = await start();
    const outside = mkdtempSync(join(tmpdir(), 'routerlab-outside-'));
    try {
      writeFileSync(join(outside, 'secret.txt'), 'not yours');
      mkdirSync(join(outside, 'dir'));
      const root = emu.share!.root;
      symlinkSync(outside, join(root, 'escape'));
      symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link'));
      symlinkSync(join(outside, 'new-file'), join(root, 'dangling-out'));
      expect(await client.set('HTTPSHARE_ENTERFOLD', { path_SD_CARD: '/mmc2/escape', indexPage: '1' })).toEqual({ result: 'bad_path' });
      expect((await fetch(`${base}/mmc2/secret-link`, { headers: { Cookie: cookie } })).status).toBe(404);
      expect(await upload(base, cookie, '/mmc2/escape', 'planted.txt', new Uint8Array([1, 2, 3]))).toEqual({ result: 'bad_path' });
      expect(await upload(base, cookie, '/mmc2', 'dangling-out', new Uint8Array([1, 2, 3]))).toEqual({ result: 'bad_path' });
      expect(existsSync(join(outside, 'new-file'))).toBe(false);
      expect(await client.set('HTTPSHARE_NEW', { path_SD_CARD: '/mmc2/escape/made' })).toEqual({ result: 'bad_path' });
      expect(await client.set('HTTPSHARE_DEL', { path_SD_CARD: '/mmc2/escape', name_SD_CARD: 'dir*' })).toEqual({ result: 'bad_path' });
      expect(await client.set('HTTPSHARE_FILE_RENAME', { OLD_NAME_SD_CARD: '/mmc2/escape/secret.txt', NEW_NAME_SD_CARD: '/mmc2/stolen.txt' })).toEqual({ result: 'bad_path' });
      expect(existsSync(join(outside, 'dir'))).toBe(true);
      expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('not yours');
      const listing = await client.set('HTTPSHARE_ENTERFOLD', { path_SD_CARD: '/mmc2', indexPage: '1' });
      expect(listing).toEqual({ result: { totalRecord: '0', fileInfo: [] } });
      // "..." is an ordinary file name.
      expect(await upload(base, cookie, '/mmc2', '...', new Uint8Array([9]))).toEqual({ result: 'success' });
      expect(new Uint8Array(await (await fetch(`${base}/mmc2/...`, { headers: { Cookie: cookie } })).arrayBuffer())).toEqual(new Uint8Array([9]));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('creates a folder, uploads and downloads a file byte for byte, renames and deletes it', async () => {
    const { base, cookie, client } = await start();
    expect(await client.set('HTTPSHARE_NEW', { path_SD_CARD: '/mmc2/photos', path_SD_CARD_time: '', path_SD_CARD_time_unix: '' })).toEqual({ result: 'success' });
    const data = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    expect(await upload(base, cookie, '/mmc2/photos', 'cat.jpg', data)).toEqual({ result: 'success' });
    const listing = await client.set('HTTPSHARE_ENTERFOLD', { path_SD_CARD: '/mmc2/photos', indexPage: '1' });
    expect(listing).toMatchObject({ result: { totalRecord: '1', fileInfo: [{ fileName: 'cat.jpg', attribute: 'document', size: '100000' }] } });
    const down = await fetch(`${base}/mmc2/photos/cat.jpg`, { headers: { Cookie: cookie } });
    expect(new Uint8Array(await down.arrayBuffer())).toEqual(data);
    expect(await client.set('HTTPSHARE_FILE_RENAME', { OLD_NAME_SD_CARD: '/mmc2/photos/cat.jpg', NEW_NAME_SD_CARD: '/mmc2/photos/dog.jpg' })).toEqual({ result: 'success' });
    expect(await client.set('GOFORM_HTTPSHARE_CHECK_FILE', { path_SD_CARD: '/mmc2/photos/dog.jpg' })).toEqual({ result: 'exist' });
    expect(await client.set('HTTPSHARE_DEL', { path_SD_CARD: '/mmc2/photos', name_SD_CARD: 'dog.jpg*' })).toEqual({ result: 'success' });
    expect(await client.set('GOFORM_HTTPSHARE_CHECK_FILE', { path_SD_CARD: '/mmc2/photos/dog.jpg' })).toEqual({ result: 'noexist' });
    const card = await client.get('HTTPSHARE_GETCARD_VALUE');
    expect(card.sd_card_avi_space).toBe(card.sd_card_total_size);
  });

  it('refuses path traversal in every operation', async () => {
    const { base, cookie, client } = await start('silent');
    expect(await client.set('HTTPSHARE_NEW', { path_SD_CARD: '/mmc2/../../escape' })).toEqual({ result: 'bad_path' });
    expect(await client.set('HTTPSHARE_ENTERFOLD', { path_SD_CARD: '/mmc2/../..', indexPage: '1' })).toEqual({ result: 'bad_path' });
    expect(await upload(base, cookie, '/mmc2/..', 'x.txt', new Uint8Array([1]))).toEqual({ result: 'bad_path' });
    expect(await upload(base, cookie, '/mmc2', '../x.txt', new Uint8Array([1]))).toEqual({ result: 'bad_path' });
    const res = await fetch(`${base}/mmc2/%2e%2e/%2e%2e/etc/passwd`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(404);
    expect(existsSync(`${emu.share!.root}/../x.txt`)).toBe(false);
  });

  it('enforces read-only mode and the quota, keeping existing files', async () => {
    const { base, cookie, client } = await start();
    expect(await upload(base, cookie, '/mmc2', 'keep.txt', new TextEncoder().encode('keep me'))).toEqual({ result: 'success' });
    await client.set('HTTPSHARE_AUTH_SET', { HTTP_SHARE_STATUS: 'Enabled', HTTP_SHARE_WR_AUTH: 'readOnly', HTTP_SHARE_FILE: '/mmc2' });
    expect(await upload(base, cookie, '/mmc2', 'new.txt', new Uint8Array([1]))).toEqual({ result: 'read_only' });
    expect(await client.set('HTTPSHARE_DEL', { path_SD_CARD: '/mmc2', name_SD_CARD: 'keep.txt*' })).toEqual({ result: 'read_only' });
    await client.set('HTTPSHARE_AUTH_SET', { HTTP_SHARE_STATUS: 'Enabled', HTTP_SHARE_WR_AUTH: 'readWrite', HTTP_SHARE_FILE: '/mmc2' });
    withState(emu.device, (s) => {
      s.share.quotaBytes = 1000;
    });
    expect(await upload(base, cookie, '/mmc2', 'big.bin', new Uint8Array(2000))).toEqual({ result: 'quota' });
    const kept = await fetch(`${base}/mmc2/keep.txt`, { headers: { Cookie: cookie } });
    expect(await kept.text()).toBe('keep me');
  });

  it('refuses transfers without login', async () => {
    const { base } = await start();
    expect(await upload(base, 'stok="nope"', '/mmc2', 'x.txt', new Uint8Array([1]))).toEqual({ result: 'failure' });
    expect((await fetch(`${base}/mmc2/x.txt`)).status).toBe(404);
  });
});
