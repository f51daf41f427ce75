import { spawn } from 'node:child_process';
import { BenchError, connectTarget, type CapabilityName, type Target } from '../../hil/index.js';
import type { ExpectStep, Scenario, Step } from './schema.js';

// Runs a scenario against a target: stimuli, waits, expectations with retries on the target's clock, probes
// and commands. A step the target cannot do is skipped with its reason; the scenario is then partial.

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  index: string;
  kind: string;
  title: string;
  status: StepStatus;
  /** What was observed (the value an expectation read, the answer of a stimulus). */
  observed?: unknown;
  reason?: string;
  startedVirtualMs: number;
  durationMs: number;
}

/** One sample of what a dashboard charts, read through the router capability after a step. */
export interface TimelineSample {
  virtualMs: number;
  rsrpDbm: number | null;
  batteryPercent: number | null;
  rxBytesPerSecond: number | null;
  connected: boolean;
}

export interface TimelineMark {
  virtualMs: number;
  kind: 'stimulus' | 'request';
  label: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  status: 'passed' | 'failed' | 'partial';
  target: string;
  seed: number;
  clockOriginMs: number;
  steps: StepResult[];
  durationMs: number;
  /** The command line that reruns this scenario exactly. */
  replay: string;
  /** Signal, battery, traffic and connection after each step (targets with the router capability). */
  timeline: TimelineSample[];
  /** Stimuli and client requests on the same time axis. */
  marks: TimelineMark[];
}

export interface RunOptions {
  /**
   * A target shorthand or config path ('emulator' gets the scenario's profile, seed and clock), or a function
   * that connects one (programmatic use; the replay line then names `targetName`).
   */
  target: string | (() => Promise<Target>);
  targetName?: string;
  seed?: number | undefined;
  onStep?: (scenario: Scenario, step: StepResult) => void;
}

const ms = (d: string | number): number => {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d)!;
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']);
};

export async function runScenario(file: string, scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const seed = options.seed ?? scenario.device.seed;
  const target = typeof options.target === 'string' ? await openTarget(scenario, options.target, seed) : await options.target();
  const targetName = typeof options.target === 'string' ? options.target : (options.targetName ?? target.id);
  const started = Date.now();
  const steps: StepResult[] = [];
  const timeline: TimelineSample[] = [];
  const marks: TimelineMark[] = [];
  let clockOrigin: number;
  try {
    clockOrigin = target.has('clock') ? await target.require('clock').now() : Date.now();
    const samples: Promise<void>[] = [];
    const ctx = new RunContext(target, scenario, (r) => {
      steps.push(r);
      if (r.kind === 'stimulus') marks.push({ virtualMs: r.startedVirtualMs, kind: 'stimulus', label: r.title });
      options.onStep?.(scenario, r);
    }, (virtualMs) => samples.push(sample(target, virtualMs).then((x) => void (x && timeline.push(x)))));
    await ctx.runSteps(scenario.steps, '');
    await Promise.all(samples);
    if (target.has('journal')) {
      for (const e of await target.require('journal').query({ surface: 'goform' })) {
        if (e.kind === 'write') marks.push({ virtualMs: e.virtualMs, kind: 'request', label: e.name });
      }
    }
  } finally {
    await target.close();
  }
  timeline.sort((x, y) => x.virtualMs - y.virtualMs);
  marks.sort((x, y) => x.virtualMs - y.virtualMs);
  const failed = steps.some((s) => s.status === 'failed');
  const skipped = steps.some((s) => s.status === 'skipped');
  return {
    name: scenario.name,
    file,
    status: failed ? 'failed' : skipped ? 'partial' : 'passed',
    target: targetName,
    seed,
    clockOriginMs: clockOrigin,
    steps,
    durationMs: Date.now() - started,
    replay: `routerlab run ${file} --target ${targetName} --seed ${seed}`,
    timeline,
    marks,
  };
}

async function openTarget(scenario: Scenario, spec: string, seed: number): Promise<Target> {
  if (spec === 'emulator' || /^emulator:[a-z0-9-]+$/.test(spec)) {
    const profile = spec === 'emulator' ? scenario.device.profile : spec.slice('emulator:'.length);
    return connectTarget({ kind: 'emulator', profile, seed, clockMode: scenario.clock.mode === 'virtual' ? 'paused' : 'running' });
  }
  return connectTarget(spec);
}

class RunContext {
  #failed = false;

  constructor(
    readonly target: Target,
    readonly scenario: Scenario,
    readonly report: (r: StepResult) => void,
    readonly onStepDone: (virtualMs: number) => void = () => undefined,
  ) {}

