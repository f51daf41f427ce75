// The load engine: k6's executors (load-and-fleet.md §1.3) over virtual users that run request flows, metrics in
// k6's shape, thresholds evaluated at the end (and continuously for abortOnFail).
import { FLOWS, VirtualUser, type WebSession } from './flows.js';
import { evaluate, parseThreshold, Registry, type Metric, type MetricSummary, type ParsedThreshold, type Tags, type ThresholdResult } from './metrics.js';
import { durationMs, type ExecutorConfig, type LoadProfile } from './schema.js';

/** Flows that are clients of their own (the app's login, raw GETs); the web UI's flows share a router's session. */
const OWN_SESSION_FLOWS = new Set(['app-login', 'ubus-login', 'http-get']);

export interface LoadTargetUrls {
  /** goform base URLs of the routers under load; virtual users are spread over them round robin. */
  urls: string[];
  password: string;
  /** Caps for targets that must not be overloaded (a real router): iterations/s and VUs per scenario. */
  maxRate?: number;
  maxVUs?: number;
}

export interface Progress {
  elapsedS: number;
  /** Requests in the last second. */
  rps: number;
  /** Median and p95 request duration over the last second, ms. */
  p50: number;
  p95: number;
  errors: number;
  vus: number;
  iterations: number;
}

/**
 * Where the engine reads time and waits. The wall clock by default; tests give a simulated one, so schedules,
 * dropped iterations and graceful stops are computed without wall time (test/helpers/load-clock.ts).
 */
export interface LoadClock {
  /** Milliseconds, monotonic within a run. */
  now(): number;
  /** A wait of `ms`; cancel() drops it (a pending wait must not keep the process alive). */
  timer(ms: number): { promise: Promise<void>; cancel(): void };
}

export const WALL_CLOCK: LoadClock = {
  now: () => performance.now(),
  timer(ms) {
    let handle: NodeJS.Timeout | undefined;
    const promise = new Promise<void>((resolve) => (handle = setTimeout(resolve, Math.max(0, ms))));
    return { promise, cancel: () => clearTimeout(handle) };
  },
};

/** What an iteration does on a VU; FLOWS by default (flows.ts). */
export type FlowRunner = (vu: VirtualUser) => Promise<void>;

export interface RunLoadOptions {
  /**
   * The whole run's length: every scenario's start time and length are scaled by D / the profile's own length, so a
   * run asked for 10 s lasts 10 s (plus graceful stops) however its scenarios are laid out in time.
   */
  durationMs?: number;
  onProgress?: (p: Progress) => void;
  /** Default the wall clock. */
  clock?: LoadClock;
  /** Replace flows by name (tests: an iteration that takes a known virtual time). */
  flows?: Partial<Record<string, FlowRunner>>;
  /**
   * Stops the run gracefully when aborted (SIGINT/SIGTERM): no new iterations start, those in flight finish, and
   * the summary and thresholds are made from what ran; `aborted` says why.
   */
  signal?: AbortSignal;
  /** Told the scenarios as they will run (after --duration scaling and the target's caps), before the first starts. */
  onStart?: (scenarios: { name: string; config: ExecutorConfig }[]) => void;
}

export interface LoadSummary {
  name: string;
  startedAt: string;
  durationS: number;
  /** Why the run ended early (an abortOnFail threshold), or null. */
  aborted: string | null;
  /** Failed iterations by "flow: message", the most frequent first (at most 10). */
  errors: { message: string; count: number }[];
  metrics: Record<string, MetricSummary>;
  /** Sub-metrics that thresholds name (`http_req_duration{flow:web-status-poll}`). */
  submetrics: Record<string, MetricSummary>;
  /** Each named check (k6's check()), with how often it passed and failed, in the order first seen. */
  checks: { name: string; passes: number; fails: number }[];
  thresholds: ThresholdResult[];
  ok: boolean;
}

interface Scenario {
  name: string;
  config: ExecutorConfig;
  tags: Tags;
  /** tags + check: 'iteration completes', recorded when an iteration throws (its failure is a check that failed). */
  checkTags: Tags;
}

