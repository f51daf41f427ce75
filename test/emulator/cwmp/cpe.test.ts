import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { TestAcs, startFileServer, txt } from '../../helpers/acs.js';

// The router as a TR-069 CPE against a test ACS that behaves as the reference describes GenieACS
// (device-management.md §1). Sessions run over real HTTP on loopback; time-based behaviour on the virtual clock.

let emu: Emulator;
let acs: TestAcs;
let serial: string;

const spv = (name: string, type: string, value: string, key = ''): string =>
  `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>${name}</Name><Value xsi:type="xsd:${type}">${value}</Value></ParameterValueStruct></ParameterList><ParameterKey>${key}</ParameterKey></cwmp:SetParameterValues>`;
const gpv = (...names: string[]): string => `<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[${names.length}]">${names.map((n) => `<string>${n}</string>`).join('')}</ParameterNames></cwmp:GetParameterValues>`;
const values = (body: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries((((body.ParameterList as Record<string, unknown>).ParameterValueStruct ?? []) as Record<string, unknown>[]).map((p) => [txt(p.Name), txt(p.Value)]));
const faultOf = (body: Record<string, unknown>): { code: string; params: string[][] } => {
  const f = ((body.detail as Record<string, unknown>).Fault ?? {}) as Record<string, unknown>;
  return { code: txt(f.FaultCode), params: (((f.SetParameterValuesFault ?? []) as Record<string, unknown>[]).map((p) => [txt(p.ParameterName), txt(p.FaultCode)])) };
};

beforeEach(async () => {
  acs = new TestAcs();
  await acs.start();
  emu = createTestEmulator({ profile: 'mc888' });
  serial = emu.device.state.identity.serialNumber;
});
afterEach(async () => {
  await emu.close();
  await acs.close();
});

async function started(): Promise<void> {
  await emu.startCwmp({ url: acs.url, crPort: 0 });
  emu.clock.advance(1);
  await acs.until(() => acs.informs.length >= 1 && acs.rejected.length === 0 && !emu.cwmp!.status().inSession);
}

describe('CWMP CPE sessions (§1.2, §1.4)', () => {
  it('bootstraps with 0 BOOTSTRAP and 1 BOOT, the DeviceId and the forced parameters, then ends on 204', async () => {
    await started();
    const [first] = acs.informs;
    expect(first).toMatchObject({ serial, oui: '0019C6', productClass: 'MC888', retryCount: 0 });
    expect(first!.events.map((e) => e.code)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(first!.params).toMatchObject({
      'Device.RootDataModelVersion': '2.14',
      'Device.DeviceInfo.SoftwareVersion': emu.device.state.fota.currentVersion,
      'Device.DeviceInfo.HardwareVersion': 'MC888-HW1.0',
      'Device.ManagementServer.ParameterKey': '',
      'Device.ManagementServer.ConnectionRequestURL': expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/) as string,
    });
    await acs.until(() => emu.cwmp!.status().sessions === 1);
    expect(emu.cwmp!.status()).toMatchObject({ failures: 0, pendingEvents: [] });
    expect(emu.journal.query({ surface: 'cwmp', name: '0 BOOTSTRAP' })).toHaveLength(1);
  });

  it('informs periodically on the virtual clock, and after a reboot with 1 BOOT and M Reboot with its key', async () => {
    await started();
    acs.task(serial, 'SetParameterValues', spv('Device.ManagementServer.PeriodicInformInterval', 'unsignedInt', '600'));
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 1 && !emu.cwmp!.status().inSession);
    const before = acs.informs.length;
    emu.clock.advance(600_000);
    await acs.until(() => acs.informs.length === before + 1);
    expect(acs.informs.at(-1)!.events.map((e) => e.code)).toEqual(['2 PERIODIC']);
    acs.task(serial, 'Reboot', '<cwmp:Reboot><CommandKey>rb-1</CommandKey></cwmp:Reboot>');
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.some((r) => r.request === 'Reboot'));
    await acs.until(() => !emu.device.power.isUp());
    emu.clock.advance(31_000);
    await acs.until(() => acs.informs.some((i) => i.events.some((e) => e.code === 'M Reboot')));
    expect(acs.informs.at(-1)!.events).toEqual([{ code: 'M Reboot', key: 'rb-1' }, { code: '1 BOOT', key: '' }]);
  });

  it('retries a failed session on the back-off table, Retry-After as a floor, with RetryCount in the Inform', async () => {
    acs.maxConcurrent = 0;
    await emu.startCwmp({ url: acs.url, crPort: 0 });
    emu.clock.advance(1);
    await acs.until(() => acs.rejected.length === 1 && emu.cwmp!.status().failures === 1);
    // 503 + Retry-After 60 (§1.2 item 8): not before 60 s although retry 1 would wait 5-10 s.
    emu.clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(acs.rejected).toHaveLength(1);
    emu.clock.advance(2_000);
    await acs.until(() => acs.rejected.length === 2 && emu.cwmp!.status().failures === 2);
    acs.maxConcurrent = 1000;
    emu.clock.advance(61_000);
    await acs.until(() => acs.informs.length === 1);
    expect(acs.informs[0]).toMatchObject({ retryCount: 2 });
    expect(acs.informs[0]!.events.map((e) => e.code)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    await acs.until(() => emu.cwmp!.status().retryCount === 0);
    // §1.5's table with the defaults m = 5 s, k = 2000.
    for (const [n, lo, hi] of [[1, 5, 10], [2, 10, 20], [4, 40, 80], [10, 2560, 5120], [15, 2560, 5120]] as const) {
      const ms = emu.cwmp!.retryDelayMs(n);
      expect(ms).toBeGreaterThanOrEqual(lo * 1000);
      expect(ms).toBeLessThanOrEqual(hi * 1000);
    }
  });

  it('answers the ACS\'s Digest challenge on the same connection', async () => {
    await acs.close();
    acs = new TestAcs({ auth: { username: 'cpe', password: 's3cret' } });
    await acs.start();
    await emu.startCwmp({ url: acs.url, username: 'cpe', password: 's3cret', crPort: 0 });
    emu.clock.advance(1);
    await acs.until(() => acs.informs.length === 1 && emu.cwmp!.status().sessions === 1);
    expect(emu.cwmp!.status().failures).toBe(0);
  });

  it('answers a Basic challenge, and fails the session (then backs off) on wrong credentials', async () => {
    await acs.close();
    acs = new TestAcs({ auth: { username: 'cpe', password: 's3cret', scheme: 'basic' } });
    await acs.start();
    await emu.startCwmp({ url: acs.url, username: 'cpe', password: 's3cret', crPort: 0 });
    emu.clock.advance(1);
    await acs.until(() => acs.informs.length === 1 && emu.cwmp!.status().sessions === 1);
    expect(acs.basicChallenges).toBe(1);
    expect(emu.cwmp!.status().failures).toBe(0);
  });

  it('does not inform an ACS whose Basic credentials it does not have', async () => {
    await acs.close();
    acs = new TestAcs({ auth: { username: 'cpe', password: 'other', scheme: 'basic' } });
    await acs.start();
    await emu.startCwmp({ url: acs.url, username: 'cpe', password: 's3cret', crPort: 0 });
    emu.clock.advance(1);
    await acs.until(() => emu.cwmp!.status().failures >= 1);
    expect(acs.informs).toHaveLength(0);
  });
});

