import { afterEach, describe, expect, it } from 'vitest';
import { connectTarget } from '../../../hil/index.js';
import { defineScenario, runScenario } from '../../../scenarios/index.js';
import { TestAcs } from '../../helpers/acs.js';

// A scenario that checks what the ACS did to the router: stimuli drive the CPE, journal expectations on surface cwmp
// name the RPC or the parameter it set (device-management.md §1; issue #24 "the ACS set Device.WiFi.SSID.1.SSID").

let acs: TestAcs | undefined;
afterEach(async () => {
  await acs?.close();
});

describe('scenarios against a CPE', () => {
  it('expect the ACS to have set the SSID and rebooted the router, by journal', async () => {
    acs = new TestAcs();
    await acs.start();
    const a = acs;
    const scenario = defineScenario({
      name: 'ACS provisioning',
      requires: ['stimuli', 'journal'],
      device: { profile: 'mf79u', seed: 3 },
      // Sessions run over real HTTP: device time runs 100x wall time so they complete while the scenario waits.
      clock: { mode: 'virtual', speed: 100 },
      steps: [
        { wait: '1s' },
        { expect: { journal: { surface: 'cwmp', name: '0 BOOTSTRAP' }, count: { min: 1, max: 1 }, within: '5m' } },
        { stimulus: 'cwmp-inform', with: {} },
        { expect: { journal: { surface: 'cwmp', name: 'Device.WiFi.SSID.1.SSID' }, count: { min: 1 }, within: '5m' } },
        { expect: { journal: { surface: 'cwmp', name: 'Reboot' }, count: { min: 1, max: 1 }, within: '5m' } },
        { expect: { state: 'wifi.main.ssid', equals: 'Provisioned' } },
        { wait: '40s' },
        { expect: { journal: { surface: 'cwmp', name: 'M Reboot' }, count: { min: 1 }, within: '5m' } },
      ],
    });
    let serial = '';
    const target = async () => {
      const t = await connectTarget({ kind: 'emulator', profile: 'mf79u', seed: 3, clockMode: 'running', speed: 100, acs: { url: a.url } });
      serial = String(((await t.require('state').get()) as { identity: { serialNumber: string } }).identity.serialNumber);
      a.task(serial, 'SetParameterValues', '<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value xsi:type="xsd:string">Provisioned</Value></ParameterValueStruct></ParameterList><ParameterKey>p1</ParameterKey></cwmp:SetParameterValues>');
      a.task(serial, 'Reboot', '<cwmp:Reboot><CommandKey>after-provision</CommandKey></cwmp:Reboot>');
      return t;
    };
    const result = await runScenario('acs.yaml', scenario, { target });
    const failed = result.steps.find((s) => s.status !== 'passed');
    expect(failed?.reason ?? '', `${failed?.title ?? ''}`).toBe('');
    expect(serial).not.toBe('');
    expect(a.informs.some((i) => i.events.some((e) => e.code === 'M Reboot' && e.key === 'after-provision'))).toBe(true);
  });
});
