import { describe, expect, it } from 'vitest';
import { loadScenarios, runScenario } from '../../scenarios/index.js';

// Every shipped suite passes on the emulator (the CI gate for scenarios/suites).

describe('shipped scenario suites on the emulator', () => {
  // The benchmark's 24-hour scenario must pass too, or its ratio means nothing.
  for (const { file, scenario } of loadScenarios(['scenarios/suites', 'bench/scenarios'])) {
    it(`${scenario.name} (${file})`, async () => {
      const result = await runScenario(file, scenario, { target: 'emulator' });
      const failed = result.steps.find((s) => s.status === 'failed');
      expect(failed?.reason ?? '', `step ${failed?.index ?? ''}: ${failed?.title ?? ''}`).toBe('');
      expect(result.status).toBe('passed');
    });
  }
});