/** Parses every threshold before the run, so a typo fails at once (as k6 does). */
export function parseThresholds(profile: LoadProfile): { parsed: ParsedThreshold; abortOnFail: boolean; delayMs: number }[] {
  const registry = new Registry();
  // Custom metrics the flows record; a threshold may name them before any sample exists.
  const custom: Record<string, 'trend'> = { login_duration: 'trend', sms_send_duration: 'trend' };
  const typeOf = (name: string): ReturnType<Registry['metric']>['type'] | undefined => registry.get(name)?.type ?? custom[name];
  const out: { parsed: ParsedThreshold; abortOnFail: boolean; delayMs: number }[] = [];
  for (const [metric, list] of Object.entries(profile.thresholds)) {
    for (const t of list) {
      const expr = typeof t === 'string' ? t : t.threshold;
      out.push({ parsed: parseThreshold(metric, expr, typeOf), abortOnFail: typeof t === 'object' && (t.abortOnFail ?? false), delayMs: typeof t === 'object' && t.delayAbortEval ? durationMs(t.delayAbortEval) : 0 });
    }
  }
  registry.destroy();
  return out;
}

export async function runLoad(profile: LoadProfile, target: LoadTargetUrls, options: RunLoadOptions = {}): Promise<LoadSummary> {
  if (target.urls.length === 0) throw new RangeError('the load target has no goform URL');
  const thresholds = parseThresholds(profile);
  const registry = new Registry();
  const clock = options.clock ?? WALL_CLOCK;
  const run = new Run(profile, target, registry, clock, options.flows ?? {});
  const total = Math.max(1, ...Object.values(profile.scenarios).map((c) => (c.startTime ? durationMs(c.startTime) : 0) + lengthOf(c)));
  const scale = options.durationMs === undefined ? 1 : options.durationMs / total;
  const scenarios: Scenario[] = Object.entries(profile.scenarios).map(([name, config]) => ({
    name,
    config: fit(options.durationMs === undefined ? config : scaled(config, scale, options.durationMs), target),
    tags: { ...profile.tags, ...(config.tags ?? {}), scenario: name, flow: config.flow },
    checkTags: { ...profile.tags, ...(config.tags ?? {}), scenario: name, flow: config.flow, check: `${config.flow}: iteration completes` },
  }));
  options.onStart?.(scenarios.map((x) => ({ name: x.name, config: x.config })));
  const started = clock.now();
  const startedAt = new Date().toISOString();
  let aborted: string | null = null;
  const abortCheckers = thresholds.filter((t) => t.abortOnFail);
  const interrupt = (): void => {
    aborted ??= `interrupted (${String(options.signal?.reason ?? 'stopped')})`;
    run.abort();
  };
  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  // Once a second: the vus gauge, the progress line, and abortOnFail thresholds.
  let lastReqs = 0;
  let lastFailed = 0;
  const window: number[] = [];
  const tick = (): void => {
    const elapsedS = (clock.now() - started) / 1000;
    registry.metric('vus', 'gauge').add(run.activeVUs);
    const reqs = registry.get('http_reqs')!.aggregate('count', {}, 1);
    // http_req_failed is 1 for a failed request: its "passes" (non-zero samples) are the failures.
    const failedNow = registry.get('http_req_failed')!.aggregate('passes', {}, 1);
    const durations = run.recentDurations.splice(0);
    window.splice(0, window.length, ...durations.sort((a, b) => a - b));
    const pick = (q: number): number => (window.length ? window[Math.min(window.length - 1, Math.floor(q * window.length))]! : 0);
    options.onProgress?.({ elapsedS, rps: reqs - lastReqs, p50: pick(0.5), p95: pick(0.95), errors: failedNow - lastFailed, vus: run.activeVUs, iterations: registry.get('iterations')!.aggregate('count', {}, 1) });
    lastReqs = reqs;
    lastFailed = failedNow;
    for (const t of abortCheckers) {
      if (clock.now() - started < t.delayMs) continue;
      const r = evaluate(t.parsed, registry, elapsedS);
      if (!r.ok && aborted === null) {
        aborted = `threshold ${r.threshold} failed (${round(r.actual)}) with abortOnFail`;
        run.abort();
      }
    }
  };
  // The progress tick, once a second on the run's clock; its pending wait is cancelled when the run ends.
  const ticking = { finished: false, wait: null as ReturnType<LoadClock['timer']> | null };
  void (async () => {
    while (!ticking.finished) {
      ticking.wait = clock.timer(1000);
      await ticking.wait.promise;
      if (!ticking.finished) tick();
    }
  })();
  try {
    await Promise.all(scenarios.map((s) => run.scenario(s)));
  } finally {
    ticking.finished = true;
    ticking.wait?.cancel();
    options.signal?.removeEventListener('abort', interrupt);
    run.close();
  }
  const durationS = (clock.now() - started) / 1000;
  const results = thresholds.map((t) => evaluate(t.parsed, registry, durationS));
  const metrics: Record<string, MetricSummary> = {};
  for (const m of registry.all()) metrics[m.name] = strip(m.summary({}, durationS));
  const submetrics: Record<string, MetricSummary> = {};
  for (const t of thresholds) {
    if (Object.keys(t.parsed.tags).length === 0) continue;
    const key = `${t.parsed.metric}{${Object.entries(t.parsed.tags).map(([k, v]) => `${k}:${v}`).join(',')}}`;
    submetrics[key] = strip(registry.get(t.parsed.metric)?.summary(t.parsed.tags, durationS) ?? { type: 'counter', samples: 0, values: {} });
  }
  const checkMetric = registry.get('checks');
  const checks = (checkMetric?.tagValues('check') ?? []).map((name) => {
    const v = checkMetric!.summary({ check: name }, durationS).values;
    return { name, passes: v.passes ?? 0, fails: v.fails ?? 0 };
  });
  registry.destroy();
  const errors = [...run.errors].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([message, count]) => ({ message, count }));
  return { name: profile.name, startedAt, durationS: round(durationS), aborted, errors, metrics, submetrics, checks, thresholds: results.map((r) => ({ ...r, actual: round(r.actual) })), ok: aborted === null && results.every((r) => r.ok) };
}

