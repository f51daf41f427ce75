import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../../emulator/index.js';
import { Fleet } from '../../../emulator/fleet/fleet.js';
import { GoformClient } from '../../../hil/index.js';

// The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core. Every effect is checked
// on the router's own surface (goform), not only on the page.

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve('artifacts');

describe.skipIf(!existsSync(CHROMIUM))('dashboard in headless Chromium (needs the Debian package chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
    const errors: string[] = [];
    const origin = new URL(url).origin;
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(origin)) errors.push(`external request: ${r.url()}`);
    });
    await page.goto(url);
    return { page, errors };
  }

  describe('one router', () => {
    let emu: Emulator;
    let control: string;
    let router: GoformClient;
    beforeAll(async () => {
      emu = createEmulator({ clockMode: 'paused', seed: 3, onUnhandled: 'silent' });
      const goform = await emu.listen({ port: 0 });
      control = await emu.listenControl({ port: 0 });
      router = new GoformClient({ baseUrl: goform, password: 'admin' });
      await router.login();
    });
    afterAll(async () => {
      await emu?.close();
    });

    it('moves the signal, injects an SMS, charts the battery over virtual time, without console errors', async () => {
      const { page, errors } = await open(`${control}/`);
      try {
        // A single router is selected by itself; its page fills from the state and the event stream.
        await expect.poll(() => page.locator('#identity').innerText()).toContain(emu.device.state.identity.imei);
        await expect.poll(() => page.locator('#status').innerText()).toBe('live');

        // Signal: the bars control changes goform signalbar.
        expect((await router.get(['signalbar'])).signalbar).not.toBe('1');
        await page.locator('#bars').fill('1');
        await expect.poll(async () => (await router.get(['signalbar'])).signalbar).toBe('1');
        await expect.poll(() => page.locator('#bars-shown').getAttribute('data-bars')).toBe('1');

        // SMS: injected from the page, listed in the inbox and in goform sms_data_total.
        await page.locator('#smstext').fill('Grüße from the dashboard test');
        await page.locator('#sendsms').click();
        await expect.poll(() => page.locator('#inbox').innerText()).toContain('Grüße from the dashboard test');
        const listed = await router.listSms('device');
        expect(listed.map((m) => m.text)).toContain('Grüße from the dashboard test');

        // Battery: each hour of virtual time adds a point and the level falls (no charger).
        await page.locator('#charger').setChecked(false);
        await page.locator('#setpower').click();
        const chart = page.locator('#chart-battery');
        const before = Number(await chart.getAttribute('data-points'));
        const levelBefore = Number(await chart.getAttribute('data-last'));
        await page.locator('button[data-advance="1h"]').click();
        await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(before);
        await page.locator('button[data-advance="1h"]').click();
        await expect.poll(async () => Number(await chart.getAttribute('data-last'))).toBeLessThan(levelBefore);
        expect(await chart.locator('polyline').count()).toBe(1);
        // The stimuli sent from the page are marked on the charts.
        expect(await page.locator('#chart-signal line.mark').count()).toBeGreaterThanOrEqual(1);

        // The journal shows what the SDK client did.
        await expect.poll(() => page.locator('#jrows').innerText()).toContain('sms_data_total');
        const shot = await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
        expect(shot.byteLength).toBeGreaterThan(50_000);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('starts its controls from the device as it is, says the time zone, flags a low battery, fits its tables', async () => {
      await emu.control.request(`/api/v1/devices/${emu.device.state.id}/stimuli/registration`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ registration: 'roaming' }) });
      await emu.control.request(`/api/v1/devices/${emu.device.state.id}/stimuli/battery`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ percent: 12, charger: false }) });
      await emu.control.request(`/api/v1/devices/${emu.device.state.id}/stimuli/station`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'join', mac: '02:00:00:00:00:42', hostname: 'a-very-long-hostname-of-a-laptop-pushing-the-table-off-its-card' }) });
      const { page, errors } = await open(`${control}/`);
      try {
        await expect.poll(() => page.locator('#status').innerText()).toBe('live');
        await expect.poll(() => page.locator('#registration').inputValue()).toBe('roaming');
        expect(await page.locator('#sim').inputValue()).toBe(emu.device.state.sim.status);
        await expect.poll(() => page.locator('#battery-low').count()).toBe(1);
        await expect.poll(() => page.locator('#stations').innerText()).toMatch(/ UTC/);
        // A flood arrives in one virtual instant: newest first by arrival, #3 above #1.
        await emu.control.request(`/api/v1/devices/${emu.device.state.id}/stimuli/sms`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: '10086', text: 'flood', count: 3 }) });
        await expect.poll(() => page.locator('#inbox').innerText()).toMatch(/flood #3[\s\S]*flood #2[\s\S]*flood #1/);
        // The stations table stays inside its card.
        const table = await page.locator('#stations').evaluate((el) => { const t = el.closest('table')!; const card = t.closest('.card') ?? t.parentElement!; return { table: t.getBoundingClientRect().right, card: card.getBoundingClientRect().right }; });
        expect(table.table).toBeLessThanOrEqual(table.card + 1);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('charts what happened before the page opened, with each stimulus marked by its name', async () => {
      const post = async (name: string, body: unknown): Promise<Response> => emu.control.request(`/api/v1/devices/${emu.device.state.id}/stimuli/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      await post('signal', { rsrpDbm: -118 });
      await new Promise((r) => setImmediate(r));
      emu.clock.advance(60_000);
      await post('signal', { rsrpDbm: -84 });
      await new Promise((r) => setImmediate(r));
      const { page, errors } = await open(`${control}/`);
      try {
        await expect.poll(() => page.locator('#status').innerText()).toBe('live');
        const chart = page.locator('#chart-signal');
        // Both levels were set before the page existed; its chart holds them.
        await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
        const points = await chart.locator('polyline').getAttribute('points');
        expect(points!.split(' ').length).toBeGreaterThanOrEqual(3);
        const labels = await chart.locator('text.marklabel').allTextContents();
        expect(labels.filter((l) => l === 'signal').length).toBeGreaterThanOrEqual(2);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('keeps a choice made on the page while the device changes under it, and sends that choice', async () => {
      const { page, errors } = await open(`${control}/`);
      const before = emu.device.state.radio.registration;
      try {
        await expect.poll(() => page.locator('#status').innerText()).toBe('live');
        await page.locator('#registration').selectOption('roaming');
        // The device changes before the user clicks Set: the page redraws from the new state.
        const res = await emu.control.request(`/api/v1/devices/${emu.device.state.id}/stimuli/signal`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ rsrpDbm: -101 }) });
        expect(res.status).toBeLessThan(300);
        await expect.poll(() => page.locator('#rsrpval').innerText()).toBe('-101 dBm');
        expect(await page.locator('#registration').inputValue()).toBe('roaming');
        await page.locator('#setreg').click();
        await expect.poll(() => emu.device.state.radio.registration).toBe('roaming');
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        emu.device.network.setRegistration(before);
      }
    });

    it('takes a snapshot and restores it from the page', async () => {
      const { page, errors } = await open(`${control}/`);
      try {
        await expect.poll(() => page.locator('#status').innerText()).toBe('live');
        await page.locator('#snapshot').click();
        await expect.poll(async () => (await page.locator('#snaptext').inputValue()).length).toBeGreaterThan(1000);
        const roaming = emu.device.state.radio.registration;
        await page.locator('#registration').selectOption('roaming');
        await page.locator('#setreg').click();
        await expect.poll(() => emu.device.state.radio.registration).toBe('roaming');
        await page.locator('#restore').click();
        await expect.poll(() => emu.device.state.radio.registration).toBe(roaming);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  });

  it('asks for the control token when one is set, then works', async () => {
    const emu = createEmulator({ clockMode: 'paused', controlToken: 'sekrit-token', onUnhandled: 'silent' });
    try {
      const control = await emu.listenControl({ port: 0 });
      const { page, errors } = await open(`${control}/`);
      await expect.poll(() => page.locator('#tokenbox').isVisible()).toBe(true);
      await page.locator('#token').fill('sekrit-token');
      await page.locator('#savetoken').click();
      await expect.poll(() => page.locator('#status').innerText()).toBe('live');
      await page.locator('#sim').selectOption('absent');
      await page.locator('#setsim').click();
      await expect.poll(() => emu.device.state.sim.status).toBe('absent');
      // The 401s before the token was given are the page's cue, logged by the browser as failed loads.
      expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
      await page.close();
    } finally {
      await emu.close();
    }
  });

  it('opens the API docs page with a token set, asks for the token, then lists the routes and sends a call', async () => {
    const emu = createEmulator({ clockMode: 'paused', controlToken: 'sekrit-token', onUnhandled: 'silent' });
    try {
      const control = await emu.listenControl({ port: 0 });
      const { page, errors } = await open(`${control}/api/v1/docs`);
      await expect.poll(() => page.locator('#nav').innerText()).toMatch(/needs its token/);
      await page.locator('#token').fill('sekrit-token');
      await page.locator('#usetoken').click();
      await expect.poll(() => page.locator('#nav .op').count()).toBeGreaterThan(20);
      await page.locator('#nav .op', { hasText: '/time' }).first().click();
      await page.locator('#send').click();
      await expect.poll(() => page.locator('#out').innerText()).toMatch(/^200 /);
      // Without the token the data stays closed: the page is open, openapi.json is not.
      expect((await fetch(`${control}/api/v1/openapi.json`)).status).toBe(401);
      expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
      await page.close();
    } finally {
      await emu.close();
    }
  });

  it('lists and searches a fleet, page by page', async () => {
    const fleet = new Fleet({ count: 120, clockMode: 'paused', profiles: ['mix'] });
    try {
      const control = await fleet.listenControl({ port: 0 });
      const { page, errors } = await open(`${control}/`);
      await expect.poll(() => page.locator('#page').innerText()).toBe('1-50 of 120');
      await page.locator('#next').click();
      await expect.poll(() => page.locator('#page').innerText()).toBe('51-100 of 120');
      await page.locator('#search').fill('rl-00011');
      await expect.poll(() => page.locator('#devices li').count()).toBe(10);
      await page.locator('#devices li', { hasText: 'rl-000113' }).click();
      await expect.poll(() => page.locator('#identity').innerText()).toContain(fleet.identityOf(113).imei);
      // Each router shows the web API its profile speaks (a mixed fleet has both generations).
      const api = Promise.resolve(fleet.control.request('/api/v1/devices/rl-000113')).then(async (r: Response) => ((await r.json()) as { api: string }).api);
      await expect.poll(() => page.locator('#identity').innerText()).toContain(await api);
      expect(await page.locator('#devices li', { hasText: 'rl-000113' }).innerText()).toContain(await api);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-fleet.png'), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await fleet.close();
    }
  });
  it('shows a fleet of 1000: counts, a fleet stimulus from the page, counts right after it, a filter, a screenshot', async () => {
    const fleet = new Fleet({ count: 1000, clockMode: 'paused', profiles: ['mix'] });
    try {
      const control = await fleet.listenControl({ port: 0 });
      const { page, errors } = await open(`${control}/`);
      await page.locator('#fleetview').click();
      await expect.poll(() => page.locator('#fleettotal').innerText()).toBe('1000');
      const count = (key: string): Promise<number> => page.locator(`[data-count="${key}"]`).innerText().then(Number, () => 0);
      expect(await count('registration:home')).toBe(1000);
      expect(await count('online:online')).toBe(1000);
      // The stimulus form: 10% of the fleet roams (seed 1), applied from the page.
      await page.locator('#fstim').selectOption('registration');
      await page.locator('#fparams').fill('{"registration":"roaming"}');
      await page.locator('#fpercent').fill('10');
      await page.locator('#fseed').fill('1');
      await page.locator('#fapply').click();
      await expect.poll(() => page.locator('#fresult').getAttribute('data-applied')).not.toBeNull();
      const applied = Number(await page.locator('#fresult').getAttribute('data-applied'));
      expect(applied).toBeGreaterThan(50);
      expect(applied).toBeLessThan(150);
      // The counts follow through the event stream, matching the devices themselves.
      await expect.poll(() => count('registration:roaming')).toBe(applied);
      expect(await count('registration:home')).toBe(1000 - applied);
      let roaming = 0;
      for (let i = 0; i < 1000; i++) if (fleet.device(i).state.radio.registration === 'roaming') roaming++;
      expect(roaming).toBe(applied);
      // Clicking a count filters the list to exactly those devices.
      await page.locator('a[data-where="registration:roaming"]').click();
      await expect.poll(() => page.locator('#fpage').getAttribute('data-total')).toBe(String(applied));
      const shown = await page.locator('#frows tr td:nth-child(3)').allInnerTexts();
      expect(shown.length).toBe(Math.min(50, applied));
      expect(new Set(shown)).toEqual(new Set(['roaming']));
      await page.locator('#fsort').selectOption('-battery');
      await expect.poll(async () => {
        const b = (await page.locator('#frows tr td:nth-child(6)').allInnerTexts()).map((t) => parseInt(t, 10)).filter((n) => !Number.isNaN(n));
        return b.length > 1 && b.every((v, k) => k === 0 || v <= b[k - 1]!);
      }).toBe(true);
      const shot = await page.screenshot({ path: join(ARTIFACTS, 'dashboard-fleet-1000.png'), fullPage: true });
      // A real picture of the page: a PNG of the viewport's width with the counts drawn.
      expect(shot.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(shot.readUInt32BE(16)).toBe(1400);
      expect(shot.length).toBeGreaterThan(20_000);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await fleet.close();
    }
  }, 60_000);
});
