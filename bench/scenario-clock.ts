// bench/scenario-clock: a scenario covering 24 hours of device time (battery cycles, traffic counters, the LED
// schedule) run in virtual time on the emulator. Prints `virtual/wall ratio: X` (goal >= 50000: 24 h in < 2 s).
import { loadScenarioFile, runScenario } from '../scenarios/index.js';

const file = new URL('./scenarios/day-in-the-life.yaml', import.meta.url).pathname;
const { scenario } = loadScenarioFile(file);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  const result = await runScenario(file, scenario, { target: 'emulator' });
  const wallMs = performance.now() - t0;
  if (result.status !== 'passed') {
    const failed = result.steps.find((s) => s.status === 'failed');
    throw new Error(`[bench] the scenario did not pass: step ${failed?.index}: ${failed?.reason}`);
  }
  const virtualMs = result.steps.at(-1)!.startedVirtualMs - result.steps[0]!.startedVirtualMs;
  ratios.push(virtualMs / wallMs);
  console.log(`round ${r + 1}: ${(virtualMs / 3_600_000).toFixed(1)} h of device time in ${wallMs.toFixed(0)} ms`);
}
ratios.sort((a, b) => a - b);
console.log(`virtual/wall ratio: ${Math.round(ratios[Math.floor(ratios.length / 2)]!)}`);
