import { defineConfig } from 'vitest/config';

// Three projects (STYLE.md 7.5): unit (default, no hardware), hil (needs HIL_TARGET), load (only when asked).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/hardware/**', 'test/load/**'],
          testTimeout: 20_000,
        },
      },
      { test: { name: 'hil', include: ['test/hardware/**/*.hil.test.ts'] } },
      { test: { name: 'load', include: ['test/load/**/*.test.ts'] } },
    ],
  },
});
