import { isRegistered } from '../../state/derive.js';
import type { Operator } from '../../state/device-state.js';
import { cmeError, error, ok, type AtReply } from '../at-engine.js';
import type { AtCommand, AtContext } from '../modem-context.js';
import { atOutcome } from '../refusals.js';
import { accessTechnology, cbc, cesq, csqRssi, regStat, zpasTech } from '../mapping.js';

// SIM, power, signal, registration, operator, packet data, USSD and ZTE extensions (modem-at.md §3.2-§3.10, §4).

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** The +CREG/+CGREG/+CEREG/+C5GREG line for mode n (27.007 §7.2, §10.1.20, §10.1.22). */
export function registrationLine(ctx: { modem: AtContext['modem'] }, name: string, n: number, unsolicited: boolean): string {
  const s = ctx.modem.device.state;
  const stat = regStat(s);
  const head = unsolicited ? `${name}: ${stat}` : `${name}: ${n},${stat}`;
  if (n < 2 || (stat !== 1 && stat !== 5)) return head;
  const r = s.radio;
  const area = name === '+C5GREG' ? hex(r.tac, 6) : hex(r.tac, 4);
  return `${head},"${area}","${hex(r.cellId, 8)}",${accessTechnology(r.technology)}`;
}

const registration = (name: '+CREG' | '+CGREG' | '+CEREG' | '+C5GREG', key: 'creg' | 'cgreg' | 'cereg' | 'c5greg'): AtCommand => ({
  name,
  read: (c) => ok(registrationLine(c, name, c.settings[key], false)),
  test: () => ok(`${name}: (0-2)`),
  set: (c, inv) => {
    const n = Number(inv.args[0] ?? '0');
    if (!Number.isInteger(n) || n < 0 || n > 2) return c.settings.cmee ? cmeError(50) : error();
    c.settings[key] = n;
    return ok();
  },
});

function operatorName(op: Operator, format: number): string {
  return format === 2 ? op.mcc + op.mnc : format === 1 ? op.shortName : op.longName;
}

const needsNetwork = (c: AtContext): AtReply | null => (isRegistered(c.modem.device.state) ? null : cmeError(30));

