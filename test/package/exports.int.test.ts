import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// routerlab as a library, imported the way a user's script does: by package name through package.json "exports".

const run = promisify(execFile);

const SCRIPT = `
import { SerialPortStream } from '@serialport/stream';
import { createEmulator, createModemBinding, connectTarget, defineScenario, runScenario, GoformClient, stimulusCatalog } from 'routerlab';
import { createEmulator as fromSubpath } from 'routerlab/emulator';
import { BenchError } from 'routerlab/hil';
import { loadScenarios } from 'routerlab/scenarios';
const emu = createEmulator({ clockMode: 'paused' });
const binding = createModemBinding(emu.modem);
const port = new SerialPortStream({ binding, path: binding.path, baudRate: 115200 });
await new Promise((r, j) => port.on('open', r).on('error', j));
let got = '';
port.on('data', (d) => (got += d.toString('latin1')));
port.write('ATE0;+CGMM\\r');
for (let i = 0; i < 500 && !got.includes('OK'); i++) await new Promise((r) => setTimeout(r, 20));
await new Promise((r) => port.close(r));
binding.dispose();
const url = await emu.listen({ port: 0 });
const client = new GoformClient({ baseUrl: url, password: 'admin' });
await client.login();
const model = (await client.get(['wa_inner_version'])).wa_inner_version;
await emu.close();
const scenario = defineScenario({ name: 'library', steps: [{ stimulus: 'signal', with: { bars: 4 } }, { expect: { goform: 'signalbar', equals: '4' } }] });
const result = await runScenario('library.ts', scenario, { target: 'emulator' });
const target = await connectTarget('emulator');
await target.close();
console.log(JSON.stringify({ at: got.includes('MF79U'), model, status: result.status, subpath: typeof fromSubpath, error: typeof BenchError, suites: loadScenarios(['scenarios/suites/signal']).length > 0, stimuli: stimulusCatalog().length }));
`;

describe('package exports', () => {
  it('plain node with tsx imports routerlab, routerlab/emulator, routerlab/hil and routerlab/scenarios by name', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out).toMatchObject({ at: true, status: 'passed', subpath: 'function', error: 'function', suites: true });
    expect(out.model).toMatch(/MF79U/);
    expect(out.stimuli).toBeGreaterThan(15);
  });

  it('vitest imports it by name too', async () => {
    const lib = await import('routerlab');
    expect(typeof lib.createEmulator).toBe('function');
    expect(typeof lib.createModemBinding).toBe('function');
    expect(typeof lib.defineScenario).toBe('function');
    const emu = lib.createEmulator({ clockMode: 'paused' });
    expect(emu.device.profile.model).toBe('MF79U');
    await emu.close();
  });
});