function strip(s: MetricSummary & { samples?: number }): MetricSummary {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.values)) values[k] = round(v);
  return { type: s.type, values };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Real routers get a low ceiling: a phone-sized router falls over long before the emulator does. */
function fit(c: ExecutorConfig, t: LoadTargetUrls): ExecutorConfig {
  const vus = t.maxVUs ?? Infinity;
  const rate = t.maxRate ?? Infinity;
  switch (c.executor) {
    case 'constant-vus':
    case 'shared-iterations':
    case 'per-vu-iterations':
      return { ...c, vus: Math.min(c.vus, vus) };
    case 'ramping-vus':
      return { ...c, startVUs: Math.min(c.startVUs, vus), stages: c.stages.map((s) => ({ ...s, target: Math.min(s.target, vus) })) };
    case 'constant-arrival-rate': {
      const perS = (c.rate * 1000) / durationMs(c.timeUnit);
      return { ...c, rate: perS > rate ? Math.max(1, Math.floor((rate * durationMs(c.timeUnit)) / 1000)) : c.rate, preAllocatedVUs: Math.min(c.preAllocatedVUs, vus), ...(c.maxVUs ? { maxVUs: Math.min(c.maxVUs, vus) } : {}) };
    }
    case 'ramping-arrival-rate': {
      const cap = Math.max(1, Math.floor((rate * durationMs(c.timeUnit)) / 1000));
      return Number.isFinite(rate) ? { ...c, startRate: Math.min(c.startRate, cap), stages: c.stages.map((s) => ({ ...s, target: Math.min(s.target, cap) })), preAllocatedVUs: Math.min(c.preAllocatedVUs, vus) } : c;
    }
  }
}

/** How long a scenario runs from its start (iteration-based: its maxDuration if it has one, else 0: open). */
function lengthOf(c: ExecutorConfig): number {
  switch (c.executor) {
    case 'constant-vus':
    case 'constant-arrival-rate':
      return durationMs(c.duration);
    case 'shared-iterations':
    case 'per-vu-iterations':
      return c.maxDuration ? durationMs(c.maxDuration) : 0;
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return c.stages.reduce((n, s) => n + durationMs(s.duration), 0);
  }
}

