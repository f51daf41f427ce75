import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../../emulator/index.js';
import { defineLoadProfile, jsonSummary, junitSummary, textHeader, textSummary, type K6SummaryData, parseThreshold, parseThresholds, Registry, runLoad, stageValue, summarySchema, type LoadProfileInput, type LoadSummary } from '../../../scenarios/load/index.js';

// The load engine on loopback against an emulator in this process: real flows run exact iteration counts,
// thresholds pass and fail as written, summaries validate. No assertion here depends on wall-clock rates.

let emu: Emulator;
let url: string;
beforeAll(async () => {
  emu = createEmulator({ onUnhandled: 'silent', journalCapacity: 100 });
  url = await emu.listen({ port: 0 });
});
afterAll(async () => {
  await emu.close();
});

async function run(scenarios: LoadProfileInput['scenarios'], thresholds: LoadProfileInput['thresholds'] = {}): Promise<LoadSummary> {
  return runLoad(defineLoadProfile({ name: 't', scenarios, thresholds }), { urls: [url], password: 'admin' });
}

const count = (s: LoadSummary, metric: string): number => s.metrics[metric]!.values.count!;

describe('load executors against a real router surface', () => {
  // Schedules, rates, drops and ramps are tested on a simulated clock (executors.test.ts); here only what does not
  // depend on wall time: exact iteration counts with real HTTP flows, and the ramp's shape as a function.
  it('per-vu and shared iterations run exactly their counts with real flows', async () => {
    const summary = await runLoad(defineLoadProfile({ name: 'c', scenarios: { per: { executor: 'per-vu-iterations', flow: 'station-refresh', vus: 2, iterations: 7 }, shared: { executor: 'shared-iterations', flow: 'sms-list', vus: 3, iterations: 10 } }, thresholds: { 'iterations{scenario:per}': ['count==14'], 'iterations{scenario:shared}': ['count==10'] } }), { urls: [url], password: 'admin' });
    expect(summary.thresholds.map((t) => [t.threshold, t.ok, t.actual])).toEqual([
      ['iterations{scenario:per}: count==14', true, 14],
      ['iterations{scenario:shared}: count==10', true, 10],
    ]);
    expect(summary.metrics.checks!.values.rate).toBe(1);
    expect(count(summary, 'http_reqs')).toBeGreaterThanOrEqual(24);
  });

  it('k6 ramps linearly between stage targets', () => {
    expect(stageValue(0, [{ duration: '10s', target: 10 }], 5000)).toBe(5);
    expect(stageValue(4, [{ duration: '2s', target: 4 }, { duration: '2s', target: 0 }], 3000)).toBe(2);
    expect(stageValue(0, [{ duration: '1s', target: 1 }], 1001)).toBeNull();
  });
});

describe('ZWRT flows', () => {
  it('run the stock status batch and the login over ubus, sharing the router session, every request recorded', async () => {
    const zwrt = createEmulator({ profile: 'g5ts', onUnhandled: 'silent', journalCapacity: 1000 });
    const base = await zwrt.listen({ port: 0 });
    try {
      const s = await runLoad(
        defineLoadProfile({ name: 'z', scenarios: { poll: { executor: 'per-vu-iterations', flow: 'ubus-status-poll', vus: 3, iterations: 5 } }, thresholds: { 'iterations{scenario:poll}': ['count==15'] } }),
        { urls: [base], password: 'admin' },
      );
      expect(s.thresholds.map((t) => [t.threshold, t.ok])).toEqual([['iterations{scenario:poll}: count==15', true]]);
      expect(count(s, 'http_reqs')).toBeGreaterThanOrEqual(15 + 2);
      expect(s.metrics.checks!.values.rate).toBe(1);
      expect(zwrt.journal.query({ surface: 'ubus', name: 'zte_nwinfo_api.nwinfo_get_netinfo' }).length).toBeGreaterThanOrEqual(15);
      // The poll's VUs shared one web session, as the tabs of one browser: one login for the three of them.
      expect(zwrt.journal.query({ surface: 'ubus', name: 'zwrt_web.web_login' })).toHaveLength(1);
      const login = await runLoad(defineLoadProfile({ name: 'l', scenarios: { login: { executor: 'per-vu-iterations', flow: 'ubus-login', vus: 1, iterations: 2 } } }), { urls: [base], password: 'admin' });
      expect(login.metrics.checks!.values.rate).toBe(1);
      expect(zwrt.journal.query({ surface: 'ubus', name: 'zwrt_web.web_logout' })).toHaveLength(2);
    } finally {
      await zwrt.close();
    }
  });
});

