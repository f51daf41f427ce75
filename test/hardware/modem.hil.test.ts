import { describe } from 'vitest';
import { connectTarget } from '../../hil/index.js';
import { runTargetContract } from '../contracts/target.contract.js';

// A real modem: set HIL_MODEM_PORT=/dev/ttyUSB2 (read-only checks unless HIL_MUTATE=1).
describe.skipIf(!process.env.HIL_MODEM_PORT)('modem hardware (set HIL_MODEM_PORT=/dev/ttyUSBn)', () => {
  runTargetContract({
    name: 'real modem',
    capabilities: ['modem', 'clock'],
    mutates: process.env.HIL_MUTATE === '1',
    create: () => connectTarget(`modem:${process.env.HIL_MODEM_PORT}`),
  });
});