describe('CWMP RPCs (§1.6)', () => {
  it('answers GetParameterNames by the path rules, and GetParameterValues with partial paths', async () => {
    await started();
    acs.task(serial, 'GetParameterNames', '<cwmp:GetParameterNames><ParameterPath></ParameterPath><NextLevel>true</NextLevel></cwmp:GetParameterNames>');
    acs.task(serial, 'GetParameterNames', '<cwmp:GetParameterNames><ParameterPath>Device.WiFi.SSID.</ParameterPath><NextLevel>true</NextLevel></cwmp:GetParameterNames>');
    acs.task(serial, 'GetParameterNames', '<cwmp:GetParameterNames><ParameterPath>Device.WiFi.SSID.1.SSID</ParameterPath><NextLevel>true</NextLevel></cwmp:GetParameterNames>');
    acs.task(serial, 'GetParameterValues', gpv('Device.WiFi.SSID.1.', 'Device.Cellular.Interface.1.IMEI'));
    acs.task(serial, 'GetParameterValues', gpv('Device.NoSuch.Thing'));
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 5);
    const names = (i: number): string[] => (((acs.rpcs[i]!.body.ParameterList as Record<string, unknown>).ParameterInfoStruct ?? []) as Record<string, unknown>[]).map((p) => txt(p.Name));
    expect(names(0)).toEqual(['Device.']);
    expect(names(1)).toEqual(['Device.WiFi.SSID.1.', 'Device.WiFi.SSID.2.']);
    expect(acs.rpcs[2]!.response).toBe('Fault');
    expect(faultOf(acs.rpcs[2]!.body).code).toBe('9003');
    const v = values(acs.rpcs[3]!.body);
    expect(v).toMatchObject({ 'Device.WiFi.SSID.1.SSID': emu.device.state.wifi.main.ssid, 'Device.WiFi.SSID.1.Enable': 'true', 'Device.Cellular.Interface.1.IMEI': emu.device.state.identity.imei });
    expect(faultOf(acs.rpcs[4]!.body).code).toBe('9005');
  });

  it('sets values atomically through the device rules, with ParameterKey only on success and faults per parameter', async () => {
    await started();
    acs.task(serial, 'SetParameterValues', spv('Device.WiFi.SSID.1.SSID', 'string', 'ACS &amp; Co', 'key-1'));
    const twoBad = `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[3]"><ParameterValueStruct><Name>Device.WiFi.SSID.1.SSID</Name><Value xsi:type="xsd:string">Never</Value></ParameterValueStruct><ParameterValueStruct><Name>Device.DeviceInfo.SerialNumber</Name><Value xsi:type="xsd:string">x</Value></ParameterValueStruct><ParameterValueStruct><Name>Device.ManagementServer.PeriodicInformInterval</Name><Value xsi:type="xsd:unsignedInt">0</Value></ParameterValueStruct></ParameterList><ParameterKey>key-2</ParameterKey></cwmp:SetParameterValues>`;
    acs.task(serial, 'SetParameterValues', twoBad);
    acs.task(serial, 'SetParameterValues', spv('Device.Cellular.RoamingEnabled', 'string', 'true'));
    acs.task(serial, 'GetParameterValues', gpv('Device.ManagementServer.ParameterKey', 'Device.WiFi.AccessPoint.1.Security.KeyPassphrase'));
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 4);
    expect(acs.rpcs[0]!.response).toBe('SetParameterValuesResponse');
    expect(emu.device.state.wifi.main.ssid).toBe('ACS & Co');
    expect(faultOf(acs.rpcs[1]!.body)).toEqual({ code: '9003', params: [['Device.DeviceInfo.SerialNumber', '9008'], ['Device.ManagementServer.PeriodicInformInterval', '9007']] });
    expect(emu.device.state.wifi.main.ssid).toBe('ACS & Co');
    expect(faultOf(acs.rpcs[2]!.body).params).toEqual([['Device.Cellular.RoamingEnabled', '9006']]);
    // ParameterKey from the one that succeeded; hidden values read "".
    expect(values(acs.rpcs[3]!.body)).toEqual({ 'Device.ManagementServer.ParameterKey': 'key-1', 'Device.WiFi.AccessPoint.1.Security.KeyPassphrase': '' });
    expect(emu.journal.query({ surface: 'cwmp', name: 'Device.WiFi.SSID.1.SSID' }).map((e) => e.name.split(',')[0])).toContain('SetParameterValues');
  });

  it('adds and deletes APN instances, and refuses what the device refuses', async () => {
    await started();
    acs.task(serial, 'AddObject', '<cwmp:AddObject><ObjectName>Device.Cellular.AccessPoint.</ObjectName><ParameterKey>add</ParameterKey></cwmp:AddObject>');
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 1);
    const instance = txt(acs.rpcs[0]!.body.InstanceNumber);
    expect(instance).toMatch(/^\d+$/);
    acs.task(serial, 'SetParameterValues', spv(`Device.Cellular.AccessPoint.${instance}.APN`, 'string', 'acs.example'));
    acs.task(serial, 'DeleteObject', `<cwmp:DeleteObject><ObjectName>Device.Cellular.AccessPoint.${instance}.</ObjectName><ParameterKey>del</ParameterKey></cwmp:DeleteObject>`);
    acs.task(serial, 'DeleteObject', '<cwmp:DeleteObject><ObjectName>Device.WiFi.SSID.1.</ObjectName><ParameterKey></ParameterKey></cwmp:DeleteObject>');
    acs.task(serial, 'FooBar', '<cwmp:FooBar/>');
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 5);
    expect(acs.rpcs.slice(1).map((r) => r.response)).toEqual(['SetParameterValuesResponse', 'DeleteObjectResponse', 'Fault', 'Fault']);
    expect(faultOf(acs.rpcs[3]!.body).code).toBe('9005');
    expect(faultOf(acs.rpcs[4]!.body).code).toBe('9000');
    expect(emu.device.state.apn.profiles[Number(instance) - 1]).toBeNull();
    expect(emu.device.state.management.parameterKey).toBe('del');
  });

  it('reports a passive VALUE CHANGE in the next Inform and opens a session for an active one; the ACS\'s own changes are not reported', async () => {
    await started();
    const attrs = (name: string, n: number): string => `<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[1]"><SetParameterAttributesStruct><Name>${name}</Name><NotificationChange>true</NotificationChange><Notification>${n}</Notification><AccessListChange>false</AccessListChange><AccessList></AccessList></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>`;
    acs.task(serial, 'SetParameterAttributes', attrs('Device.WiFi.SSID.1.SSID', 2));
    acs.task(serial, 'SetParameterAttributes', attrs('Device.Cellular.RoamingStatus', 1));
    acs.task(serial, 'SetParameterAttributes', attrs('Device.Cellular.Interface.1.RSRP', 2));
    acs.task(serial, 'SetParameterValues', spv('Device.WiFi.SSID.1.SSID', 'string', 'FromAcs'));
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 4 && !emu.cwmp!.status().inSession);
    expect(faultOf(acs.rpcs[2]!.body).code).toBe('9009');
    const n = acs.informs.length;
    emu.clock.advance(2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(acs.informs.length).toBe(n);
    // A roaming change is passive: nothing until the next session; the SSID change (from goform, say) is active.
    emu.device.network.setRegistration('roaming');
    emu.clock.advance(2000);
    await new Promise((r) => setTimeout(r, 100));
    expect(acs.informs.length).toBe(n);
    emu.device.wifi.setSsid(0, { ...emu.device.state.wifi.main, ssid: 'FromUser' });
    emu.clock.advance(2000);
    await acs.until(() => acs.informs.length === n + 1);
    expect(acs.informs.at(-1)!.events.map((e) => e.code)).toEqual(['4 VALUE CHANGE']);
    expect(acs.informs.at(-1)!.params).toMatchObject({ 'Device.WiFi.SSID.1.SSID': 'FromUser', 'Device.Cellular.RoamingStatus': 'Roaming' });
  });

  it('downloads firmware over HTTP, installs it through the FOTA rules, reboots and reports TransferComplete', async () => {
    const files = await startFileServer({ 'fw.bin': Buffer.concat([Buffer.from('ROUTERLAB-FIRMWARE BD_MC888V1.0.0B11\n'), Buffer.alloc(4096, 7)]) });
    try {
      await started();
      const dl = (file: string, key: string, size = 0): string => `<cwmp:Download><CommandKey>${key}</CommandKey><FileType>1 Firmware Upgrade Image</FileType><URL>${files.url}/${file}</URL><Username></Username><Password></Password><FileSize>${size}</FileSize><TargetFileName></TargetFileName><DelaySeconds>0</DelaySeconds><SuccessURL></SuccessURL><FailureURL></FailureURL></cwmp:Download>`;
      acs.task(serial, 'Download', dl('missing.bin', 'dl-bad'));
      emu.cwmp!.informNow();
      await acs.until(() => acs.transfers.length === 1, 15_000);
      expect(acs.transfers[0]).toMatchObject({ commandKey: 'dl-bad', faultCode: '9016' });
      expect(acs.informs.at(-1)!.events.map((e) => e.code)).toEqual(['7 TRANSFER COMPLETE', 'M Download']);
      acs.task(serial, 'Download', dl('fw.bin', 'dl-1'));
      emu.cwmp!.informNow();
      await acs.until(() => emu.device.state.fota.upgradeState === 'upgrading', 15_000);
      emu.clock.advance(60_000);
      emu.clock.advance(31_000);
      await acs.until(() => acs.transfers.length === 2, 15_000);
      expect(acs.transfers[1]).toMatchObject({ commandKey: 'dl-1', faultCode: '0' });
      expect(emu.device.state.fota.currentVersion).toBe('BD_MC888V1.0.0B11');
      const boot = acs.informs.find((i) => i.events.some((e) => e.key === 'dl-1'))!;
      expect(boot.events.map((e) => e.code).sort()).toEqual(['1 BOOT', '4 VALUE CHANGE', '7 TRANSFER COMPLETE', 'M Download'].sort());
      expect(boot.params['Device.DeviceInfo.SoftwareVersion']).toBe('BD_MC888V1.0.0B11');
    } finally {
      await files.close();
    }
  });

  it('answers authenticated connection requests at once and starts a session with 6 CONNECTION REQUEST', async () => {
    await started();
    const url = acs.informs[0]!.params['Device.ManagementServer.ConnectionRequestURL']!;
    const m = emu.device.state.management;
    expect(await acs.connectionRequest(url, m.connectionRequestUsername, 'wrong')).toBe(401);
    expect(await acs.connectionRequest(url, m.connectionRequestUsername, m.connectionRequestPassword)).toBe(200);
    await acs.until(() => acs.informs.some((i) => i.events.some((e) => e.code === '6 CONNECTION REQUEST')));
    expect(await acs.connectionRequest(url.replace(/[0-9a-f]{32}$/, '0'.repeat(32)), 'x', 'y')).toBe(404);
  });

  it('reports the TR-098 InternetGatewayDevice root where the profile says so, with the same device rules', async () => {
    emu.device.reset({ profile: { ...emu.device.profile, dataModel: 'tr098' }, seed: 7 });
    await started();
    expect(acs.informs[0]!.params).toMatchObject({
      'InternetGatewayDevice.DeviceSummary': expect.stringMatching(/^InternetGatewayDevice:1\.4/) as string,
      'InternetGatewayDevice.DeviceInfo.SoftwareVersion': emu.device.state.fota.currentVersion,
      'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress': emu.device.state.connection.wanIpv4,
    });
    expect(Object.keys(acs.informs[0]!.params).some((k) => k.startsWith('Device.'))).toBe(false);
    acs.task(serial, 'SetParameterValues', spv('InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID', 'string', 'Tr098'));
    acs.task(serial, 'GetParameterValues', gpv('InternetGatewayDevice.WANDevice.1.X_ROUTERLAB-DEV_Cellular.RSRP', 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID'));
    acs.task(serial, 'GetParameterNames', '<cwmp:GetParameterNames><ParameterPath></ParameterPath><NextLevel>true</NextLevel></cwmp:GetParameterNames>');
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 3);
    expect(emu.device.state.wifi.main.ssid).toBe('Tr098');
    expect(values(acs.rpcs[1]!.body)).toEqual({ 'InternetGatewayDevice.WANDevice.1.X_ROUTERLAB-DEV_Cellular.RSRP': String(emu.device.state.radio.rsrpDbm), 'InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID': 'Tr098' });
    expect(txt((((acs.rpcs[2]!.body.ParameterList as Record<string, unknown>).ParameterInfoStruct as Record<string, unknown>[])[0]!).Name)).toBe('InternetGatewayDevice.');
  });

  it('lists its methods, reports attributes, schedules an inform, and answers 503 to a connection request during a session', async () => {
    await started();
    acs.task(serial, 'GetRPCMethods', '<cwmp:GetRPCMethods/>');
    acs.task(serial, 'GetParameterAttributes', '<cwmp:GetParameterAttributes><ParameterNames soap-enc:arrayType="xsd:string[2]"><string>Device.DeviceInfo.SoftwareVersion</string><string>Device.WiFi.SSID.1.SSID</string></ParameterNames></cwmp:GetParameterAttributes>');
    acs.task(serial, 'ScheduleInform', '<cwmp:ScheduleInform><DelaySeconds>120</DelaySeconds><CommandKey>later</CommandKey></cwmp:ScheduleInform>');
    acs.task(serial, 'ScheduleInform', '<cwmp:ScheduleInform><DelaySeconds>0</DelaySeconds><CommandKey>now</CommandKey></cwmp:ScheduleInform>');
    emu.cwmp!.informNow();
    // In a session a connection request is busy, which the listener answers 503 (§1.9).
    expect(emu.cwmp!.status().inSession).toBe(true);
    expect(emu.cwmp!.connectionRequest()).toBe('busy');
    await acs.until(() => acs.rpcs.length === 4);
    const methods = ((acs.rpcs[0]!.body.MethodList as Record<string, unknown>).string as unknown[]).map(txt);
    expect(methods).toEqual(expect.arrayContaining(['GetRPCMethods', 'GetParameterValues', 'SetParameterValues', 'Reboot', 'FactoryReset', 'Download', 'ScheduleInform', 'AddObject', 'DeleteObject', 'GetParameterAttributes', 'SetParameterAttributes']));
    const attrs = (((acs.rpcs[1]!.body.ParameterList as Record<string, unknown>).ParameterAttributeStruct ?? []) as Record<string, unknown>[]).map((p) => [txt(p.Name), txt(p.Notification)]);
    expect(attrs).toEqual([['Device.DeviceInfo.SoftwareVersion', '2'], ['Device.WiFi.SSID.1.SSID', '0']]);
    expect(faultOf(acs.rpcs[3]!.body).code).toBe('9003');
    await acs.until(() => !emu.cwmp!.status().inSession);
    const n = acs.informs.length;
    emu.clock.advance(119_000);
    await new Promise((r) => setTimeout(r, 100));
    const early = acs.informs.slice(n).filter((i) => i.events.some((e) => e.code === '3 SCHEDULED'));
    expect(early).toEqual([]);
    emu.clock.advance(2_000);
    await acs.until(() => acs.informs.some((i) => i.events.some((e) => e.code === '3 SCHEDULED')));
    expect(acs.informs.find((i) => i.events.some((e) => e.code === '3 SCHEDULED'))!.events).toEqual(expect.arrayContaining([{ code: '3 SCHEDULED', key: '' }, { code: 'M ScheduleInform', key: 'later' }]));
  });

  it('goes back to BOOTSTRAP after FactoryReset', async () => {
    await started();
    acs.task(serial, 'SetParameterValues', spv('Device.WiFi.SSID.1.SSID', 'string', 'BeforeReset', 'k'));
    acs.task(serial, 'FactoryReset', '<cwmp:FactoryReset/>');
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 2 && !emu.device.power.isUp());
    emu.clock.advance(31_000);
    await acs.until(() => acs.informs.filter((i) => i.events.some((e) => e.code === '0 BOOTSTRAP')).length === 2);
    const last = acs.informs.at(-1)!;
    expect(last.events.map((e) => e.code)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(last.params['Device.ManagementServer.ParameterKey']).toBe('');
    expect(emu.device.state.wifi.main.ssid).not.toBe('BeforeReset');
  });
});

