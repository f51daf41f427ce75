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
  };
}
