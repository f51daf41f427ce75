// SMS send with sms_cmd polling at a steady arrival rate: k6 run -e ROUTER_URL=... scenarios/load/k6/sms-send.ts
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { detect, type Router } from './lib/goform.ts';
import { smsSend, stationRefresh } from './lib/flows.ts';

export const options: Options = {
  scenarios: {
    sms: { executor: 'ramping-arrival-rate', exec: 'send', startRate: 1, timeUnit: '1s', stages: [{ duration: '30s', target: 5 }, { duration: '30s', target: 5 }], preAllocatedVUs: 5, maxVUs: 20 },
    stations: { executor: 'ramping-vus', exec: 'stations', startVUs: 0, stages: [{ duration: '20s', target: 3 }, { duration: '40s', target: 3 }, { duration: '5s', target: 0 }] },
    burst: { executor: 'shared-iterations', exec: 'stations', vus: 4, iterations: 100, maxDuration: '1m', startTime: '30s' },
  },
  thresholds: {
    sms_send_duration: ['p(95)<5000'],
    http_req_failed: [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '10s' }],
    checks: ['rate>0.95'],
  },
};

const BASE = (__ENV.ROUTER_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
let router: Router | null = null;
const state = { loggedIn: false };
const r = (): Router => (router ??= detect(BASE, __ENV.ROUTER_PASSWORD ?? 'admin'));

export function send(): void {
  smsSend(r(), state, exec.vu.idInTest, exec.vu.iterationInScenario);
}

export function stations(): void {
  stationRefresh(r(), state);
}
