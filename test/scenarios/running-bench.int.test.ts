import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../emulator/index.js';
import { loadScenarios, runScenario } from '../../scenarios/index.js';

// Every shipped suite against ONE running emulator (routerlab run --target emulator:<control url>), twice in a row:
// the runner resets the device to each scenario's profile and seed first, so no state carries over.

describe('the shipped suites on one running bench', () => {
  let emu: Emulator;
  let control: string;
  beforeAll(async () => {
    emu = createEmulator({ onUnhandled: 'silent' });
    await emu.listen({ port: 0 });
    await emu.listenModemTcp({ port: 0 });
    await emu.startCloud({ brokerPort: 0 });
    control = await emu.listenControl({ port: 0 });
  }, 30_000);
  afterAll(async () => {
    await emu.close();
  });

  const suites = loadScenarios(['scenarios/suites']);
  for (const round of [1, 2]) {
    it(`round ${round}: every suite passes`, async () => {
      const failures: string[] = [];
      for (const { file, scenario } of suites) {
        const result = await runScenario(file, scenario, { target: `emulator:${control}` });
        const failed = result.steps.find((s) => s.status !== 'passed');
        if (result.status !== 'passed') failures.push(`${file}: ${result.status} at step ${failed?.index ?? '?'} ${failed?.title ?? ''}: ${failed?.reason ?? ''}`);
      }
      expect(failures).toEqual([]);
    }, 300_000);
  }

  it('a scenario with mqtt steps against a bench without a cloud channel skips them, naming why', async () => {
    const bare = createEmulator({ onUnhandled: 'silent' });
    try {
      await bare.listen({ port: 0 });
      await bare.listenModemTcp({ port: 0 });
      const url = await bare.listenControl({ port: 0 });
      const withCloud = suites.find((s) => JSON.stringify(s.scenario.steps).includes('"mqtt"'))!;
      const result = await runScenario(withCloud.file, withCloud.scenario, { target: `emulator:${url}` });
      const skipped = result.steps.filter((s) => s.status === 'skipped');
      expect(skipped.length).toBeGreaterThan(0);
      expect(skipped[0]!.reason).toMatch(/runs no cloud channel \(started with --no-cloud\)/);
      expect(result.steps.some((s) => s.status === 'failed')).toBe(false);
    } finally {
      await bare.close();
    }
  });

  it('leaves a shared bench as it found it: clock running at its speed, time moved on, its profile and seed', async () => {
    const bench = createEmulator({ profile: 'mc888', seed: 5, clockMode: 'running', speed: 3, onUnhandled: 'silent' });
    try {
      await bench.listen({ port: 0 });
      await bench.listenModemTcp({ port: 0 });
      const url = await bench.listenControl({ port: 0 });
      const before = bench.clock.now();
      const stepped = suites.find((s) => s.scenario.clock.mode === 'virtual' && s.scenario.clock.speed === undefined && s.scenario.device.profile !== 'mc888')!;
      const result = await runScenario(stepped.file, stepped.scenario, { target: `emulator:${url}` });
      expect(result.status).toBe('passed');
      expect(bench.clock.mode).toBe('running');
      expect(bench.clock.speed).toBe(3);
      expect(bench.device.profile.name).toBe('mc888');
      expect(bench.device.state.seed).toBe(5);
      // Not back at the stepped scenario's 2026-01-01: time went on from where the bench was.
      expect(bench.clock.now()).toBeGreaterThanOrEqual(before);
    } finally {
      await bench.close();
    }
  });
});