/** The scenario with its start time and length times `f` (rates and counts unchanged), ending by `totalMs`. */
function scaled(c: ExecutorConfig, f: number, totalMs: number): ExecutorConfig {
  const ms = (text: string): string => `${Math.max(1, Math.round(durationMs(text) * f))}ms`;
  const start = c.startTime ? { startTime: `${Math.round(durationMs(c.startTime) * f)}ms` } : {};
  switch (c.executor) {
    case 'constant-vus':
    case 'constant-arrival-rate':
      return { ...c, ...start, duration: ms(c.duration) };
    case 'shared-iterations':
    case 'per-vu-iterations':
      // Iterations run their count, within the scaled maxDuration, or else within what is left of the run.
      return { ...c, ...start, maxDuration: `${Math.max(1, c.maxDuration ? Math.round(lengthOf(c) * f) : totalMs - Math.round((c.startTime ? durationMs(c.startTime) : 0) * f))}ms` };
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return { ...c, ...start, stages: c.stages.map((s) => ({ ...s, duration: ms(s.duration) })) };
  }
}

/** Piecewise-linear value over stages (k6's ramping: each stage moves linearly from the last target to its own). */
export function stageValue(start: number, stages: { duration: string; target: number }[], atMs: number): number | null {
  let t = 0;
  let from = start;
  for (const s of stages) {
    const d = durationMs(s.duration);
    if (atMs <= t + d) return d === 0 ? s.target : from + ((s.target - from) * (atMs - t)) / d;
    t += d;
    from = s.target;
  }
  return null;
}

class Run {
  /** Request durations since the last progress line (bounded), for its p50/p95. */
  readonly recentDurations: number[] = [];
  /** Failed iterations by flow and message. */
  readonly errors = new Map<string, number>();
  #active = 0;
  #nextVu = 1;
  #stopped = false;
  #allVus: VirtualUser[] = [];
  #urlIndex = 0;
  readonly #sessions = new Map<string, WebSession>();
  readonly #timeoutMs: number;
  readonly #iterations: Metric;
  readonly #iterationDuration: Metric;
  readonly #checks: Metric;
  readonly #vus: Metric;
  readonly #vusMax: Metric;

  readonly #clock: LoadClock;
  readonly #flows: Partial<Record<string, FlowRunner>>;

  constructor(
    readonly profile: LoadProfile,
    readonly target: LoadTargetUrls,
    readonly registry: Registry,
    clock: LoadClock,
    flows: Partial<Record<string, FlowRunner>>,
  ) {
    this.#clock = clock;
    this.#flows = flows;
    this.#timeoutMs = profile.timeout ? durationMs(profile.timeout) : 10_000;
    this.#iterations = registry.metric('iterations', 'counter');
    this.#iterationDuration = registry.metric('iteration_duration', 'trend');
    this.#checks = registry.metric('checks', 'rate');
    this.#vus = registry.metric('vus', 'gauge');
    this.#vusMax = registry.metric('vus_max', 'gauge');
  }

  /** VUs running an iteration or looping; every change is a `vus` sample, so its min and max are exact. */
  get activeVUs(): number {
    return this.#active;
  }

  set activeVUs(n: number) {
    this.#active = n;
    this.#vus.add(n);
  }

