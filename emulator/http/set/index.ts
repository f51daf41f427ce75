// The goform write table: every goformId the emulator implements, by name. Data only.
import { networkSets } from './network-sets.js';
import { sessionSets, simSets } from './session-sets.js';
import type { SetDef } from './set-def.js';
import { shareSets } from './share-sets.js';
import { smsSets } from './sms-sets.js';
import { systemSets } from './system-sets.js';
import { wifiSets } from './wifi-sets.js';

export const SET_HANDLERS: ReadonlyMap<string, SetDef> = new Map(
  Object.entries({ ...sessionSets, ...simSets, ...networkSets, ...smsSets, ...wifiSets, ...systemSets, ...shareSets }),
);

export { BadField } from './set-def.js';
export type { SetContext, SetDef } from './set-def.js';