  async runSteps(steps: Step[], prefix: string): Promise<void> {
    for (let i = 0; i < steps.length; i++) {
      if (this.#failed) return;
      await this.#step(steps[i]!, `${prefix}${i + 1}`);
      if (prefix === '') this.onStepDone(await this.#now());
    }
  }

  async #now(): Promise<number> {
    return this.target.has('clock') ? this.target.require('clock').now() : Date.now();
  }

  async #step(step: Step, index: string): Promise<void> {
    const kind = Object.keys(step).find((k) => k !== 'name')!;
    const title = step.name ?? `${kind} ${JSON.stringify((step as Record<string, unknown>)[kind])}`.slice(0, 120);
    const t0 = Date.now();
    const v0 = await this.#now();
    const done = (status: StepStatus, extra: Partial<StepResult> = {}): void => {
      if (status === 'failed') this.#failed = true;
      this.report({ index, kind, title, status, startedVirtualMs: v0, durationMs: Date.now() - t0, ...extra });
    };
    const needs = capabilityOf(step);
    const missing = needs.find((c) => !this.target.has(c));
    if (missing) return done('skipped', { reason: `target ${this.target.id} has no ${missing} capability` });
    try {
      if ('stimulus' in step) {
        const observed = await this.target.require('stimuli').apply(step.stimulus, this.#vars(step.with ?? {}));
        return done('passed', { observed });
      }
      if ('wait' in step) {
        await this.#advance(ms(step.wait));
        return done('passed');
      }
      if ('checkpoint' in step) return done('passed', { observed: { checkpoint: step.checkpoint, virtualMs: v0 } });
      if ('goform' in step) return done('passed', { observed: await this.target.require('router').set(step.goform, this.#vars(step.fields ?? {})) });
      if ('at' in step) return done('passed', { observed: await this.target.require('modem').command(this.#vars(step.at)) });
      if ('repeat' in step) {
        for (let r = 0; r < step.repeat.times && !this.#failed; r++) await this.runSteps(step.repeat.steps, `${index}.${r + 1}.`);
        return done(this.#failed ? 'failed' : 'passed');
      }
      if ('parallel' in step) {
        await Promise.all(step.parallel.map((branch, b) => this.runSteps(branch, `${index}.${b + 1}.`)));
        return done(this.#failed ? 'failed' : 'passed');
      }
      if ('expect' in step) {
        const outcome = await this.#retry(step.expect.within, () => this.#expect(step.expect));
        return done(outcome.ok ? 'passed' : 'failed', { observed: outcome.observed, ...(outcome.ok ? {} : { reason: outcome.reason }) });
      }
      if ('probe' in step) {
        const p = step.probe;
        const outcome = await this.#retry(p.within, async () => {
          const res = await fetch(this.#vars(p.url), { signal: AbortSignal.timeout(10_000) });
          const body = (await res.json()) as unknown;
          const value = p.path ? p.path.replace(/^\$\.?/, '').split('.').filter(Boolean).reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], body) : body;
          return check(value, { equals: p.equals, matches: p.matches });
        });
        return done(outcome.ok ? 'passed' : 'failed', { observed: outcome.observed, ...(outcome.ok ? {} : { reason: outcome.reason }) });
      }
      if ('run' in step) {
        const r = step.run;
        const env = { ...process.env, ...this.#envForCommand(), ...(r.env ?? {}) };
        const { code, stdout } = await runCommand(this.#vars(r.command), env, r.timeoutMs ?? 60_000);
        const want = r.exitCode ?? 0;
        return done(code === want ? 'passed' : 'failed', { observed: { exitCode: code, stdout: stdout.slice(0, 2000) }, ...(code === want ? {} : { reason: `exit code ${code}, expected ${want}` }) });
      }
    } catch (e) {
      // A failing step is a result, not a crash: the error goes into the step's reason.
      const reason = e instanceof Error ? e.message : String(e);
      if (e instanceof BenchError && e.code === 'CAPABILITY_MISSING') return done('skipped', { reason });
      return done('failed', { reason });
    }
  }

  async #expect(e: ExpectStep): Promise<{ ok: boolean; observed: unknown; reason?: string }> {
    if ('goform' in e) {
      const router = this.target.require('router');
      if (e.field === undefined) return check((await router.get([e.goform]))[e.goform] ?? '', e);
      const answer = await router.getAggregate(e.goform, this.#vars(e.params ?? {}));
      const value = e.field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], answer);
      return check(value === undefined ? '' : value, e);
    }
    if ('at' in e) {
      let lines: string[];
      try {
        lines = (await this.target.require('modem').command(this.#vars(e.at))).lines;
      } catch (err) {
        if (err instanceof BenchError && (err.code === 'AT_ERROR' || err.code === 'AT_CME_ERROR')) lines = [String(err.details?.final)];
        else throw err;
      }
      const value = e.line ? (lines[e.line - 1] ?? '') : lines.join('\n');
      return check(value, e);
    }
    const entries = await this.target.require('journal').query({ ...(e.journal.surface ? { surface: e.journal.surface } : {}), ...(e.journal.name ? { name: e.journal.name } : {}) });
    const n = entries.length;
    const ok = (e.count.min === undefined || n >= e.count.min) && (e.count.max === undefined || n <= e.count.max);
    return { ok, observed: n, ...(ok ? {} : { reason: `journal count ${n} outside [${e.count.min ?? 0}, ${e.count.max ?? '∞'}]` }) };
  }

  /** Retries `fn` until it passes or `within` runs out, stepping the clock 1 s at a time on virtual targets. */
  async #retry(within: string | number | undefined, fn: () => Promise<{ ok: boolean; observed: unknown; reason?: string }>): Promise<{ ok: boolean; observed: unknown; reason?: string }> {
    const budget = within === undefined ? 0 : ms(within);
    let spent = 0;
    for (;;) {
      const r = await fn();
      if (r.ok || spent >= budget) return r.ok || budget === 0 ? r : { ...r, reason: `${r.reason ?? 'did not hold'} within ${within}` };
      const step = Math.min(1000, budget - spent);
      await this.#advance(step);
      spent += step;
    }
  }

  async #advance(duration: number): Promise<void> {
    if (this.scenario.clock.mode === 'virtual' && this.target.has('clock')) await this.target.require('clock').advance(duration);
    else await new Promise((r) => setTimeout(r, duration));
  }

  #vars<T>(value: T): T {
    const vars = this.scenario.variables;
    const sub = (s: string): string => s.replace(/\$\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
    if (typeof value === 'string') return sub(value) as T;
    return JSON.parse(sub(JSON.stringify(value))) as T;
  }

  #envForCommand(): Record<string, string> {
    const d = this.target.describe().details;
    return { ...(d.goformUrl ? { ROUTER_URL: d.goformUrl } : d.url ? { ROUTER_URL: d.url } : {}), ROUTERLAB_TARGET: this.target.id };
  }
}

/** Reads the charted values through the router capability; null when the target has none or does not answer. */
async function sample(target: Target, virtualMs: number): Promise<TimelineSample | null> {
  if (!target.has('router')) return null;
  try {
    const v = await target.require('router').get(['lte_rsrp', 'battery_vol_percent', 'realtime_rx_thrpt', 'ppp_status'], false);
    const n = (x: string | undefined): number | null => (x === undefined || x === '' || !Number.isFinite(Number(x)) ? null : Number(x));
    return { virtualMs, rsrpDbm: n(v.lte_rsrp), batteryPercent: n(v.battery_vol_percent), rxBytesPerSecond: n(v.realtime_rx_thrpt), connected: v.ppp_status === 'ppp_connected' };
  } catch (e) {
    // A device that is down (rebooting) has no sample at this instant; the chart shows the gap.
    if (e instanceof BenchError) return null;
    throw e;
  }
}

function capabilityOf(step: Step): CapabilityName[] {
  if ('stimulus' in step) return ['stimuli'];
  if ('goform' in step) return ['router'];
  if ('at' in step) return ['modem'];
  if ('expect' in step) return 'goform' in step.expect ? ['router'] : 'at' in step.expect ? ['modem'] : ['journal'];
  return [];
}

/** Matchers: equals, notEquals, matches, range, oneOf. Values compare as strings, ranges as numbers. */
export function check(value: unknown, m: { equals?: string | number | boolean | undefined; notEquals?: string | number | boolean | undefined; matches?: string | undefined; range?: { min?: number | undefined; max?: number | undefined } | undefined; oneOf?: (string | number)[] | undefined }): { ok: boolean; observed: unknown; reason?: string } {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const fail = (reason: string): { ok: false; observed: unknown; reason: string } => ({ ok: false, observed: value, reason });
  if (m.equals !== undefined && text !== String(m.equals)) return fail(`got ${JSON.stringify(value)}, expected ${JSON.stringify(String(m.equals))}`);
  if (m.notEquals !== undefined && text === String(m.notEquals)) return fail(`got ${JSON.stringify(value)}, expected anything else`);
  if (m.matches !== undefined && !new RegExp(m.matches).test(text)) return fail(`got ${JSON.stringify(value)}, expected to match /${m.matches}/`);
  if (m.range) {
    const n = Number(text);
    if (text === '' || !Number.isFinite(n) || (m.range.min !== undefined && n < m.range.min) || (m.range.max !== undefined && n > m.range.max)) {
      return fail(`got ${JSON.stringify(value)}, expected a number in [${m.range.min ?? '-∞'}, ${m.range.max ?? '∞'}]`);
    }
  }
  if (m.oneOf && !m.oneOf.map(String).includes(text)) return fail(`got ${JSON.stringify(value)}, expected one of ${m.oneOf.join(', ')}`);
  return { ok: true, observed: value };
}

function runCommand(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout });
    });
  });
}
