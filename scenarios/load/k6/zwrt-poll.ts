// scenarios/load/zwrt-poll.yaml for k6: k6 run -e ROUTER_URL=http://127.0.0.1:8080 scenarios/load/k6/zwrt-poll.ts
// (a ZWRT router or `routerlab serve --profile g5ts`; type-checked against @types/k6 by npm test, not run here).
import type { Options } from 'k6/options';
import { ubusLogin, ubusStatusPoll } from './lib/flows.ts';
import { ZERO_SID, type ZwrtRouter } from './lib/ubus.ts';

export const options: Options = {
  scenarios: {
    'status-poll': { executor: 'constant-arrival-rate', exec: 'statusPoll', rate: 20, timeUnit: '1s', duration: '10s', preAllocatedVUs: 5, maxVUs: 10 },
    // After the poll phase: ZWRT firmware holds one web session, a login takes it over (ubus-api.md §4.7).
    logins: { executor: 'constant-vus', exec: 'logins', vus: 1, duration: '3s', startTime: '11s' },
  },
  thresholds: {
    'checks{scenario:status-poll}': ['rate>0.99'],
    'checks{scenario:logins}': ['rate>0.99'],
    http_req_failed: ['rate<0.01'],
    'http_req_duration{scenario:status-poll}': ['p(95)<500'],
  },
  tags: { suite: 'zwrt' },
};

const BASE = (__ENV.ROUTER_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const PASSWORD = __ENV.ROUTER_PASSWORD ?? 'admin';

// Per VU: its own session (each k6 VU is a browser of its own here).
const router: ZwrtRouter = { base: BASE, password: PASSWORD, sid: ZERO_SID };

export function statusPoll(): void {
  ubusStatusPoll(router);
}

export function logins(): void {
  ubusLogin(router);
}
