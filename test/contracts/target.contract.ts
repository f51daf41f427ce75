import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLuhnValid } from '../../emulator/state/identity.js';
import type { CapabilityName, Target } from '../../hil/index.js';

// The Target contract suite: the same behaviour, run against every driver (STYLE.md 7.5, Hono's runTest).
// Not run by itself; test/hil/drivers/*.test.ts and test/hardware/*.hil.test.ts call runTargetContract.

export interface TargetContractOptions {
  name: string;
  create: () => Promise<Target>;
  /** The capabilities this target must offer; tests of the others are skipped, saying which is missing. */
  capabilities: CapabilityName[];
  /** Whether stimuli and journal checks may change the device (never on shared hardware). */
  mutates?: boolean;
}

export function runTargetContract(options: TargetContractOptions): void {
  const has = (c: CapabilityName): boolean => options.capabilities.includes(c);
  describe(`Target contract: ${options.name}`, () => {
    let target: Target;
    beforeAll(async () => {
      target = await options.create();
    }, 30_000);
    afterAll(async () => {
      await target?.close();
    });

    it('describes itself with exactly the capabilities it declares', () => {
      const d = target.describe();
      expect(d.id).toBe(target.id);
      expect([...d.capabilities].sort()).toEqual([...options.capabilities].sort());
      for (const c of ['router', 'modem', 'stimuli', 'clock', 'journal', 'power', 'cloud', 'state', 'reset', 'rules'] as const) expect(target.has(c)).toBe(has(c));
    });

    it('require() gives each declared capability and throws CAPABILITY_MISSING naming each one it lacks', () => {
      for (const c of ['router', 'modem', 'stimuli', 'clock', 'journal', 'power', 'cloud', 'state', 'reset', 'rules'] as const) {
        if (has(c)) expect(target.require(c), c).toBeTypeOf('object');
        else expect(() => target.require(c)).toThrow(expect.objectContaining({ code: 'CAPABILITY_MISSING', details: { capability: c } }));
      }
    });

    it.skipIf(!has('router'))('router: reads identity and status after login (needs router)', async () => {
      const router = target.require('router');
      const keys = await router.get(['loginfo', 'imei', 'modem_main_state', 'signalbar']);
      expect(keys.loginfo).toBe('ok');
      expect(isLuhnValid(keys.imei ?? '')).toBe(true);
      expect(Number(keys.signalbar)).toBeGreaterThanOrEqual(0);
    });

    it.skipIf(!has('modem'))('modem: answers identity and signal in 27.007 form (needs modem)', async () => {
      const modem = target.require('modem');
      const imei = (await modem.command('AT+CGSN')).lines[0] ?? '';
      expect(isLuhnValid(imei)).toBe(true);
      expect((await modem.command('AT+CSQ')).lines[0]).toMatch(/^\+CSQ: \d{1,2},\d{1,2}$/);
      await expect(modem.command('AT+NOSUCHCOMMAND')).rejects.toMatchObject({ code: expect.stringMatching(/^AT_(CME_)?ERROR$/) as unknown });
    });

    it.skipIf(!has('router') || !has('modem'))('router and modem agree on the identity (needs router and modem)', async () => {
      const imei = (await target.require('modem').command('AT+CGSN')).lines[0];
      expect((await target.require('router').get(['imei'])).imei).toBe(imei);
    });

    it.skipIf(!has('state') || !has('router'))('state: the state document agrees with the router surface (needs state and router)', async () => {
      const state = (await target.require('state').get()) as { identity: { imei: string } };
      expect((await target.require('router').get(['imei'])).imei).toBe(state.identity.imei);
    });

    it.skipIf(!has('rules') || !has('router') || !has('journal'))('rules: a rule answers the next matching read in goform terms, is counted, journaled and removed (needs rules, router, journal)', async () => {
      const rules = target.require('rules');
      const r = await rules.add({ surface: 'goform', match: { name: 'signalbar' }, action: { kind: 'patch', fields: { signalbar: '0' } }, times: 1 });
      expect((await target.require('router').get(['signalbar', 'network_type'])).signalbar).toBe('0');
      expect((await rules.list()).find((x) => x.id === r.id)).toMatchObject({ matched: 1, fired: 1, spent: true });
      expect(await target.require('journal').query({ surface: 'goform', kind: 'rule', name: r.id })).toHaveLength(1);
      await expect(rules.add({ surface: 'goform', action: { kind: 'nope' } } as never)).rejects.toThrow(/action/);
      await rules.clear();
      expect(await rules.list()).toEqual([]);
    });

    it.skipIf(!has('reset') || !has('router') || !has('stimuli'))('reset: the device starts over (state, seed) and the router logs in again (needs reset, router, stimuli)', async () => {
      const before = await target.require('router').get(['imei', 'SSID1', 'signalbar']);
      await target.require('stimuli').apply('signal', { bars: 1 });
      await target.require('router').set('SET_WIFI_SSID1_SETTINGS', { ssid: 'Changed-Before-Reset', broadcastSsidEnabled: '0', MAX_Access_num: '8', security_mode: 'OPEN', NoForwarding: '0' });
      await target.require('reset').reset({ seed: 1 });
      const fresh = await target.require('router').get(['imei', 'SSID1', 'signalbar', 'loginfo']);
      expect(fresh.loginfo).toBe('ok');
      expect(fresh.SSID1).not.toBe('Changed-Before-Reset');
      // Seed 1 is the default device: the same identity as a fresh one started with it.
      await target.require('reset').reset({ seed: 2 });
      const other = await target.require('router').get(['imei']);
      expect(other.imei).not.toBe(fresh.imei);
      await target.require('reset').reset({ seed: 1 });
      expect((await target.require('router').get(['imei'])).imei).toBe(fresh.imei);
      void before;
    });

    it.skipIf(!has('cloud'))('cloud: the device answers a command on its cloud channel (needs cloud)', async () => {
      const { CloudClient } = await import('../../hil/index.js');
      const endpoint = await target.require('cloud').endpoint();
      expect(endpoint.url).toMatch(/^(mqtts?|wss?):\/\//);
      const cloud = await CloudClient.connect({ url: endpoint.url, topicPrefix: endpoint.topicPrefix });
      try {
        await cloud.watch(endpoint.deviceId);
        const answer = await cloud.command(endpoint.deviceId, { command: 'info' });
        expect(answer.ok).toBe(true);
        if (has('router')) expect((answer.result as { identity: { imei: string } }).identity.imei).toBe((await target.require('router').get(['imei'])).imei);
      } finally {
        await cloud.close();
      }
    });

    it.skipIf(!has('clock'))('clock: time moves forward (needs clock)', async () => {
      const clock = target.require('clock');
      const t0 = await clock.now();
      await clock.advance(20);
      expect(await clock.now()).toBeGreaterThanOrEqual(t0 + 20);
    });

    it.skipIf(!has('router') || !options.mutates)('router: an SMS sent is listed as sent (needs router, mutates)', async () => {
      const router = target.require('router');
      await router.sendSms('+4915112345678', 'contract ✓');
      expect((await router.listSms()).some((m) => m.text === 'contract ✓' && m.tag === 2)).toBe(true);
    });

    it.skipIf(!has('modem') || !options.mutates)('modem: an SMS sent as PDU gets a message reference (needs modem, mutates)', async () => {
      const refs = await target.require('modem').sendSms('+4915112345678', 'contract via AT');
      expect(refs).toHaveLength(1);
      expect(refs[0]).toBeGreaterThanOrEqual(0);
    });

    it.skipIf(!has('stimuli') || !options.mutates)('stimuli: roaming is seen on every surface (needs stimuli)', async () => {
      await target.require('stimuli').apply('registration', { registration: 'roaming' });
      if (has('router')) expect((await target.require('router').get(['simcard_roam'])).simcard_roam).toBe('International');
      if (has('modem')) expect((await target.require('modem').command('AT+CREG?')).lines[0]).toMatch(/^\+CREG: \d,5/);
      await target.require('stimuli').apply('registration', { registration: 'home' });
      await expect(target.require('stimuli').apply('registration', { registration: 'moon' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });

    it.skipIf(!has('journal') || !has('router'))('journal: records what the router client read (needs journal and router)', async () => {
      await target.require('router').get(['sms_unread_num', 'signalbar']);
      const entries = await target.require('journal').query({ surface: 'goform', name: 'sms_unread_num' });
      expect(entries.length).toBeGreaterThan(0);
    });
  });
}