  abort(): void {
    this.#stopped = true;
    for (const wake of [...this.#sleeping]) wake();
  }

  close(): void {
    for (const vu of this.#allVus) vu.close();
  }

  #newVu(tags: Tags, path?: string): VirtualUser {
    const url = this.target.urls[this.#urlIndex++ % this.target.urls.length]!;
    // The web UI's flows on one router share one session, as the requests of one browser do (single-session firmware
    // ends the previous session at every login); the app's login flow is a client of its own.
    const own = OWN_SESSION_FLOWS.has(tags.flow ?? '');
    let session = own ? undefined : this.#sessions.get(url);
    if (!own && !session) this.#sessions.set(url, (session = { cookie: null }));
    const vu = new VirtualUser(this.#nextVu++, url, this.target.password, this.registry, tags, this.#timeoutMs, path, this.recentDurations, session);
    this.#allVus.push(vu);
    // k6's vus_max: the VUs initialised so far (they are kept until the run ends, so the last value is the peak).
    this.#vusMax.add(this.#allVus.length);
    return vu;
  }

  /** One iteration of the flow on a VU: iterations, iteration_duration and checks. */
  async #iterate(vu: VirtualUser, s: Scenario): Promise<void> {
    const t0 = this.#clock.now();
    let ok = 1;
    try {
      await (this.#flows[s.config.flow] ?? FLOWS[s.config.flow])(vu);
    } catch (e) {
      // A failed iteration is a measurement (checks rate, the errors list), not a crash of the run.
      ok = 0;
      // The session may be what failed (another client took it): the next iteration logs in again, once for all.
      vu.session.cookie = null;
      const message = `${s.config.flow}: ${e instanceof Error ? e.message : String(e)}`;
      this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
    }
    vu.iteration++;
    this.#iterations.add(1, s.tags);
    this.#iterationDuration.add(this.#clock.now() - t0, s.tags);
    // Named checks come from the flows (vu.check); an iteration that threw is one failed check more.
    if (!ok) this.#checks.add(0, s.checkTags);
  }

  async scenario(s: Scenario): Promise<void> {
    const c = s.config;
    if (c.startTime) await this.#sleep(durationMs(c.startTime));
    if (this.#stopped) return;
    const grace = durationMs(c.gracefulStop ?? '30s');
    switch (c.executor) {
      case 'constant-vus':
        return this.#loopVus(s, c.vus, this.#clock.now() + durationMs(c.duration), grace);
      case 'per-vu-iterations':
        return this.#iterationsVus(s, c.vus, c.iterations, false, this.#clock.now() + durationMs(c.maxDuration), grace);
      case 'shared-iterations':
        return this.#iterationsVus(s, c.vus, c.iterations, true, this.#clock.now() + durationMs(c.maxDuration), grace);
      case 'ramping-vus':
        return this.#rampingVus(s, c.startVUs, c.stages, durationMs(c.gracefulRampDown ?? '30s'), grace);
      case 'constant-arrival-rate':
        return this.#arrivals(s, (ms) => (ms <= durationMs(c.duration) ? (c.rate * ms) / durationMs(c.timeUnit) : null), c.preAllocatedVUs, c.maxVUs ?? c.preAllocatedVUs, grace);
      case 'ramping-arrival-rate': {
        const unit = durationMs(c.timeUnit);
        // Iterations started by `ms` = the integral of the piecewise-linear rate.
        const total = c.stages.reduce((n, st) => n + durationMs(st.duration), 0);
        const integral = (ms: number): number | null => {
          if (ms > total) return null;
          let t = 0;
          let from = c.startRate;
          let sum = 0;
          for (const st of c.stages) {
            const d = durationMs(st.duration);
            const upto = Math.min(ms, t + d) - t;
            if (upto > 0) sum += (from + (from + ((st.target - from) * upto) / (d || 1))) / 2 * upto;
            if (ms <= t + d) break;
            t += d;
            from = st.target;
          }
          return sum / unit;
        };
        return this.#arrivals(s, integral, c.preAllocatedVUs, c.maxVUs ?? c.preAllocatedVUs, grace);
      }
    }
  }

  async #loopVus(s: Scenario, n: number, endMs: number, grace: number): Promise<void> {
    await this.#withDeadline(
      Promise.all(Array.from({ length: n }, async () => {
        const vu = this.#newVu(s.tags, s.config.path);
        this.activeVUs++;
        try {
          while (!this.#stopped && this.#clock.now() < endMs) await this.#iterate(vu, s);
        } finally {
          this.activeVUs--;
        }
      })),
      endMs + grace,
    );
  }

  async #iterationsVus(s: Scenario, n: number, iterations: number, shared: boolean, endMs: number, grace: number): Promise<void> {
    let left = iterations;
    await this.#withDeadline(
      Promise.all(Array.from({ length: n }, async () => {
        const vu = this.#newVu(s.tags, s.config.path);
        this.activeVUs++;
        let mine = iterations;
        try {
          while (!this.#stopped && this.#clock.now() < endMs) {
            if (shared) {
              if (left <= 0) break;
              left--;
            } else if (mine-- <= 0) break;
            await this.#iterate(vu, s);
          }
        } finally {
          this.activeVUs--;
        }
      })),
      endMs + grace,
    );
  }

  async #rampingVus(s: Scenario, startVUs: number, stages: { duration: string; target: number }[], rampDown: number, grace: number): Promise<void> {
    const t0 = this.#clock.now();
    const total = stages.reduce((n, st) => n + durationMs(st.duration), 0);
    const running: { stop: boolean; done: Promise<void> }[] = [];
    const start = (): void => {
      const vu = this.#newVu(s.tags, s.config.path);
      const slot = { stop: false, done: Promise.resolve() };
      slot.done = (async () => {
        this.activeVUs++;
        try {
          while (!slot.stop && !this.#stopped && this.#clock.now() - t0 < total) await this.#iterate(vu, s);
        } finally {
          this.activeVUs--;
        }
      })();
      running.push(slot);
    };
    for (;;) {
      const at = this.#clock.now() - t0;
      const want = stageValue(startVUs, stages, at);
      if (want === null || this.#stopped) break;
      const target = Math.round(want);
      const live = running.filter((r) => !r.stop);
      for (let i = live.length; i < target; i++) start();
      // Ramping down: the newest VUs finish their iteration and stop (gracefulRampDown bounds the wait below).
      for (let i = live.length - 1; i >= target; i--) live[i]!.stop = true;
      await this.#sleep(50);
    }
    for (const r of running) r.stop = true;
    await this.#withDeadline(Promise.all(running.map((r) => r.done)), this.#clock.now() + Math.max(grace, rampDown));
  }

  /**
   * Open model: iteration i starts when the executor's schedule says so (`startedBy(ms)` iterations by `ms`),
   * whatever the answers' speed; a start that finds no free VU (and none left to add) is a dropped iteration.
   */
  async #arrivals(s: Scenario, startedBy: (ms: number) => number | null, preAllocated: number, maxVUs: number, grace: number): Promise<void> {
    const free: VirtualUser[] = [];
    let allocated = 0;
    const allocate = (): VirtualUser => {
      allocated++;
      return this.#newVu(s.tags, s.config.path);
    };
    for (let i = 0; i < preAllocated; i++) free.push(allocate());
    const inflight = new Set<Promise<void>>();
    const t0 = this.#clock.now();
    let started = 0;
    const dropped = this.registry.metric('dropped_iterations', 'counter');
    for (;;) {
      const due = startedBy(this.#clock.now() - t0);
      if (due === null || this.#stopped) break;
      while (started < Math.floor(due)) {
        started++;
        const vu = free.pop() ?? (allocated < Math.max(maxVUs, preAllocated) ? allocate() : null);
        if (!vu) {
          dropped.add(1, s.tags);
          continue;
        }
        this.activeVUs++;
        const p: Promise<void> = this.#iterate(vu, s).finally(() => {
          this.activeVUs--;
          free.push(vu);
          inflight.delete(p);
        });
        inflight.add(p);
      }
      await this.#sleep(2);
    }
    await this.#withDeadline(Promise.all(inflight), this.#clock.now() + grace);
  }

  /** Waits for `work` until `deadlineMs`; iterations still running then are interrupted (their VUs stop counting). */
  async #withDeadline(work: Promise<unknown>, deadlineMs: number): Promise<void> {
    const deadline = this.#clock.timer(deadlineMs - this.#clock.now());
    await Promise.race([work, deadline.promise]);
    deadline.cancel();
  }

  /** A wait that abort() ends at once: a scenario waiting for its startTime must not hold a stopped run (it did, 40 s). */
  #sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const t = this.#clock.timer(ms);
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.#sleeping.delete(wake);
        t.cancel();
        resolve();
      };
      this.#sleeping.add(wake);
      void t.promise.then(wake);
    });
  }

  readonly #sleeping = new Set<() => void>();
}
