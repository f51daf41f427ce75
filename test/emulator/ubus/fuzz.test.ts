import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../emulator/index.js';
import { UBUS_OBJECTS } from '../../../emulator/ubus/objects/index.js';
import { createTestEmulator } from '../../helpers/emulator.js';
import { UbusProbe, ZERO_SID } from '../../helpers/ubus.js';

// Random and mutated JSON-RPC bodies (seeded, so a failure repeats): the surface never throws, always answers
// JSON in its envelope without a stack trace, and a request whose every call is refused changes nothing.

let emu: Emulator;
let probe: UbusProbe;
beforeAll(() => {
  emu = createTestEmulator({ profile: 'g5ultra', onUnhandled: 'silent' });
  probe = new UbusProbe(emu);
  probe.login();
});
afterAll(async () => {
  await emu.close();
});

const objects = Object.keys(UBUS_OBJECTS);
const methodsOf = (o: string): string[] => Object.keys(UBUS_OBJECTS[o]!.methods);

const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(''), fc.constant('0'), fc.constant('1'));
const args = fc.dictionary(fc.oneof(fc.constantFrom('id', 'enable', 'net_select', 'password', 'number', 'message_body', 'sms_time', 'main_2g', 'tag', 'config', 'section', 'start_id', 'end_id', 'profileId', 'pdpType'), fc.string({ maxLength: 8 })), fc.oneof(scalar, fc.dictionary(fc.string({ maxLength: 6 }), scalar, { maxKeys: 3 })), { maxKeys: 5 });

const element = fc.record({
  jsonrpc: fc.oneof(fc.constant('2.0'), scalar),
  id: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)),
  method: fc.oneof(fc.constant('call'), fc.constant('call'), fc.constant('list'), scalar),
  params: fc.oneof(
    fc.tuple(fc.constantFrom(ZERO_SID, 'stale', 'x'), fc.constantFrom(...objects, 'nope'), fc.string({ maxLength: 20 }), args),
    fc.constantFrom(...objects).chain((o) => fc.tuple(fc.constant('SID'), fc.constant(o), fc.constantFrom(...methodsOf(o)), args)),
    fc.array(scalar, { maxLength: 5 }),
    scalar,
  ),
}, { requiredKeys: [] });

function check(body: string): void {
  const before = JSON.stringify(emu.device.snapshot());
  const text = probe.raw(body);
  expect(text).not.toMatch(/\n\s+at |Error:/);
  const parsed = JSON.parse(text) as unknown;
  const answers = (Array.isArray(parsed) ? parsed : [parsed]) as { jsonrpc: string; result?: unknown; error?: { code: number } }[];
  for (const a of answers) {
    expect(a.jsonrpc).toBe('2.0');
    expect(a.result !== undefined || a.error !== undefined).toBe(true);
  }
  const anyDone = answers.some((a) => Array.isArray(a.result) ? a.result[0] === 0 : a.result !== undefined);
  if (!anyDone) expect(JSON.stringify(emu.device.snapshot())).toBe(before);
}

describe('ubus fuzz', () => {
  it('answers random JSON-RPC batches in its envelope and changes nothing when every call is refused', () => {
    fc.assert(
      fc.property(fc.oneof(element.map((e) => [e]), fc.array(element, { maxLength: 6 }), element), (body) => {
        check(JSON.stringify(body).replaceAll('"SID"', JSON.stringify(probe.sid)));
      }),
      { seed: 2301, numRuns: 1500 },
    );
  });

  it('answers mutated and truncated bodies of real requests', () => {
    const real = JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'call', params: [probe.sid, 'zwrt_wlan', 'set', { main_2g: { ssid: 'X', key: 'YWJjZGVmZ2g=' } }] },
      { jsonrpc: '2.0', id: 2, method: 'call', params: [probe.sid, 'zwrt_wms', 'zte_libwms_send_sms', { number: '+491', sms_time: '26;01;01;00;00;00;+1', message_body: '0041', id: '-1' }] },
    ]);
    fc.assert(
      fc.property(fc.nat(real.length), fc.nat(real.length), fc.string({ maxLength: 4 }), (at, cut, insert) => {
        const text = `${real.slice(0, Math.min(at, cut))}${insert}${real.slice(Math.max(at, cut))}`;
        check(text);
      }),
      { seed: 2302, numRuns: 1500 },
    );
  });
});
