import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';

// A page of our own (test/fixtures/webui-zwrt) calling /ubus/ the way the ZWRT stock UI does (batches, ids, sid in
// params[0], Z-Mode/Z-Tag, the browser's own Referer and webtoken cookie, WebCrypto SHA-256 login) on the g5ts
// profile, in headless Chromium.

const CHROMIUM = '/usr/bin/chromium';
const UI = fileURLToPath(new URL('../../fixtures/webui-zwrt', import.meta.url));

describe.skipIf(!existsSync(CHROMIUM))('a ZWRT-style web page against the ubus surface (needs the Debian package chromium)', () => {
  let browser: Browser;
  let emu: Emulator;
  let base: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'] });
    emu = createTestEmulator({ profile: 'g5ts', clockMode: 'running', speed: 10, webUiDir: UI });
    base = await emu.listen({ port: 0 });
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });

  it('logs in, polls the status batch, sends an SMS and changes the SSID', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${base}/`);
    await page.click('#login-button');
    await expect.poll(() => page.textContent('#login-result')).toBe('0');
    await expect.poll(() => page.textContent('#network_type')).toBe('ENDC');
    expect(await page.textContent('#main2g_ssid')).toBe(emu.device.state.wifi.main.ssid);
    expect(await page.textContent('#current_wan_status')).toMatch(/connected$/);
    await page.click('#sms-send');
    await expect.poll(() => page.textContent('#sms-result'), { timeout: 15_000 }).toBe('sent');
    expect(emu.device.state.sms.messages.at(-1)).toMatchObject({ number: '+4915100000043', text: 'Hallo vom Browser ✓', tag: 2 });
    await page.click('#wifi-save');
    await expect.poll(() => page.textContent('#wifi-result')).toBe('saved');
    await expect.poll(() => page.textContent('#main2g_ssid')).toBe('ZWRT-From-Browser');
    expect(emu.device.state.wifi.main).toMatchObject({ ssid: 'ZWRT-From-Browser', password: 'browser-key-2' });
    // The browser carried the webtoken cookie the router set, and every request had its Referer (no 307).
    expect((await context.cookies()).map((c) => c.name)).toContain('webtoken');
    const calls = emu.journal.query({ surface: 'ubus' }).map((e) => e.name);
    expect(calls).toEqual(expect.arrayContaining(['zwrt_web.web_login', 'zte_nwinfo_api.nwinfo_get_netinfo', 'zwrt_wms.zte_libwms_send_sms', 'zwrt_wlan.set']));
    expect(errors).toEqual([]);
    await context.close();
  });
});
