import { cmeError, error, ok, type AtInvocation, type AtReply } from '../at-engine.js';
import type { AtCommand, AtContext, AtHandler } from '../modem-context.js';
import { cclkTime, efIccid, efSpn } from '../mapping.js';

// V.250 basic commands, error reporting, identity (modem-at.md §2, §3.1).

const flagSetter = (apply: (ctx: AtContext, value: number) => boolean): AtHandler =>
  (ctx, inv) => (apply(ctx, Number(inv.raw || '0')) ? ok() : error());

const accept: AtHandler = () => ok();

const simGuard = (ctx: AtContext): AtReply | null => {
  const sim = ctx.modem.device.state.sim.status;
  if (sim === 'absent') return cmeError(10);
  if (sim === 'pin') return cmeError(11);
  if (sim === 'puk') return cmeError(12);
  return null;
};

/** Read, test and set of numeric settings that a data-only modem accepts and reports back. */
function numberSetting(name: string, key: 'ifc' | 'cgerep', max: [number, number]): AtCommand {
  return {
    name,
    read: (c) => ok(`${name}: ${c.settings[key].join(',')}`),
    test: () => ok(`${name}: ${max.map((m) => `(0-${m})`).join(',')}`),
    set: (c, inv) => {
      const values = inv.args.map((a) => (a === '' ? 0 : Number(a)));
      if (values.length === 0 || values.length > 2 || values.some((v, i) => !Number.isInteger(v) || v < 0 || v > max[i]!)) return cmeError(50);
      values.forEach((v, i) => (c.settings[key][i] = v));
      return ok();
    },
  };
}

const identity = (pick: (ctx: AtContext) => string): AtHandler => (ctx) => ok(pick(ctx));

