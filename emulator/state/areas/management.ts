import type { DeviceCore } from '../core.js';
import { managementSchema, type ManagementState } from '../device-state.js';
import { DONE, refuse, type Outcome } from '../outcome.js';

/** Remote management settings (TR-181 ManagementServer, device-management.md §2.3): what an ACS and the CLI set. */
export interface ManagementApi {
  /**
   * Change settings (partial), validated as a whole: refuses `invalid` naming the first bad value (a URL that is not
   * http(s), an interval below 1 s, a retry multiplier outside 1000-65535...) and changes nothing then.
   */
  configure(input: Partial<ManagementState>): Outcome;
  /**
   * TR-181 `Device.SelfTestDiagnostics()`: what the router can tell about itself from its own state. Complete when it
   * runs with a ready SIM registered on a network; Error_Other otherwise; Error_Internal when it is not running.
   * `results` names each check (sim, registration, technology, data, rsrp).
   */
  selfTest(): { status: 'Complete' | 'Error_Other' | 'Error_Internal'; results: string };
}

const URL_RE = /^https?:\/\/[^\s/?#]+(:\d{1,5})?([/?#][^\s]*)?$/i;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

export function createManagementArea(core: DeviceCore): ManagementApi {
  return {
    configure(input) {
      const next = { ...core.state.management, ...input };
      const parsed = managementSchema.safeParse(next);
      if (!parsed.success) return refuse('invalid', `management settings: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
      if (next.url !== '' && !URL_RE.test(next.url)) return refuse('invalid', `ManagementServer.URL "${next.url}" is not an http(s) URL`);
      if (!DATE_TIME_RE.test(next.periodicInformTime)) return refuse('invalid', `PeriodicInformTime "${next.periodicInformTime}" is not a dateTime`);
      core.mutate((s) => {
        s.management = parsed.data;
      });
      return DONE;
    },
    selfTest() {
      const s = core.state;
      if (!s.system.poweredOn) return { status: 'Error_Internal', results: 'the device is not running' };
      const results = [`sim=${s.sim.status}`, `registration=${s.radio.registration}`, `technology=${s.radio.technology}`, `data=${s.connection.ppp}`, `rsrp=${s.radio.rsrpDbm}dBm`].join(';');
      const ok = s.sim.status === 'ready' && (s.radio.registration === 'home' || s.radio.registration === 'roaming');
      return { status: ok ? 'Complete' : 'Error_Other', results };
    },
  };
}
