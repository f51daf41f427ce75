import { defineConfig } from 'vitest/config';

// Projects (STYLE.md 7.5): unit (no hardware, seconds), integration (real clients such as Gammu against the
// emulator; needs Debian packages that .ci/run installs), hil (needs HIL_TARGET), load (only when asked).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/hardware/**', 'test/load/**', 'test/**/*.int.test.ts'],
          setupFiles: ['test/setup.ts'],
          testTimeout: 20_000,
        },
      },
      { test: { name: 'integration', include: ['test/**/*.int.test.ts'], setupFiles: ['test/setup.ts'], testTimeout: 90_000, hookTimeout: 30_000 } },
      { test: { name: 'hil', include: ['test/hardware/**/*.hil.test.ts'] } },
      { test: { name: 'load', include: ['test/load/**/*.test.ts'] } },
    ],
  },
});
