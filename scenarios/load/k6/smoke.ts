// scenarios/load/smoke.yaml for k6: k6 run -e ROUTER_URL=http://127.0.0.1:8080 scenarios/load/k6/smoke.ts
// (k6 >= 0.57 runs TypeScript directly; these files are type-checked against @types/k6 by npm test).
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { detect, type Router } from './lib/goform.ts';
import { appLogin, settingsWrite, smsList, webStatusPoll } from './lib/flows.ts';

export const options: Options = {
  scenarios: {
    'status-poll': { executor: 'constant-arrival-rate', exec: 'statusPoll', rate: 50, timeUnit: '1s', duration: '10s', preAllocatedVUs: 10, maxVUs: 20 },
    // After the web UI's phase: the single web session would otherwise be taken at random (see smoke.yaml).
    'app-login': { executor: 'constant-vus', exec: 'login', vus: 1, duration: '5s', startTime: '11s' },
    inbox: { executor: 'constant-arrival-rate', exec: 'inbox', rate: 5, timeUnit: '1s', duration: '10s', preAllocatedVUs: 2 },
    settings: { executor: 'per-vu-iterations', exec: 'settings', vus: 1, iterations: 10, maxDuration: '10s' },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<100'],
    'http_req_duration{scenario:status-poll}': ['p(99)<200'],
    checks: ['rate>0.99'],
    // Every flow gated on its own checks (k6 tags samples with their scenario).
    'checks{scenario:status-poll}': ['rate>0.99'],
    'checks{scenario:app-login}': ['rate>0.99'],
    'checks{scenario:inbox}': ['rate>0.99'],
    // Web UI flows on separate VUs share one firmware session: a settings write may land after another VU's login.
    'checks{scenario:settings}': ['rate>=0.8'],
    dropped_iterations: ['count<5'],
    login_duration: ['p(95)<500'],
  },
  tags: { suite: 'smoke' },
};

const BASE = (__ENV.ROUTER_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const PASSWORD = __ENV.ROUTER_PASSWORD ?? 'admin';

// Per VU (init code runs once per VU): the router's generation and whether this VU holds a session.
let router: Router | null = null;
const state = { loggedIn: false };
function r(): Router {
  router ??= detect(BASE, PASSWORD);
  return router;
}

export function statusPoll(): void {
  webStatusPoll(r(), state);
}

export function login(): void {
  appLogin(r(), state);
}

export function inbox(): void {
  smsList(r(), state);
}

export function settings(): void {
  settingsWrite(r(), state, exec.vu.iterationInScenario);
}
