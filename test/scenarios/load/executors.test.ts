import { describe, expect, it } from 'vitest';
import { defineLoadProfile, runLoad, type LoadProfileInput, type LoadSummary, type Progress } from '../../../scenarios/load/index.js';
import { SimClock } from '../../helpers/load-clock.js';

// k6's executors on a simulated clock (load-and-fleet.md §1.3): schedules, dropped iterations, ramps and graceful
// stops are exact, computed without wall time. Each iteration is a fake flow that takes a known virtual time, so
// nothing here depends on how busy the machine is. Real-time rates are measured in bench/load-engine.

const TARGET = { urls: ['http://127.0.0.1:9'], password: 'admin' };

async function simulate(scenarios: LoadProfileInput['scenarios'], iterationMs: number | ((n: number) => number), thresholds: LoadProfileInput['thresholds'] = {}, durationMs?: number): Promise<{ s: LoadSummary; clock: SimClock; progress: Progress[] }> {
  const clock = new SimClock();
  let n = 0;
  const progress: Progress[] = [];
  const fake = async (): Promise<void> => clock.timer(typeof iterationMs === 'number' ? iterationMs : iterationMs(n++)).promise;
  const flows = Object.fromEntries(['web-status-poll', 'sms-send', 'http-get', 'station-refresh', 'sms-list'].map((f) => [f, fake]));
  const s = await clock.run(runLoad(defineLoadProfile({ name: 'sim', scenarios, thresholds }), TARGET, { clock, flows, onProgress: (p) => progress.push(p), ...(durationMs === undefined ? {} : { durationMs }) }));
  return { s, clock, progress };
}

const count = (s: LoadSummary, metric: string): number => s.metrics[metric]?.values.count ?? 0;

