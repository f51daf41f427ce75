import { describe } from 'vitest';
import { connectTarget } from '../../hil/index.js';
import { runTargetContract } from '../contracts/target.contract.js';

// A real router: set HIL_ROUTER_URL=http://192.168.0.1?password=... (read-only checks unless HIL_MUTATE=1).
describe.skipIf(!process.env.HIL_ROUTER_URL)('router hardware (set HIL_ROUTER_URL=http://<router>?password=<pw>)', () => {
  runTargetContract({
    name: 'real router',
    capabilities: ['router', 'clock'],
    mutates: process.env.HIL_MUTATE === '1',
    create: () => connectTarget(`router:${process.env.HIL_ROUTER_URL}`),
  });
});