export const networkCommands: AtCommand[] = [
  {
    name: '+CPIN',
    read: (c) => {
      const st = c.modem.device.state.sim.status;
      if (st === 'absent') return cmeError(10);
      const text = { ready: 'READY', pin: 'SIM PIN', puk: 'SIM PUK', 'network-locked': 'PH-NET PIN' }[st];
      return ok(`+CPIN: ${text}`);
    },
    test: () => ok(),
    set: (c, inv) => {
      const d = c.modem.device;
      const [code = '', newPin] = inv.args;
      // 27.007 §8.3: with a PUK pending the second parameter is the new PIN; a SIM not waiting for a code is the
      // device's refusal (+CME ERROR: 3).
      return atOutcome(c, d.state.sim.status === 'puk' ? d.sim.enterPuk(code, newPin ?? '') : d.sim.enterPin(code));
    },
  },
  {
    // Facility lock (27.007 §7.4): the SIM PIN ("SC") is the one facility of a router's modem. Mode 2 queries it;
    // 0/1 unlock/lock with the PIN, through the same rule as goform's ENABLE_PIN/DISABLE_PIN.
    name: '+CLCK',
    test: () => ok('+CLCK: ("SC")'),
    set: (c, inv) => {
      const [facility = '', mode = '', pin = ''] = inv.args;
      if (facility.toUpperCase() !== 'SC') return cmeError(4);
      const sim = c.modem.device.state.sim;
      if (mode === '2') return sim.status === 'absent' ? cmeError(10) : ok(`+CLCK: ${sim.pinEnabled ? 1 : 0}`);
      if (mode !== '0' && mode !== '1') return cmeError(50);
      return atOutcome(c, c.modem.device.sim.setPinLock({ enabled: mode === '1', pin }));
    },
  },
  { name: '+ZPINPUK', test: (c) => ok(`+ZPINPUK: ${c.modem.device.state.sim.pinAttemptsLeft},${c.modem.device.state.sim.pukAttemptsLeft}`) },
  {
    name: '+CFUN',
    read: (c) => ok(`+CFUN: ${c.modem.cfun}`),
    test: () => ok('+CFUN: (0,1,4),(0-1)'),
    set: (c, inv) => {
      const fun = Number(inv.args[0]);
      if (fun !== 0 && fun !== 1 && fun !== 4) return cmeError(50);
      c.modem.setFunctionality(fun);
      if (inv.args[1] === '1') c.modem.device.power.reboot();
      return ok();
    },
  },
  { name: '+CSQ', exec: (c) => ok(`+CSQ: ${csqRssi(c.modem.device.state)},99`), test: () => ok('+CSQ: (0-31,99),(0-7,99)') },
  { name: '+CESQ', exec: (c) => ok(`+CESQ: ${cesq(c.modem.device.state).join(',')}`), test: () => ok('+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)') },
  {
    name: '+ZRSSI',
    exec: (c) => needsNetwork(c) ?? zrssi(c),
    read: (c) => needsNetwork(c) ?? zrssi(c),
  },
  { name: '+ZPAS', read: (c) => ok(`+ZPAS: "${zpasTech(c.modem.device.state)}","PS_ONLY"`), exec: (c) => ok(`+ZPAS: "${zpasTech(c.modem.device.state)}","PS_ONLY"`) },
  {
    name: '+ZSNT',
    read: (c) => ok(`+ZSNT: ${zsnt(c.modem.device.state.network.bearerPreference)},0,0`),
    set: (c, inv) => {
      const cm = Number(inv.args[0]);
      const pref = ({ 0: 'NETWORK_auto', 1: 'Only_GSM', 2: 'Only_WCDMA', 6: 'Only_LTE' } as const)[cm as 0];
      if (!pref) return cmeError(50);
      return atOutcome(c, c.modem.device.network.setBearerPreference(pref));
    },
  },
  {
    name: '+ZCELLINFO',
    read: (c) => {
      const r = c.modem.device.state.radio;
      return needsNetwork(c) ?? ok(`+ZCELLINFO: ${hex(r.cellId, 7)},${r.operator.mcc}${r.operator.mnc},${hex(r.tac, 4)}`);
    },
  },
  registration('+CREG', 'creg'),
  registration('+CGREG', 'cgreg'),
  registration('+CEREG', 'cereg'),
  registration('+C5GREG', 'c5greg'),
  {
    name: '+COPS',
    read: (c) => {
      const s = c.modem.device.state;
      const mode = s.network.selectionMode === 'manual_select' ? 1 : 0;
      if (!isRegistered(s)) return ok(`+COPS: ${mode}`);
      // Alphanumeric names are in the +CSCS character set (27.007 §5.5): UCS2 hex after AT+CSCS="UCS2".
      const name = c.settings.copsFormat === 2 ? operatorName(s.radio.operator, 2) : c.modem.encodeString(operatorName(s.radio.operator, c.settings.copsFormat), c.settings);
      return ok(`+COPS: ${mode},${c.settings.copsFormat},"${name}",${accessTechnology(s.radio.technology)}`);
    },
    test: (c) => {
      const s = c.modem.device.state;
      if (s.sim.status !== 'ready') return cmeError(30);
      const enc = (t: string): string => c.modem.encodeString(t, c.settings);
      const list = s.radio.scanResults.map((r) => `(${r.stat},"${enc(r.operator.longName)}","${enc(r.operator.shortName)}","${r.operator.mcc}${r.operator.mnc}",${r.rat})`);
      return ok(`+COPS: ${list.join(',')},,(0-4),(0-2)`);
    },
    set: (c, inv) => {
      const d = c.modem.device;
      const [modeText, formatText, oper] = inv.args;
      const mode = Number(modeText);
      if (formatText !== undefined && formatText !== '') {
        const f = Number(formatText);
        if (f !== 0 && f !== 1 && f !== 2) return cmeError(50);
        c.settings.copsFormat = f;
      }
      if (mode === 3) return ok();
      if (mode === 0) {
        d.network.selectAutomatic();
        return ok();
      }
      if (mode === 2) {
        d.network.deregister();
        return ok();
      }
      if (mode !== 1 && mode !== 4) return cmeError(50);
      // Names come in the +CSCS character set; a numeric MCCMNC (format 2) is plain digits.
      const name = oper === undefined ? undefined : c.settings.copsFormat === 2 ? oper : c.modem.decodeString(oper, c.settings);
      if (name === undefined || name === null) return cmeError(50);
      const outcome = d.network.selectManual(name, inv.args[3] === undefined || inv.args[3] === '' ? undefined : Number(inv.args[3]));
      // 27.007 §7.3 mode 4: manual, falling back to automatic when the manual selection fails.
      if (outcome.refused && mode === 4 && outcome.refused !== 'sim-absent' && outcome.refused !== 'sim-locked') {
        d.network.selectAutomatic();
        return ok();
      }
      return atOutcome(c, outcome);
    },
  },
  {
    name: '+WS46',
    read: () => ok('+WS46: 25'),
    test: () => ok('+WS46: (12,22,25,28,29,30,31)'),
    set: () => ok(),
  },
  {
    name: '+CBC',
    exec: (c) => ok(`+CBC: ${cbc(c.modem.device.state).join(',')}`),
  },
  {
    name: '+CGATT',
    read: (c) => ok(`+CGATT: ${isRegistered(c.modem.device.state) ? 1 : 0}`),
    test: () => ok('+CGATT: (0,1)'),
    set: (c, inv) => {
      if (inv.args[0] === '0') c.modem.device.data.disconnect(true);
      else if (inv.args[0] === '1') return needsNetwork(c) ?? ok();
      else return cmeError(50);
      return ok();
    },
  },
  {
    name: '+CGDCONT',
    read: (c) => ok(...contexts(c).map(({ cid, pdp, apn }) => `+CGDCONT: ${cid},"${pdp}","${apn}","0.0.0.0",0,0`)),
    test: () => ok('+CGDCONT: (1-20),"IP",,,(0-2),(0-4)', '+CGDCONT: (1-20),"IPV6",,,(0-2),(0-4)', '+CGDCONT: (1-20),"IPV4V6",,,(0-2),(0-4)'),
    set: (c, inv) => {
      const cid = Number(inv.args[0]);
      if (!Number.isInteger(cid) || cid < 1 || cid > 20) return cmeError(50);
      const d = c.modem.device;
      if (inv.args.length === 1) {
        // 27.007 §10.1.1: +CGDCONT=<cid> undefines the context; an undefined one stays undefined.
        const outcome = d.settings.deleteApn(cid - 1);
        return outcome.refused === 'apn-slot-empty' ? ok() : atOutcome(c, outcome);
      }
      const pdp = (inv.args[1] ?? 'IP').toUpperCase();
      const pdpType = ({ IP: 'IP', IPV6: 'IPv6', IPV4V6: 'IPv4v6' } as const)[pdp as 'IP'];
      if (!pdpType) return cmeError(50);
      const apn = inv.args[2] ?? '';
      return atOutcome(c, d.settings.saveApn(cid - 1, { profileName: `cid${cid}`, apn, dial: '*99#', auth: 'none', username: '', password: '', pdpType, dnsMode: 'auto', dns1: '', dns2: '' }));
    },
  },
  {
    name: '+CGACT',
    read: (c) => ok(...contexts(c).map(({ cid }) => `+CGACT: ${cid},${cid === 1 && c.modem.device.state.connection.ppp === 'ppp_connected' ? 1 : 0}`)),
    test: () => ok('+CGACT: (0,1)'),
    set: (c, inv) => {
      const state = inv.args[0];
      if (state === '1') return atOutcome(c, c.modem.device.data.connect());
      if (state === '0') {
        c.modem.device.data.disconnect(true);
        return ok();
      }
      return cmeError(50);
    },
  },
  {
    name: '+CGPADDR',
    exec: (c) => ok(`+CGPADDR: 1,"${wanAddress(c)}"`),
    set: (c) => ok(`+CGPADDR: 1,"${wanAddress(c)}"`),
  },
  {
    name: '+CUSD',
    read: (c) => ok(`+CUSD: ${c.settings.cusd}`),
    test: () => ok('+CUSD: (0-2)'),
    set: (c, inv) => {
      const n = Number(inv.args[0] ?? '0');
      if (n === 2) return ok();
      if (n !== 0 && n !== 1) return cmeError(50);
      c.settings.cusd = n;
      const request = inv.args[1];
      if (request === undefined) return ok();
      const code = c.modem.decodeString(request, c.settings);
      if (code === null) return cmeError(50);
      return c.modem.ussd(c.port, code);
    },
  },
];

function zrssi(c: AtContext): AtReply {
  const r = c.modem.device.state.radio;
  return ok(`+ZRSSI: ${r.rsrpDbm},${r.rsrqDb},${r.rssiDbm},${r.sinrDb}`);
}

function zsnt(pref: string): number {
  return ({ Only_GSM: 1, Only_WCDMA: 2, Only_LTE: 6 } as Record<string, number>)[pref] ?? 0;
}

function contexts(c: AtContext): { cid: number; pdp: string; apn: string }[] {
  const a = c.modem.device.state.apn;
  const out = a.profiles.flatMap((p, i) => (p ? [{ cid: i + 1, pdp: p.pdpType.toUpperCase(), apn: p.apn }] : []));
  if (!a.profiles[0]) out.unshift({ cid: 1, pdp: a.autoProfile.pdpType.toUpperCase(), apn: a.autoProfile.apn });
  return out;
}

function wanAddress(c: AtContext): string {
  const conn = c.modem.device.state.connection;
  return conn.ppp === 'ppp_connected' ? conn.wanIpv4 : '0.0.0.0';
}