describe('thresholds', () => {
  it('pass and fail as written, on sub-metrics too', async () => {
    const s = await run(
      { poll: { executor: 'per-vu-iterations', flow: 'web-status-poll', vus: 2, iterations: 20 } },
      {
        http_req_duration: ['p(95)<5000', 'max<0.000001'],
        'http_req_duration{flow:web-status-poll}': ['avg>0'],
        http_req_failed: ['rate<0.01'],
        http_reqs: ['count>=40'],
        iterations: ['count==40', 'count!=40'],
      },
    );
    expect(s.thresholds.map((t) => [t.threshold, t.ok])).toEqual([
      ['http_req_duration: p(95)<5000', true],
      ['http_req_duration: max<0.000001', false],
      ['http_req_duration{flow:web-status-poll}: avg>0', true],
      ['http_req_failed: rate<0.01', true],
      ['http_reqs: count>=40', true],
      ['iterations: count==40', true],
      ['iterations: count!=40', false],
    ]);
    expect(s.ok).toBe(false);
    expect(Object.keys(s.submetrics)).toEqual(['http_req_duration{flow:web-status-poll}']);
  });

  it('refuse malformed thresholds before the run, naming what is wrong', () => {
    const typeOf = (n: string): 'trend' | 'rate' | undefined => (n === 'http_req_duration' ? 'trend' : n === 'http_req_failed' ? 'rate' : undefined);
    expect(() => parseThreshold('http_req_duration', 'p95<50', typeOf)).toThrow(/has no aggregation "p"|must be <aggregation> <op> <value>/);
    expect(() => parseThreshold('http_req_duration', 'p(101)<50', typeOf)).toThrow(/no aggregation "p\(101\)"|percentile/);
    expect(() => parseThreshold('http_req_failed', 'p(95)<0.1', typeOf)).toThrow(/a rate metric \(http_req_failed\) has no aggregation "p\(95\)"/);
    expect(() => parseThreshold('nope', 'avg<1', typeOf)).toThrow(/unknown metric "nope"/);
    expect(() => parseThreshold('http_req_duration{flow}', 'avg<1', typeOf)).toThrow(/tag "flow" must be key:value/);
    expect(parseThreshold('http_req_duration{flow:a,method:GET}', ' p(99.9) <= 12.5 ', typeOf)).toMatchObject({ metric: 'http_req_duration', tags: { flow: 'a', method: 'GET' }, aggregation: 'p(99.9)', op: '<=', value: 12.5 });
    expect(() => parseThresholds(defineLoadProfile({ name: 'x', scenarios: { a: { executor: 'constant-vus', flow: 'web-status-poll', vus: 1, duration: '1s' } }, thresholds: { checks: ['p(95)<1'] } }))).toThrow(/rate metric \(checks\)/);
  });

  it('abortOnFail stops the run early and says why', async () => {
    const s = await runLoad(defineLoadProfile({
      name: 'abort',
      scenarios: { poll: { executor: 'constant-vus', flow: 'web-status-poll', vus: 1, duration: '20s' } },
      thresholds: { http_reqs: [{ threshold: 'count<10', abortOnFail: true }] },
    }), { urls: [url], password: 'admin' });
    // It stopped on the threshold, not at the scenario's 20 s (the exact time is tested on the simulated clock).
    expect(s.aborted).toMatch(/^threshold http_reqs: count<10 failed \(\d+\) with abortOnFail$/);
    expect(s.ok).toBe(false);
  });

  it('the registry keeps custom metrics and refuses a type clash', () => {
    const r = new Registry();
    r.metric('sms_send_duration', 'trend').add(12, { flow: 'sms-send' });
    expect(r.get('sms_send_duration')!.aggregate('p(50)', {}, 1)).toBeCloseTo(12, 1);
    expect(() => r.metric('sms_send_duration', 'counter')).toThrow(/is a trend, not a counter/);
    r.destroy();
  });
});