describe('rules on CWMP (instrument/rules.ts)', () => {
  it('answers one SetParameterValues with a Fault and leaves the value, then lets the next one through', async () => {
    await started();
    const ssid = emu.device.state.wifi.main.ssid;
    const rule = emu.faults.rules.add({ surface: 'cwmp', match: { name: 'SetParameterValues', params: { names: { pattern: 'SSID' } } }, action: { kind: 'error', code: 9001, message: 'Request denied' }, times: 1 });
    acs.task(serial, 'SetParameterValues', spv('Device.WiFi.SSID.1.SSID', 'string', 'RuleLab'));
    acs.task(serial, 'SetParameterValues', spv('Device.WiFi.SSID.1.SSID', 'string', 'RuleLab'));
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 2 && !emu.cwmp!.status().inSession);
    expect(acs.rpcs[0]!.response).toBe('Fault');
    expect(faultOf(acs.rpcs[0]!.body).code).toBe('9001');
    expect(acs.rpcs[1]!.response).toBe('SetParameterValuesResponse');
    expect(emu.device.state.wifi.main.ssid).toBe('RuleLab');
    expect(ssid).not.toBe('RuleLab');
    expect(emu.faults.rules.get(rule.id)).toMatchObject({ fired: 1, spent: true });
    expect(emu.journal.query({ surface: 'cwmp', kind: 'rpc', name: 'SetParameterValues' }).map((e) => e.response)[0]).toBe(`fault 9001 (rule ${rule.id}: error)`);
  });

  it('answers an RPC with a body of the rule\'s own, or garbage the ACS cannot read', async () => {
    await started();
    emu.faults.rules.add({ surface: 'cwmp', match: { name: 'GetParameterValues' }, action: { kind: 'answer', body: '<cwmp:GetParameterValuesResponse><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>Device.DeviceInfo.SerialNumber</Name><Value xsi:type="xsd:string">FAKE</Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>' }, times: 1 });
    emu.faults.rules.add({ surface: 'cwmp', match: { name: 'GetParameterValues' }, action: { kind: 'latency', ms: 5 }, times: 1, priority: 1 });
    acs.task(serial, 'GetParameterValues', gpv('Device.DeviceInfo.SerialNumber'));
    emu.cwmp!.informNow();
    await acs.until(() => acs.rpcs.length === 1 && !emu.cwmp!.status().inSession);
    expect(values(acs.rpcs[0]!.body)).toEqual({ 'Device.DeviceInfo.SerialNumber': 'FAKE' });
    emu.faults.rules.add({ surface: 'cwmp', match: { name: 'GetParameterValues' }, action: { kind: 'garbage' }, times: 1 });
    acs.task(serial, 'GetParameterValues', gpv('Device.DeviceInfo.SerialNumber'));
    emu.cwmp!.informNow();
    await acs.until(() => emu.journal.query({ surface: 'cwmp', kind: 'rpc' }).some((e) => e.response.includes('garbage')) && !emu.cwmp!.status().inSession);
    expect(emu.journal.query({ surface: 'cwmp', kind: 'rule' }).map((e) => e.params.action)).toEqual(['latency', 'answer', 'garbage']);
  });

  it('leaves an RPC unanswered (hang): the session fails and is retried on the back-off table', async () => {
    await started();
    emu.faults.rules.add({ surface: 'cwmp', match: { name: 'GetParameterValues' }, action: { kind: 'hang' }, times: 1 });
    acs.task(serial, 'GetParameterValues', gpv('Device.DeviceInfo.SerialNumber'));
    emu.cwmp!.informNow();
    await acs.until(() => emu.cwmp!.status().failures === 1);
    expect(emu.cwmp!.status().lastError).toMatch(/no answer to GetParameterValues \(rule r1: hang\)/);
    expect(acs.rpcs.filter((r) => r.request === 'GetParameterValues')).toHaveLength(0);
    expect(() => emu.faults.rules.add({ surface: 'cwmp', action: { kind: 'patch', fields: {} } })).toThrow(/a cwmp rule cannot patch; it can latency, error, drop, hang, garbage, answer/);
  });
});
