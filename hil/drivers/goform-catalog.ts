import { aggregates, PLAIN_KEYS } from '../../emulator/http/keys/index.js';
import { SET_HANDLERS } from '../../emulator/http/set/index.js';
import { listProfiles, loadProfile } from '../../emulator/state/profile.js';

// The goform keys and goformIds routerlab's profiles answer (emulator/http/keys and set): what a scenario's goform
// expectations and steps may name, checked at load time against the scenario's profile.

export interface GoformCatalog {
  /** Every key some profile answers, with the profiles that answer it (aggregate commands: every goform profile). */
  keys: ReadonlyMap<string, readonly string[]>;
  /** Every goformId the emulator handles. */
  goformIds: readonly string[];
  /** The goform-generation profiles (ubus ones have no goform keys). */
  profiles: readonly string[];
}

let cached: GoformCatalog | null = null;

export function goformCatalog(): GoformCatalog {
  if (cached) return cached;
  const profiles = listProfiles('goform').map(loadProfile);
  const keys = new Map<string, string[]>();
  for (const [name, def] of PLAIN_KEYS) keys.set(name, profiles.filter((p) => p.keyGroups.includes(def.group)).map((p) => p.name));
  for (const name of Object.keys(aggregates)) keys.set(name, profiles.map((p) => p.name));
  cached = { keys, goformIds: [...SET_HANDLERS.keys()], profiles: profiles.map((p) => p.name) };
  return cached;
}
