import { afterEach, expect } from 'vitest';
import { takeUnhandled } from './helpers/emulator.js';

// Every unit and integration test: a request the emulator does not implement fails the test that made it, instead
// of passing on the firmware's failure answer (the 'error' unhandled policy, test/helpers/emulator.ts).
afterEach(() => {
  expect(takeUnhandled(), 'requests the emulator does not implement (onUnhandled "error")').toEqual([]);
});
