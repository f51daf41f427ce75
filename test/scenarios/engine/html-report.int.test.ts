import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { htmlReport, loadScenarios, runScenario } from '../../../scenarios/index.js';

// The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core.

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('HTML report in headless Chromium (needs the Debian package chromium)', () => {
  it('renders the summary and the timeline charts without console errors', async () => {
    const results = [];
    for (const { file, scenario } of loadScenarios(['scenarios/suites/signal/signal-loss-and-recovery.yaml', 'scenarios/suites/battery/battery-low-and-charger.yaml'])) {
      results.push(await runScenario(file, scenario, { target: 'emulator' }));
    }
    const dir = resolve('artifacts');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'report.html');
    writeFileSync(file, htmlReport(results));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (req) => {
        if (!req.url().startsWith('file://')) errors.push(`external request: ${req.url()}`);
      });
      await page.goto(`file://${file}`);
      expect(await page.locator('.summary').innerText()).toContain('2 passed');
      expect(await page.locator('svg.chart polyline').count()).toBeGreaterThanOrEqual(6);
      const box = await page.locator('svg.chart').first().boundingBox();
      expect(box?.width).toBeGreaterThan(500);
      const shot = await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
      // A blank page compresses to almost nothing; charts and tables do not.
      expect(shot.byteLength).toBeGreaterThan(30_000);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
