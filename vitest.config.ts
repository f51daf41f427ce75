import { defineConfig } from 'vitest/config';

// Projects (STYLE.md 7.5): unit (no hardware, seconds), integration (real clients such as Gammu against the
// emulator; needs Debian packages that .ci/run installs), hil (needs HIL_TARGET), load (only when asked).
// isolate: false: a worker keeps the modules it loaded from one test file to the next. Loading the emulator afresh
// for each of ~80 files cost about a second of setup per file (unit: 89 s -> 47 s on 2 cores); no test relies on
// module state from another file (no vi.mock or stubbed globals; shared registries are reset by their tests).
// expect.poll waits up to 10 s by default, not vitest's 1 s: `npm test` must pass on a busy machine, where a browser
// click reaching the emulator took longer than a second (a poll that passes returns as soon as it holds).
const poll = { timeout: 10_000 };

export default defineConfig({
  test: {
    // Both cores: vitest's default leaves one free (cores - 1), which on this 2-core machine ran every file one after
    // another (sum of file times = wall time). The slow files are integration tests that mostly wait on children.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/hardware/**', 'test/load/**', 'test/**/*.int.test.ts'],
          setupFiles: ['test/setup.ts'],
          testTimeout: 20_000,
          isolate: false,
          expect: { poll },
        },
      },
      { test: { name: 'integration', include: ['test/**/*.int.test.ts'], setupFiles: ['test/setup.ts'], testTimeout: 90_000, hookTimeout: 30_000, isolate: false, expect: { poll } } },
      { test: { name: 'hil', include: ['test/hardware/**/*.hil.test.ts'] } },
      { test: { name: 'load', include: ['test/load/**/*.test.ts'] } },
    ],
  },
});
