import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';

// A web page the tester opens must not drive the control API (#16): a drive-by <form enctype=text/plain> POST
// and a no-cors fetch from another origin, in a real browser (Debian's Chromium, headless).

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('cross-origin requests from a web page (needs the Debian package chromium)', () => {
  let browser: Browser;
  let emu: Emulator;
  let control: string;
  let page: Server;
  let pageUrl: string;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'] });
    emu = createTestEmulator({ clockMode: 'paused' });
    control = await emu.listenControl({ port: 0 });
    // The attacker's page: another origin on loopback (another port) that posts to the control API on load.
    page = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><body>
<iframe name="sink"></iframe>
<form id="f" method="post" enctype="text/plain" target="sink" action="${control}/api/v1/devices/dev-0/stimuli/factory-reset"><input name='{"x":"' value='"}'></form>
<script>
  fetch('${control}/api/v1/devices/dev-0/stimuli/reboot', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}' })
    .then(() => { document.title = 'fetch sent'; }, () => { document.title = 'fetch failed'; });
  document.getElementById('f').submit();
</script></body>`);
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', () => r()));
    pageUrl = `http://localhost:${(page.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => page?.close(r));
    await emu?.close();
  });

  it('refuses a cross-origin form POST and a no-cors fetch: the device is neither reset nor rebooted', async () => {
    const ssid = emu.device.state.wifi.main.ssid;
    emu.device.settings.setLanguage('de');
    const tab = await browser.newPage();
    // Both requests reach the control API and are answered before anything is checked (no waiting on time).
    const answered = (path: string): Promise<number> => tab.waitForResponse((r) => r.url() === `${control}/api/v1/devices/dev-0/stimuli/${path}`, { timeout: 15_000 }).then((r) => r.status());
    const form = answered('factory-reset');
    const fetched = answered('reboot');
    await tab.goto(pageUrl);
    expect(await form).toBe(403);
    expect(await fetched).toBe(403);
    expect(emu.device.state.system.poweredOn).toBe(true);
    expect(emu.device.state.system.restoreFlag).toBe(false);
    expect(emu.device.state.system.language).toBe('de');
    expect(emu.device.state.wifi.main.ssid).toBe(ssid);
    await tab.close();
  });
});
