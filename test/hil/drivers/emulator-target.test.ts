import { afterAll } from 'vitest';
import { createEmulator, type Emulator } from '../../../emulator/index.js';
import { connectTarget } from '../../../hil/index.js';
import { runTargetContract } from '../../contracts/target.contract.js';

const ALL = ['router', 'modem', 'stimuli', 'clock', 'journal', 'power', 'cloud', 'state', 'reset', 'rules'] as const;

runTargetContract({ name: 'emulator in-process', capabilities: [...ALL], mutates: true, create: () => connectTarget('emulator') });
runTargetContract({ name: 'emulator mc888 in-process', capabilities: [...ALL], mutates: true, create: () => connectTarget('emulator:mc888') });

// A running emulator reached through its control API, its goform URL and its modem TCP port.
const running: Emulator[] = [];
afterAll(async () => {
  for (const e of running) await e.close();
});
runTargetContract({
  name: 'emulator through its control API',
  capabilities: [...ALL],
  mutates: true,
  create: async () => {
    const emu = createEmulator({ onUnhandled: 'silent', clockMode: 'running', speed: 10 });
    running.push(emu);
    await emu.listen({ port: 0 });
    await emu.listenModemTcp({ port: 0 });
    await emu.startCloud({ brokerPort: 0 });
    const control = await emu.listenControl({ port: 0 });
    return connectTarget(`emulator:${control}`);
  },
});
