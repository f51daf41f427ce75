import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { defineScenario, htmlReport, loadScenarios, runScenario } from '../../../scenarios/index.js';

// The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core.

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('HTML report in headless Chromium (needs the Debian package chromium)', () => {
  it('renders the summary and the timeline charts without console errors', async () => {
    const results = [];
    for (const { file, scenario } of loadScenarios(['scenarios/suites/signal/signal-loss-and-recovery.yaml', 'scenarios/suites/battery/battery-low-and-charger.yaml'])) {
      results.push(await runScenario(file, scenario, { target: 'emulator' }));
    }
    // A failing one, last in the run: the report puts it first and links it from the summary.
    const failing = defineScenario({ name: 'expects the wrong bars', steps: [{ stimulus: 'signal', with: { bars: 2 } }, { wait: '90s' }, { expect: { goform: 'signalbar', equals: '5' } }, { checkpoint: 'never reached' }] });
    results.push(await runScenario('failing.yaml', failing, { target: 'emulator' }));
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
      expect(await page.locator('.summary').innerText()).toContain('1 failed');
      // Failures first, linked from the summary with the key and the reason.
      const problem = page.locator('.problems li').first();
      expect(await problem.innerText()).toMatch(/failed expects the wrong bars — step 3 \(goform signalbar\): got "2", expected "5"/);
      const target = await problem.locator('a').getAttribute('href');
      expect(await page.locator('section').first().getAttribute('id')).toBe(target!.slice(1));
      const failedRow = page.locator('section').first().locator('tr.failed-step');
      expect(await failedRow.innerText()).toMatch(/3\s+failed\s+\+1:30\s+expect .*goform signalbar\s+2\s+\{"equals":"5"\}/);
      expect(await page.locator('section').first().locator('td.s-not-run').count()).toBe(1);
      // The stimulus row carries its parameters; the charts have labelled axes in virtual time.
      expect(await page.locator('section').first().locator('tr').nth(1).innerText()).toContain('{"bars":2}');
      expect(await page.locator('svg.chart text', { hasText: 'virtual time' }).count()).toBeGreaterThan(0);
      expect(await page.locator('svg.chart text', { hasText: 'dBm' }).count()).toBeGreaterThan(0);
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