describe('load executors on a simulated clock', () => {
  it('constant-arrival-rate starts exactly rate x duration iterations, whatever the answer time, and drops none with VUs to spare', async () => {
    const { s, progress } = await simulate({ poll: { executor: 'constant-arrival-rate', flow: 'web-status-poll', rate: 100, duration: '5s', preAllocatedVUs: 5, maxVUs: 20 } }, 120);
    expect(count(s, 'iterations')).toBe(500);
    expect(count(s, 'dropped_iterations')).toBe(0);
    // 100/s with 120 ms answers keeps 12 VUs busy (13 at the instant one ends as the next starts): more than
    // pre-allocated, within maxVUs.
    expect(s.metrics.vus!.values.max).toBeGreaterThanOrEqual(12);
    expect(s.metrics.vus!.values.max).toBeLessThanOrEqual(13);
    expect(progress.length).toBe(5);
    // A steady 100 iterations each second, from the first second on (the first ~88 of it completed by then).
    const done = progress.map((p) => p.iterations);
    expect(done[0]).toBeGreaterThanOrEqual(85);
    expect(done[0]).toBeLessThanOrEqual(89);
    expect(done.slice(1).map((v, i) => v - done[i]!)).toEqual([100, 100, 100, 100]);
  });

  it('drops exactly the iterations that find no free VU', async () => {
    // One VU, iterations of 1 s, 20 starts a second for 2 s: one start in 50 ms finds it free.
    const { s } = await simulate({ sms: { executor: 'constant-arrival-rate', flow: 'sms-send', rate: 20, duration: '2s', preAllocatedVUs: 1, maxVUs: 1 } }, 1000);
    expect(count(s, 'iterations')).toBe(2);
    expect(count(s, 'dropped_iterations')).toBe(38);
  });

  it('ramping-arrival-rate follows the integral of its stages: 0 -> 200/s over 5 s is 500 iterations', async () => {
    const { s } = await simulate({ ramp: { executor: 'ramping-arrival-rate', flow: 'web-status-poll', startRate: 0, stages: [{ duration: '5s', target: 200 }], preAllocatedVUs: 10, maxVUs: 40 } }, 50);
    expect(count(s, 'iterations')).toBe(500);
    expect(count(s, 'dropped_iterations')).toBe(0);
  });

  it('constant-vus runs each VU back to back for the duration; per-vu and shared iterations run their exact counts', async () => {
    const { s } = await simulate({
      vus: { executor: 'constant-vus', flow: 'web-status-poll', vus: 3, duration: '1s' },
      per: { executor: 'per-vu-iterations', flow: 'station-refresh', vus: 2, iterations: 7 },
      shared: { executor: 'shared-iterations', flow: 'sms-list', vus: 3, iterations: 10 },
    }, 100, { 'iterations{scenario:vus}': ['count==30'], 'iterations{scenario:per}': ['count==14'], 'iterations{scenario:shared}': ['count==10'] });
    expect(s.submetrics['iterations{scenario:vus}']!.values.count).toBe(30);
    expect(s.submetrics['iterations{scenario:per}']!.values.count).toBe(14);
    expect(s.submetrics['iterations{scenario:shared}']!.values.count).toBe(10);
    expect(s.thresholds.every((t) => t.ok)).toBe(true);
    expect(s.metrics.vus!.values.max).toBe(8);
  });

  it('ramping-vus follows its stages linearly and ramps down', async () => {
    const { s, progress } = await simulate({ ramp: { executor: 'ramping-vus', flow: 'web-status-poll', startVUs: 0, stages: [{ duration: '2s', target: 10 }, { duration: '2s', target: 0 }], gracefulRampDown: '0s' } }, 100);
    expect(s.metrics.vus!.values.max).toBe(10);
    // Half way up the first stage: 5 VUs (k6 interpolates linearly between targets).
    expect(progress.map((p) => p.vus).slice(0, 2)).toEqual([5, 10]);
    // Ramping down, the VUs told to stop finish the iteration they are in (100 ms): 5 wanted, at most one more.
    expect(progress[2]!.vus).toBeGreaterThanOrEqual(5);
    expect(progress[2]!.vus).toBeLessThanOrEqual(6);
  });

  it('gracefulStop bounds how long a scenario waits for iterations still running at its end', async () => {
    // Iterations of 60 s against a 1 s scenario: the run ends at 1 s + the 5 s graceful stop, not after 60 s.
    const { s, clock } = await simulate({ slow: { executor: 'constant-vus', flow: 'web-status-poll', vus: 2, duration: '1s', gracefulStop: '5s' } }, 60_000);
    expect(clock.now()).toBe(6000);
    expect(s.durationS).toBe(6);
    expect(count(s, 'iterations')).toBe(0);
  });

  it('startTime delays a scenario on the same clock', async () => {
    const { s, clock } = await simulate({
      first: { executor: 'shared-iterations', flow: 'web-status-poll', vus: 1, iterations: 3 },
      later: { executor: 'shared-iterations', flow: 'sms-list', vus: 1, iterations: 1, startTime: '10s' },
    }, 1000);
    expect(count(s, 'iterations')).toBe(4);
    expect(clock.now()).toBe(11_000);
  });

  it('--duration D is the whole run: start times and lengths scale together, so a later scenario ends by D', async () => {
    // The smoke profile's layout: 10 s of polling, then 5 s of app logins from 11 s; asked for 8 s, it lasts 8 s.
    const { s, clock } = await simulate({
      poll: { executor: 'constant-arrival-rate', flow: 'web-status-poll', rate: 10, timeUnit: '1s', duration: '10s', preAllocatedVUs: 2, maxVUs: 4 },
      later: { executor: 'constant-vus', flow: 'sms-list', vus: 1, duration: '5s', startTime: '11s' },
    }, 100, {}, 8000);
    expect(clock.now()).toBe(8000);
    // Rates stay as written: 10/s over the scaled 5 s of polling (10 s x 8/16), then one VU for 2.5 s of 100 ms.
    expect(count(s, 'iterations')).toBe(50 + 25);
  });

  it('abortOnFail stops the run once its threshold fails, after delayAbortEval', async () => {
    const { s, clock } = await simulate(
      { long: { executor: 'constant-vus', flow: 'web-status-poll', vus: 1, duration: '60s' } },
      (n) => (n < 5 ? 100 : 2000),
      { iteration_duration: [{ threshold: 'max<1000', abortOnFail: true, delayAbortEval: '2s' }] },
    );
    expect(s.aborted).toMatch(/max<1000/);
    expect(clock.now()).toBeLessThan(10_000);
  });
  it('a stop ends the wait of a scenario that has not started yet: the run ends at the stop, not at that start time', async () => {
    const clock = new SimClock();
    const stop = new AbortController();
    const fake = async (): Promise<void> => clock.timer(100).promise;
    const flows = { 'web-status-poll': fake, 'app-login': fake };
    const profile = defineLoadProfile({ name: 'sim', scenarios: { now: { executor: 'constant-vus', flow: 'web-status-poll', vus: 1, duration: '1h' }, later: { executor: 'constant-vus', flow: 'app-login', vus: 1, duration: '5s', startTime: '40s' } } });
    void clock.timer(3000).promise.then(() => stop.abort('SIGTERM'));
    const s = await clock.run(runLoad(profile, TARGET, { clock, flows, signal: stop.signal }));
    expect(s.aborted).toBe('interrupted (SIGTERM)');
    // Stopped at 3 s (the iteration in flight finishes): the later scenario's 40 s start is not waited for.
    expect(clock.now()).toBeLessThanOrEqual(3100);
    expect(s.submetrics['iterations{scenario:later}']?.values.count ?? 0).toBe(0);
  });
});