describe('summaries', () => {
  it('the JSON summary is the data k6 gives handleSummary, read the way a handleSummary script reads it', async () => {
    const s = await run(
      { poll: { executor: 'per-vu-iterations', flow: 'web-status-poll', vus: 2, iterations: 5 } },
      { http_req_duration: ['p(95)<5000'], 'http_req_duration{flow:web-status-poll}': ['max<0.000001'], checks: ['rate>0.99'] },
    );
    const data = JSON.parse(jsonSummary(s)) as K6SummaryData;
    // What a handleSummary(data) script does with it:
    const failed = Object.entries(data.metrics).flatMap(([name, m]) => Object.entries(m.thresholds ?? {}).filter(([, t]) => !t.ok).map(([expr]) => `${name}: ${expr}`));
    expect(failed).toEqual(['http_req_duration{flow:web-status-poll}: max<0.000001']);
    expect(data.metrics.http_req_duration!.thresholds).toEqual({ 'p(95)<5000': { ok: true } });
    expect(data.metrics.http_req_duration!.values['p(95)']).toBeGreaterThan(0);
    expect(Object.keys(data.metrics.iteration_duration!.values)).toEqual(data.options.summaryTrendStats);
    expect(data.metrics.http_req_duration).toMatchObject({ type: 'trend', contains: 'time' });
    expect(data.metrics.data_received).toMatchObject({ type: 'counter', contains: 'data' });
    expect(data.metrics.data_received!.values.count).toBeGreaterThan(data.metrics.data_sent!.values.count!);
    expect(data.metrics.http_req_failed).toMatchObject({ type: 'rate', contains: 'default', values: { rate: 0, passes: 0 } });
    expect(data.metrics.http_reqs!.values.count).toBe(data.metrics.http_req_failed!.values.fails);
    expect(data.metrics.checks).toMatchObject({ type: 'rate', values: { rate: 1 }, thresholds: { 'rate>0.99': { ok: true } } });
    // Named checks per flow (status, shape, expected value), in root_group as k6 lists them.
    expect(data.root_group.checks.map((c) => [c.name, c.path, c.passes, c.fails])).toEqual([
      ['status poll: status is 200', '::status poll: status is 200', 10, 0],
      ['status poll: has every key', '::status poll: has every key', 10, 0],
      ['status poll: logged in', '::status poll: logged in', 10, 0],
    ]);
    expect(data.state.testRunDurationMs).toBeGreaterThan(0);
    expect(data.routerlab).toMatchObject({ name: 't', ok: false, aborted: null });
    // And the end-of-test text in k6's layout.
    const text = textSummary(s).join('\n');
    expect(text).toMatch(/█ THRESHOLDS[\s\S]*http_req_duration\{flow:web-status-poll\}\n\s+✗ 'max<0\.000001' max=/);
    expect(text).toMatch(/checks_succeeded\.+: 100\.00% 30 out of 30/);
    expect(text).toMatch(/\n\s+HTTP\n[\s\S]*http_req_failed\.+: 0\.00% 0 out of \d+/);
    expect(text).toMatch(/\n\s+NETWORK\n\s+data_received\.+: [\d.]+ (B|kB)/);
  });

  it('JSON validates against its schema and JUnit has a testcase per threshold', async () => {
    const s = await run({ poll: { executor: 'per-vu-iterations', flow: 'web-status-poll', vus: 1, iterations: 5 } }, { http_req_failed: ['rate<0.01'], 'http_req_duration{flow:web-status-poll}': ['max<0.000001'] });
    expect(summarySchema.safeParse(JSON.parse(jsonSummary(s))).success).toBe(true);
    const xml = junitSummary(s);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('failures="1"');
    expect(xml).toContain('<failure message="http_req_duration{flow:web-status-poll}: max&lt;0.000001');
    // The sub-metric's own case carries its values (the colon inside its tags once cut the name short).
    expect(xml).toMatch(/name="http_req_duration\{flow:web-status-poll\}: max&lt;0.000001"[\s\S]*?<system-out>http_req_duration\{flow:web-status-poll\} avg=[\d.]+ min=[\d.]+ med=/);
  });

  it('carries what k6 reports beyond durations: vus_max and the http_req_* phases that add up to the duration', async () => {
    const s = await run({ poll: { executor: 'shared-iterations', flow: 'web-status-poll', vus: 3, iterations: 9 } }, {});
    expect(s.metrics.vus_max).toMatchObject({ type: 'gauge', values: { value: 3, max: 3 } });
    const phases = ['http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving'];
    for (const p of phases) expect(s.metrics[p], p).toMatchObject({ type: 'trend' });
    const avg = (n: string): number => s.metrics[n]!.values.avg!;
    // duration = sending + waiting + receiving (k6's definition); connecting happened once per VU, TLS never.
    expect(avg('http_req_sending') + avg('http_req_waiting') + avg('http_req_receiving')).toBeCloseTo(avg('http_req_duration'), 1);
    expect(s.metrics.http_req_connecting!.values.max).toBeGreaterThan(0);
    expect(s.metrics.http_req_connecting!.values.med).toBe(0);
    expect(s.metrics.http_req_tls_handshaking!.values.max).toBe(0);
    const data = JSON.parse(jsonSummary(s)) as K6SummaryData;
    expect(data.metrics.http_req_waiting).toMatchObject({ type: 'trend', contains: 'time' });
    expect(data.metrics.http_req_tls_handshaking).toMatchObject({ contains: 'time' });
    expect(textSummary(s).join('\n')).toMatch(/EXECUTION[\s\S]*vus_max\.+: 3 min=1 max=3/);
  });

  it('prints k6\'s run header: scenarios with their VUs, and the longest duration including graceful stops', () => {
    const lines = textHeader({
      script: 'smoke.yaml',
      target: 'emulator mf79u',
      outputs: ['json:out/s.json'],
      scenarios: [
        { name: 'poll', config: { executor: 'constant-arrival-rate', flow: 'web-status-poll', rate: 50, timeUnit: '1s', duration: '10s', preAllocatedVUs: 10, maxVUs: 20 } },
        { name: 'app', config: { executor: 'constant-vus', flow: 'app-login', vus: 1, duration: '5s', startTime: '11s' } },
        { name: 'ramp', config: { executor: 'ramping-vus', flow: 'web-status-poll', startVUs: 0, stages: [{ duration: '30s', target: 5 }, { duration: '1m', target: 5 }], gracefulStop: '5s' } },
      ],
    }).join('\n');
    expect(text(lines)).toBe(text(`
     execution: local
        script: smoke.yaml
        target: emulator mf79u
        output: json:out/s.json

     scenarios: (100.00%) 3 scenarios, 26 max VUs, 1m35s max duration (incl. graceful stop):
              * poll: 50 iterations/s for 10s (maxVUs: 10-20, gracefulStop: 30s)
              * app: 1 looping VUs for 5s (startTime: 11s, gracefulStop: 30s)
              * ramp: Up to 5 looping VUs for 1m30s over 2 stages (gracefulRampDown: 30s, gracefulStop: 5s)
`));
  });
});

const text = (t: string): string => t.trim();
