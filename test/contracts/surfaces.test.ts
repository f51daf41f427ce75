import { expect } from 'vitest';
import { base64 as toBase64 } from '../../emulator/http/codec.js';
import { runSurfacesContract, type Drivers } from './surfaces.contract.js';

// Every area operation a surface offers, driven through each surface that offers it. The first cases are the
// divergences of issue #13 (one surface used to leave a different state than another).

const STATION = '02:11:22:33:44:55';
const ok = async (p: Promise<{ result?: string }>): Promise<void> => expect((await p).result).toBe('success');
const atOk = (d: Drivers, cmd: string): void => expect(d.at.at(cmd)).toMatch(/^\r\nOK\r\n/);
const pin = (d: Drivers): string => d.emu.device.state.sim.pin;
const ubusOk = (d: Drivers, object: string, method: string, args: Record<string, unknown> = {}): void => expect(d.ubus.call(object, method, args).result?.[0]).toBe(0);
const joinStation = (emu: Drivers['emu']): void => void emu.device.wifi.join({ mac: STATION, hostname: 'phone' });

runSurfacesContract([
  {
    name: 'unlocking the SIM with its PIN registers, emits the change and lets auto_dial connect',
    setup: (emu) => emu.device.sim.setStatus('pin'),
    via: {
      goform: (d) => ok(d.goform.set('ENTER_PIN', { PinNumber: pin(d) })),
      ubus: (d) => ubusOk(d, 'zwrt_zte_mdm.api', 'sim_verify_pin_puk', { pin_num: pin(d), puk_num: '' }),
      at: (d) => atOk(d, `+CPIN="${pin(d)}"`),
    },
    expect: (s, events) => {
      expect(s.sim.status).toBe('ready');
      expect(s.connection.ppp).toBe('ppp_connected');
      expect(events).toEqual(['sim-changed(ready)', 'registration-changed(home)']);
    },
  },
  {
    name: 'three wrong PINs lock the SIM to its PUK',
    setup: (emu) => emu.device.sim.setStatus('pin'),
    via: {
      goform: async (d) => {
        for (let i = 0; i < 3; i++) expect((await d.goform.set('ENTER_PIN', { PinNumber: '0000' })).result).toBe('failure');
      },
      at: (d) => {
        d.at.at('+CMEE=1');
        for (let i = 0; i < 3; i++) expect(d.at.at('+CPIN="0000"')).toBe('\r\n+CME ERROR: 16\r\n');
      },
    },
    expect: (s) => {
      expect(s.sim).toMatchObject({ status: 'puk', pinAttemptsLeft: 0, pukAttemptsLeft: 10 });
    },
  },
  {
    name: 'a PUK that is not 8 digits is refused without counting a try',
    setup: (emu) => {
      emu.device.sim.setStatus('pin');
      for (let i = 0; i < 3; i++) emu.device.sim.enterPin('0000');
    },
    via: {
      goform: async (d) => expect((await d.goform.set('ENTER_PUK', { PUKNumber: '1234567', PinNumber: '4321' })).result).toBe('failure'),
      ubus: (d) => expect(d.ubus.call('zwrt_zte_mdm.api', 'sim_verify_pin_puk', { pin_num: '4321', puk_num: '1234567' }).result).toEqual([2]),
      at: (d) => expect(d.at.at('+CPIN="1234567","4321"')).toBe('\r\nERROR\r\n'),
    },
    expect: (s) => expect(s.sim).toMatchObject({ status: 'puk', pukAttemptsLeft: 10 }),
  },
  {
    name: 'the PUK unblocks the SIM with a new PIN',
    setup: (emu) => emu.device.sim.setStatus('puk'),
    via: {
      goform: (d) => ok(d.goform.set('ENTER_PUK', { PUKNumber: d.emu.device.state.sim.puk, PinNumber: '4321' })),
      ubus: (d) => ubusOk(d, 'zwrt_zte_mdm.api', 'sim_verify_pin_puk', { pin_num: '4321', puk_num: d.emu.device.state.sim.puk }),
      at: (d) => atOk(d, `+CPIN="${d.emu.device.state.sim.puk}","4321"`),
    },
    expect: (s) => expect(s.sim).toMatchObject({ status: 'ready', pin: '4321', pinAttemptsLeft: 3 }),
  },
  {
    name: 'blacklisting a connected station takes it offline and records how long it was on',
    setup: joinStation,
    via: {
      goform: (d) => ok(d.goform.set('WIFI_MAC_FILTER', { ACL_mode: '2', wifi_mac_black_list: `${STATION};`, wifi_mac_white_list: '' })),
      cloud: (d) => void d.cloud('block-station', { mac: STATION }),
    },
    expect: (s, events) => {
      expect(s.wifi.macBlackList).toEqual([STATION]);
      expect(s.stations[0]).toMatchObject({ online: false, lastDurationMs: 5000 });
      expect(events).toEqual([`station-changed(${STATION}:off)`]);
    },
  },
  {
    name: 'switching Wi-Fi off drops its clients with their connection time',
    setup: joinStation,
    via: {
      goform: (d) => ok(d.goform.set('SET_WIFI_INFO', { wifiEnabled: '0' })),
      ubus: (d) => ubusOk(d, 'zwrt_wlan', 'set', { zte_mbb: { wifi_onoff: '0' } }),
      cloud: (d) => void d.cloud('set-wifi', { enabled: false }),
    },
    expect: (s, events) => {
      expect(s.wifi.enabled).toBe(false);
      expect(s.stations[0]).toMatchObject({ online: false, lastDurationMs: 5000 });
      expect(events).toEqual([`station-changed(${STATION}:off)`]);
    },
  },
  {
    name: 'the radio coming back abroad registers on the partner network, not at home',
    setup: (emu) => emu.device.network.setRegistration('roaming'),
    via: {
      at: (d) => {
        atOk(d, '+CFUN=4');
        atOk(d, '+CFUN=1');
      },
      control: async (d) => {
        await d.control.stimulus('network', { state: 'drop' });
        await d.control.stimulus('network', { state: 'restore' });
      },
    },
    expect: (s, events) => {
      expect(s.radio.registration).toBe('roaming');
      expect(events).toEqual(['registration-changed(none)', 'registration-changed(roaming)']);
    },
  },
  {
    name: 'automatic operator selection abroad stays on the partner network',
    setup: (emu) => emu.device.network.setRegistration('roaming'),
    via: {
      at: (d) => atOk(d, '+COPS=0'),
    },
    expect: (s) => expect(s.radio.registration).toBe('roaming'),
  },
  {
    name: 'manual selection of the partner network roams',
    via: {
      goform: (d) => ok(d.goform.set('SET_NETWORK', { NetworkNumber: '20801', Rat: '7' })),
      ubus: (d) => ubusOk(d, 'zte_nwinfo_api', 'nwinfo_manual_register', { m_mcc_mnc: '20801', m_rat: '7' }),
      at: (d) => atOk(d, '+COPS=1,2,"20801",7'),
    },
    expect: (s, events) => {
      expect(s.radio.registration).toBe('roaming');
      expect(s.network).toMatchObject({ selectionMode: 'manual_select', manualNetwork: { numeric: '20801', rat: 7 } });
      expect(events).toEqual(['registration-changed(roaming)']);
    },
  },
  {
    name: 'the automatic bearer preference brings a 3G-locked device back to LTE',
    setup: (emu) => void emu.device.network.setBearerPreference('Only_WCDMA'),
    via: {
      goform: (d) => ok(d.goform.set('SET_BEARER_PREFERENCE', { BearerPreference: 'NETWORK_auto' })),
      at: (d) => atOk(d, '+ZSNT=0,0,0'),
    },
    expect: (s, events) => {
      expect(s.network.bearerPreference).toBe('NETWORK_auto');
      expect(s.radio.technology).toBe('LTE');
      expect(events).toEqual(['technology-changed(LTE)']);
    },
  },
  {
    name: 'the automatic bearer preference on a 5G CPE comes back on EN-DC',
    profile: 'mc888',
    setup: (emu) => void emu.device.network.setBearerPreference('Only_LTE'),
    via: {
      goform: (d) => ok(d.goform.set('SET_BEARER_PREFERENCE', { BearerPreference: 'NETWORK_auto' })),
      at: (d) => atOk(d, '+ZSNT=0,0,0'),
    },
    expect: (s) => expect(s.radio.technology).toBe('ENDC'),
  },
  {
    name: 'asking for data dials and connects',
    setup: (emu) => emu.device.data.disconnect(true),
    via: {
      goform: (d) => ok(d.goform.set('CONNECT_NETWORK')),
      ubus: (d) => ubusOk(d, 'zwrt_data', 'set_wwaniface', { source_module: 'web', cid: 1, enable: 1 }),
      at: (d) => atOk(d, '+CGACT=1,1'),
      cloud: (d) => void d.cloud('set-preferences', { mobileData: true }),
    },
    expect: (s) => expect(s.connection.ppp).toBe('ppp_connected'),
  },
  {
    name: 'hanging up switches mobile data off',
    via: {
      goform: (d) => ok(d.goform.set('DISCONNECT_NETWORK')),
      ubus: (d) => ubusOk(d, 'zwrt_data', 'set_wwaniface', { source_module: 'web', cid: 1, enable: 0 }),
      at: (d) => atOk(d, '+CGACT=0,1'),
      cloud: (d) => void d.cloud('set-preferences', { mobileData: false }),
    },
    expect: (s) => {
      expect(s.connection.ppp).toBe('ppp_disconnected');
      expect(s.network.mobileData).toBe(false);
    },
  },
  {
    name: 'a sent SMS is in the router\'s sent box',
    via: {
      goform: (d) => ok(d.goform.set('SEND_SMS', { Number: '+4915100000077', MessageBody: '00680069', ID: '-1', encode_type: 'UNICODE' })),
      ubus: (d) => ubusOk(d, 'zwrt_wms', 'zte_libwms_send_sms', { number: '+4915100000077', sms_time: '26;01;01;00;00;05;+1', message_body: '00680069', id: '-1', encode_type: 'UNICODE' }),
      at: (d) => {
        atOk(d, '+CMGF=1');
        d.at.at('+CMGS="+4915100000077"');
        expect(d.at.send('hi\x1a')).toMatch(/\+CMGS: \d+\r\n\r\nOK\r\n$/);
      },
    },
    expect: (s) => {
      expect(s.sms.messages.at(-1)).toMatchObject({ number: '+4915100000077', text: 'hi', tag: 2 });
      expect(s.sms.cmdStatus['4']).toBe('3');
    },
  },
  {
    name: 'reading a new SMS marks it read and clears the new-message flag',
    setup: (emu) => void emu.device.sms.receive({ number: '+4915100000001', text: 'hello' }),
    via: {
      goform: (d) => ok(d.goform.set('SET_MSG_READ', { msg_id: `${d.emu.device.state.sms.messages.at(-1)!.id};`, tag: '0' })),
      ubus: (d) => ubusOk(d, 'zwrt_wms', 'zwrt_wms_modify_tag', { id: `${d.emu.device.state.sms.messages.at(-1)!.id};`, tag: 0 }),
      at: (d) => {
        atOk(d, '+CMGF=1');
        expect(d.at.at(`+CMGR=${d.emu.modem.index.indexOf(d.emu.device.state.sms.messages.at(-1)!)}`)).toMatch(/hello/);
      },
    },
    expect: (s) => {
      expect(s.sms.messages.at(-1)!.tag).toBe(0);
      expect(s.sms.receivedFlag).toBe(false);
    },
  },
  {
    name: 'the SMS centre number is set',
    via: {
      goform: (d) => ok(d.goform.set('SET_MESSAGE_CENTER', { MessageCenter: '+4917000000099', save_time: 'largest', status_save: '0' })),
      ubus: (d) => ubusOk(d, 'zwrt_wms', 'zte_wms_set_parameter', { sca: '+4917000000099', tp_validity_period: 255, status_report_on: '0', mem_store: 1 }),
      at: (d) => atOk(d, '+CSCA="+4917000000099",145'),
    },
    expect: (s) => expect(s.sms.smsc).toBe('+4917000000099'),
  },
  {
    name: 'a USSD request gets the network\'s answer',
    via: {
      goform: (d) => ok(d.goform.set('USSD_PROCESS', { USSD_operator: 'ussd_send', USSD_send_number: '*100#', notCallback: 'true' })),
      ubus: (d) => ubusOk(d, 'zwrt_ussd', 'libzte_ussd_web_process', { ussd_data: '*100#' }),
      at: (d) => atOk(d, '+CUSD=1,"*100#",15'),
    },
    expect: (s, events) => {
      expect(s.sms.ussd.flag).toBe('16');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatch(/^ussd-answer\(.*balance/);
    },
  },
  {
    name: 'a reboot takes the device down and back, ending sessions',
    settleMs: 1000,
    via: {
      goform: (d) => ok(d.goform.set('REBOOT_DEVICE')),
      ubus: (d) => ubusOk(d, 'zwrt_mc.device.manager', 'device_reboot', { moduleName: 'web' }),
      at: (d) => atOk(d, '+CFUN=1,1'),
      cloud: (d) => void d.cloud('reboot'),
      control: async (d) => void (await d.control.stimulus('reboot')),
    },
    expect: (s, events) => {
      expect(s.system.poweredOn).toBe(false);
      expect(events).toEqual(['reboot']);
    },
  },
  {
    name: 'accepting published firmware starts the download',
    setup: (emu) => emu.device.fota.publish({ version: 'BD_TEST_V2', sizeBytes: 50_000_000, description: 'fixes' }),
    settleMs: 1000,
    via: {
      goform: (d) => ok(d.goform.set('IF_UPGRADE', { select_op: '1' })),
      ubus: (d) => ubusOk(d, 'zwrt_zte_dm', 'confirm_download'),
      cloud: (d) => void d.cloud('start-fota'),
    },
    expect: (s) => expect(s.fota).toMatchObject({ upgradeState: 'downloading', selector: 'accept' }),
  },
  {
    name: 'Wi-Fi settings from the web UI and the app agree',
    via: {
      goform: (d) =>
        ok(d.goform.set('SET_WIFI_SSID1_SETTINGS', { ssid: 'routerlab', broadcastSsidEnabled: '0', MAX_Access_num: '8', security_mode: 'WPA2PSK', cipher: '1', passphrase: toBase64('secret-key-1'), NoForwarding: '0' })),
      cloud: (d) => void d.cloud('set-wifi', { ssid: 'routerlab', password: 'secret-key-1', maxAccess: 8 }),
      ubus: (d) => ubusOk(d, 'zwrt_wlan', 'set', { main_2g: { ssid: 'routerlab', hidden: '0', maxassoc: '8', encryption: 'psk2+ccmp', key: toBase64('secret-key-1'), isolate: '0' } }),
    },
    expect: (s) => expect(s.wifi.main).toMatchObject({ ssid: 'routerlab', password: 'secret-key-1', maxAccess: 8 }),
  },
]);