export const basicCommands: AtCommand[] = [
  { name: 'E', exec: flagSetter((c, v) => v <= 1 && ((c.settings.echo = v === 1), true)) },
  { name: 'V', exec: flagSetter((c, v) => v <= 1 && ((c.settings.verbose = v === 1), true)) },
  { name: 'Q', exec: flagSetter((c, v) => v <= 1 && ((c.settings.quiet = v === 1), true)) },
  { name: 'X', exec: flagSetter((_c, v) => v <= 4) },
  { name: 'L', exec: accept },
  { name: 'M', exec: accept },
  { name: 'H', exec: accept },
  { name: 'Z', exec: (c) => (c.port.reset(), ok()) },
  { name: '&F', exec: (c) => (c.port.reset(), ok()) },
  { name: '&C', exec: accept },
  { name: '&D', exec: accept },
  { name: '&W', exec: accept },
  { name: '&V', exec: (c) => ok(`E${Number(c.settings.echo)} Q${Number(c.settings.quiet)} V${Number(c.settings.verbose)}`) },
  {
    name: 'S',
    read: (c, inv) => ok(String(c.settings.s[Number(inv.raw)] ?? 0).padStart(3, '0')),
    set: (c, inv) => {
      const [reg, value] = inv.args.map(Number) as [number, number];
      if (!(value >= 0 && value <= 255) || !(reg >= 0 && reg <= 255)) return error();
      c.settings.s[reg] = value;
      return ok();
    },
  },
  // Dial-up (PPP) data calls are not emulated: ATD answers ERROR.
  { name: 'D', set: () => error() },
  {
    name: 'I',
    exec: (c) => {
      const d = c.modem.device;
      return ok('Manufacturer: ZTE CORPORATION', `Model: ${d.profile.model}`, `Revision: ${d.state.fota.currentVersion}`, `IMEI: ${d.state.identity.imei}`, '+GCAP: +CGSM,+DS,+ES');
    },
  },
  { name: '+GCAP', exec: () => ok('+GCAP: +CGSM,+DS,+ES') },
  {
    name: '+CMEE',
    read: (c) => ok(`+CMEE: ${c.settings.cmee}`),
    test: () => ok('+CMEE: (0-2)'),
    set: (c, inv) => {
      const n = Number(inv.args[0] ?? '0');
      if (n !== 0 && n !== 1 && n !== 2) return error();
      c.settings.cmee = n;
      return ok();
    },
  },
  // A data-only modem has no calls, but accepts call reporting the way a real ZTE stick does (modem-at.md §10).
  ...(['clip', 'crc', 'ccwa', 'cvhu'] as const).map((key): AtCommand => ({
    name: `+${key.toUpperCase()}`,
    // +CLIP?: <n>,<m> with m 2 (unknown: no calls); +CCWA?: <n>; +CRC?/+CVHU?: <n> (27.007 §7.6, §7.12, §6.11, §6.20).
    read: (c) => ok(`+${key.toUpperCase()}: ${c.settings[key]}${key === 'clip' ? ',2' : ''}`),
    test: () => ok(`+${key.toUpperCase()}: (0,1)`),
    set: (c, inv) => {
      const n = inv.args[0] ?? '0';
      if (n !== '0' && n !== '1') return cmeError(50);
      c.settings[key] = n === '1' ? 1 : 0;
      return ok();
    },
  })),
  {
    name: '+CCLK',
    read: (c) => ok(`+CCLK: "${cclkTime(c.modem.device.now(), c.modem.device.state.system.tzHours)}"`),
    set: (c, inv) => {
      // The router keeps network time (NITZ, goform nitz_sync_flag 1): a set time is checked and its zone kept.
      const m = /^(\d{2})\/(\d{2})\/(\d{2}),(\d{2}):(\d{2}):(\d{2})([+-]\d{2})$/.exec(inv.args[0] ?? '');
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return cmeError(50);
      const outcome = c.modem.device.settings.setTimeZone(Number(m[7]) / 4);
      return outcome.refused ? cmeError(50) : ok();
    },
    test: () => ok(),
  },
  // No calls on a data-only modem: the list of current calls is empty (27.007 §7.18).
  { name: '+CLCC', exec: () => ok(), test: () => ok() },
  // V.250 §6.2.12 flow control (DCE by DTE, DTE by DCE; 2 = RTS/CTS); 27.007 §10.1.19 packet event reporting.
  numberSetting('+IFC', 'ifc', [2, 2]),
  numberSetting('+CGEREP', 'cgerep', [2, 1]),
  {
    name: '+CTZU',
    read: (c) => ok(`+CTZU: ${c.settings.ctzu}`),
    test: () => ok('+CTZU: (0,1)'),
    set: (c, inv) => (inv.args[0] === '0' || inv.args[0] === '1' ? ((c.settings.ctzu = inv.args[0] === '1' ? 1 : 0), ok()) : cmeError(50)),
  },
  {
    // 27.007 §10.1.28: a data-only router runs EPS in "PS mode 2" (0), the only mode it accepts.
    name: '+CEMODE',
    read: () => ok('+CEMODE: 0'),
    test: () => ok('+CEMODE: (0)'),
    set: (_c, inv) => (inv.args[0] === '0' ? ok() : cmeError(4)),
  },
  { name: '+CLAC', exec: (c) => ok(...c.modem.table.names().filter((n) => n.startsWith('+')).map((n) => `AT${n}`)) },
  ...['+CGMI', '+GMI'].map((name) => ({ name, exec: identity(() => 'ZTE CORPORATION') })),
  ...['+CGMM', '+GMM'].map((name) => ({ name, exec: identity((c) => c.modem.device.profile.model) })),
  ...['+CGMR', '+GMR'].map((name) => ({ name, exec: identity((c) => c.modem.device.state.fota.currentVersion) })),
  ...['+CGSN', '+GSN'].map((name) => ({
    name,
    exec: identity((c) => c.modem.device.state.identity.imei),
    set: (c: AtContext, inv: AtInvocation) => (inv.args[0] === '1' ? ok(`+CGSN: "${c.modem.device.state.identity.imei}"`) : ok(c.modem.device.state.identity.imei)),
  })),
  { name: '+CIMI', exec: (c) => simGuard(c) ?? ok(c.modem.device.state.identity.imsi) },
  {
    name: '+CNUM',
    exec: (c) => simGuard(c) ?? ok(`+CNUM: "","${c.modem.device.state.identity.msisdn}",145`),
  },
  ...(['+CCID', '+ICCID', '+ZGETICCID'] as const).map((name) => ({
    name,
    exec: (c: AtContext) => (c.modem.device.state.sim.status === 'absent' ? cmeError(10) : ok(`${name}: ${c.modem.device.state.identity.iccid}`)),
    read: (c: AtContext) => (c.modem.device.state.sim.status === 'absent' ? cmeError(10) : ok(`${name}: ${c.modem.device.state.identity.iccid}`)),
  })),
  {
    name: '+CRSM',
    set: (c, inv) => {
      // Restricted SIM access: READ BINARY (176) of EF_ICCID (12258) is how ModemManager reads the ICCID.
      if (c.modem.device.state.sim.status === 'absent') return cmeError(10);
      const [cmd, file] = inv.args.map(Number);
      const s = c.modem.device.state;
      if (cmd === 176 && file === 12258) return ok(`+CRSM: 144,0,"${efIccid(s.identity.iccid)}"`);
      // EF_AD (31.102 §4.2.18): byte 4 is the MNC length, which splits the IMSI into MCC+MNC.
      if (cmd === 176 && file === 28589) return ok(`+CRSM: 144,0,"0000000${s.homeOperator.mnc.length}"`);
      if (cmd === 176 && file === 28486) return ok(`+CRSM: 144,0,"${efSpn(s.homeOperator.shortName)}"`);
      // 27.007 §8.18: a file the card does not have answers its status words (6A82 "file not found") and no data.
      return ok('+CRSM: 106,130');
    },
  },
];
