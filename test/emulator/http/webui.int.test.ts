import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';

// `serve --webui DIR` in a real browser: a small web UI folder of our own (test/fixtures/webui-zxic, written the way
// old ZXIC/UFI UIs talk to their firmware) served on the goform port of the ZXIC-class profile, in headless Chromium.

const CHROMIUM = '/usr/bin/chromium';
const UI = fileURLToPath(new URL('../../fixtures/webui-zxic', import.meta.url));

describe.skipIf(!existsSync(CHROMIUM))('a stock-style web UI through --webui (needs the Debian package chromium)', () => {
  let browser: Browser;
  let emu: Emulator;
  let base: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'] });
    emu = createTestEmulator({ profile: 'mf761', clockMode: 'running', speed: 10, webUiDir: UI });
    base = await emu.listen({ port: 0 });
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });

  it('logs in, shows the status, sends an SMS and changes the SSID (writes without AD), with the mock switch off', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${base}/`);
    await expect.poll(() => page.textContent('#model')).toBe('MF761_ZXIC_V1.0.0B08');
    expect(await page.textContent('#backend')).toBe('device backend');
    await page.click('#login-button');
    await expect.poll(() => page.textContent('#login-result')).toBe('0');
    await expect.poll(() => page.textContent('#network_type')).toBe('LTE');
    expect(await page.textContent('#battery_vol_percent')).toBe(String(emu.device.state.battery.percent));
    expect(await page.textContent('#detail_cell_rsrq')).toBe(String(emu.device.state.radio.rsrqDb));
    expect(await page.textContent('#SSID1')).toBe(emu.device.state.wifi.main.ssid);
    await page.click('#sms-send');
    await expect.poll(() => page.textContent('#sms-result')).toBe('success');
    expect(emu.device.state.sms.messages.at(-1)).toMatchObject({ number: '+4915100000042', text: 'Hello from the UI', tag: 2 });
    await page.click('#wifi-save');
    await expect.poll(() => page.textContent('#wifi-result')).toBe('success');
    await expect.poll(() => page.textContent('#SSID1')).toBe('UFI-From-Browser');
    expect(emu.device.state.wifi.main).toMatchObject({ ssid: 'UFI-From-Browser', password: 'browser-key-1' });
    // The QR code image loaded (a PNG the page could decode).
    await expect.poll(() => page.evaluate(() => (document.getElementById('qr') as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('serves the folder like the device: types, 404 outside it, no escape through ..', async () => {
    const css = await fetch(`${base}/css/main.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect((await fetch(`${base}/js/nothing.js`)).status).toBe(404);
    expect((await fetch(`${base}/..%2f..%2fpackage.json`)).status).toBe(404);
    const config = await (await fetch(`${base}/js/config/config.js`)).text();
    expect(config).toContain('IS_TEST: false');
  });
});
