import { describe, expect, it } from 'vitest';
import { listProfiles, loadCarrier, loadProfile } from '../../../emulator/state/profile.js';

describe('device profiles', () => {
  it('ships the three login generations the issue names, plus SHA256(base64)', () => {
    const byEncoding = Object.fromEntries(listProfiles('goform').map((n) => [n, loadProfile(n).auth]));
    expect(byEncoding.mf79u).toMatchObject({ passwordEncoding: 'base64', ad: 'md5', cookie: 'stok' });
    expect(byEncoding.mc888).toMatchObject({ passwordEncoding: 'sha256-ld', ad: 'sha256', cookie: 'stok' });
    expect(byEncoding.mf823).toMatchObject({ passwordEncoding: 'base64', ad: 'none', cookie: null });
    expect(byEncoding.mf286d).toMatchObject({ passwordEncoding: 'sha256-base64', ad: 'md5' });
  });

  it('loads every profile and its carriers, each with a source note', () => {
    for (const name of listProfiles()) {
      const p = loadProfile(name);
      expect(p._meta.source.length).toBeGreaterThan(10);
      expect(loadCarrier(p.homeCarrier).mcc).toMatch(/^\d{3}$/);
      expect(loadCarrier(p.roamingCarrier).mcc).not.toBe(loadCarrier(p.homeCarrier).mcc);
    }
  });

  it('names the known profiles when asked for an unknown one', () => {
    expect(() => loadProfile('mf999')).toThrow(/no profiles fixture "mf999"; known: .*mf79u/);
    expect(() => loadProfile('../etc')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
