import { spawn } from 'node:child_process';
import { BenchError, CloudClient, connectTarget, parseTarget, type CapabilityName, type CloudEndpoint, type Received, type RuleSpec, type Target } from '../../hil/index.js';
import { durationMs, type ExpectStep, type Scenario, type Step, type UspAction } from './schema.js';
import { AtError, goformCatalog, UspError, type UspCapability } from '../../hil/index.js';

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
  /** For expectations: what was read (goform key, AT command, state path, MQTT topic and field), to line up runs. */
  key?: string;
  /** For expectations: the matchers (equals, matches, range, oneOf...). */
  expected?: Record<string, unknown>;
  /** For stimuli and client actions: the parameters sent (variables filled in). */
  params?: unknown;
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
  /** `interrupted`: stopped by SIGINT/SIGTERM; the steps it had run are kept, the rest did not run. */
  status: 'passed' | 'failed' | 'partial' | 'interrupted';
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
  /** Top-level steps that did not run (after a failure or an interruption), for the reports. */
  notRun?: { index: string; title: string }[];
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
  /** Stops the run before its next step (SIGINT/SIGTERM): the result is `interrupted`, with the steps that ran. */
  signal?: AbortSignal | undefined;
}

const ms = durationMs;

export async function runScenario(file: string, scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const seed = options.seed ?? scenario.device.seed;
  const { target, restore } = typeof options.target === 'string' ? await openTarget(scenario, options.target, seed) : { target: await options.target(), restore: null };
  const targetName = typeof options.target === 'string' ? options.target : (options.targetName ?? target.id);
  const started = Date.now();
  const steps: StepResult[] = [];
  const timeline: TimelineSample[] = [];
  const marks: TimelineMark[] = [];
  let clockOrigin: number;
  let closeCloud: () => Promise<void> | undefined = () => undefined;
  let interrupted = false;
  try {
    clockOrigin = target.has('clock') ? await target.require('clock').now() : Date.now();
    const samples: Promise<void>[] = [];
    let cloud: CloudObserver | null = null;
    let noCloud = `target ${target.id} has no cloud capability`;
    if (usesMqtt(scenario.steps) && target.has('cloud')) {
      try {
        cloud = await CloudObserver.open(await target.require('cloud').endpoint(), scenario.steps);
      } catch (e) {
        // A bench without a cloud channel (serve --no-cloud): its mqtt and cloud steps skip, naming why.
        if (!(e instanceof BenchError) || e.code !== 'CAPABILITY_MISSING') throw e;
        noCloud = e.message;
      }
    }
    closeCloud = () => cloud?.close();
    const lacking = scenario.requires.filter((c) => !target.has(c));
    const ctx = new RunContext(target, scenario, cloud, noCloud, options.signal, (r) => {
      steps.push(r);
      if (r.kind === 'stimulus') marks.push({ virtualMs: r.startedVirtualMs, kind: 'stimulus', label: r.title });
      options.onStep?.(scenario, r);
    }, (virtualMs) => samples.push(sample(target, virtualMs).then((x) => void (x && timeline.push(x)))));
    if (lacking.length > 0) {
      // The scenario's own requirements: unmet ones skip it as a whole, with the reason, before anything runs.
      steps.push({ index: '0', kind: 'requires', title: `requires ${scenario.requires.join(', ')}`, status: 'skipped', reason: `target ${target.id} has no ${lacking.join(', ')} capability (it offers ${target.describe().capabilities.join(', ') || 'none'})`, startedVirtualMs: clockOrigin, durationMs: 0 });
    } else {
      await ctx.runSteps(scenario.steps, '');
    }
    if (ctx.interrupted) {
      interrupted = true;
      steps.push({ index: 'stop', kind: 'interrupted', title: `interrupted (${String(options.signal?.reason ?? 'stopped')})`, status: 'skipped', reason: 'the run was interrupted here; the steps after it did not run', startedVirtualMs: await (target.has('clock') ? target.require('clock').now() : Date.now()), durationMs: 0 });
    }
    await Promise.all(samples);
    if (target.has('journal')) {
      for (const e of await target.require('journal').query({ surface: 'goform' })) {
        if (e.kind === 'write') marks.push({ virtualMs: e.virtualMs, kind: 'request', label: e.name });
      }
    }
  } finally {
    await closeCloud();
    try {
      await restore?.();
    } catch (e) {
      // A shared bench that could not be put back is this scenario's failure, said in its report.
      steps.push({ index: 'restore', kind: 'restore', title: 'put the shared bench back as it was', status: 'failed', reason: e instanceof Error ? e.message : String(e), startedVirtualMs: 0, durationMs: 0 });
    }
    await target.close();
  }
  // Top-level steps after the last one that ran: shown as not run in the reports.
  const stoppedEarly = interrupted || steps.some((x) => x.status === 'failed');
  const lastRan = Math.max(0, ...steps.filter((st) => /^\d+$/.test(st.index)).map((st) => Number(st.index)));
  const notRun = stoppedEarly ? scenario.steps.slice(lastRan).map((st, i) => ({ index: String(lastRan + i + 1), title: stepTitle(st) })) : [];
  timeline.sort((x, y) => x.virtualMs - y.virtualMs);
  marks.sort((x, y) => x.virtualMs - y.virtualMs);
  const failed = steps.some((s) => s.status === 'failed');
  const skipped = steps.some((s) => s.status === 'skipped');
  return {
    name: scenario.name,
    file,
    status: interrupted ? 'interrupted' : failed ? 'failed' : skipped ? 'partial' : 'passed',
    target: targetName,
    seed,
    clockOriginMs: clockOrigin,
    steps,
    durationMs: Date.now() - started,
    replay: `routerlab run ${file} --target ${targetName} --seed ${seed}`,
    timeline,
    marks,
    ...(notRun.length > 0 ? { notRun } : {}),
  };
}

/** A step's one-line title: its name, or its kind and parameters. */
function stepTitle(step: Step): string {
  const kind = Object.keys(step).find((k) => k !== 'name')!;
  return step.name ?? `${kind} ${JSON.stringify((step as Record<string, unknown>)[kind])}`.slice(0, 120);
}

/** A scenario file that did not load: a failed case of its own, so reports show it and the other files still run. */
export function brokenResult(file: string, message: string, target: string): ScenarioResult {
  return {
    name: file,
    file,
    status: 'failed',
    target,
    seed: 0,
    clockOriginMs: 0,
    steps: [{ index: '0', kind: 'load', title: `load ${file}`, status: 'failed', reason: message, startedVirtualMs: 0, durationMs: 0 }],
    durationMs: 0,
    replay: `routerlab run ${file} --target ${target}`,
    timeline: [],
    marks: [],
  };
}

async function openTarget(scenario: Scenario, spec: string, seed: number): Promise<{ target: Target; restore: (() => Promise<void>) | null }> {
  const config = parseTarget(spec);
  // An emulator started for the scenario takes its profile (unless the spec names one), seed and clock from it.
  const stepped = scenario.clock.mode === 'virtual' && scenario.clock.speed === undefined;
  if (config.kind === 'emulator' && !config.controlUrl) {
    return { target: await connectTarget({ ...config, profile: config.profile ?? scenario.device.profile, seed, clockMode: stepped ? 'paused' : 'running', speed: scenario.clock.mode === 'wall' ? 1 : (scenario.clock.speed ?? 1) }), restore: null };
  }
  const target = await connectTarget(config);
  let restore: (() => Promise<void>) | null = null;
  // A running emulator (emulator:<control url>) starts every scenario from the device the scenario names, so a
  // run repeats on the same bench: its profile, its seed, the clock paused for stepped time.
  if (config.kind === 'emulator' && target.has('reset')) {
    try {
      // The bench is shared: how it was is put back after the scenario (README "Scenarios").
      const reset = target.require('reset');
      const before = await reset.snapshot();
      restore = () => reset.restore(before);
      await reset.reset({ profile: scenario.device.profile, seed, clock: stepped ? 'paused' : 'running', fresh: true });
    } catch (e) {
      await target.close();
      throw e;
    }
  }
  return { target, restore };
}

class RunContext {
  #failed = false;
  /** Notifications of the USP Controller a uspNotify expectation has looked past. */
  #uspSeen = 0;
  /** True once the run's signal stopped it before a step. */
  interrupted = false;

  constructor(
    readonly target: Target,
    readonly scenario: Scenario,
    readonly cloud: CloudObserver | null,
    /** Why there is no cloud observer (mqtt and cloud steps skip with it). */
    readonly noCloud: string,
    readonly signal: AbortSignal | undefined,
    readonly report: (r: StepResult) => void,
    readonly onStepDone: (virtualMs: number) => void = () => undefined,
  ) {}

  async runSteps(steps: Step[], prefix: string): Promise<void> {
    for (let i = 0; i < steps.length; i++) {
      if (this.#failed || this.interrupted) return;
      if (this.signal?.aborted) {
        this.interrupted = true;
        return;
      }
      await this.#step(steps[i]!, `${prefix}${i + 1}`);
      if (prefix === '') this.onStepDone(await this.#now());
    }
  }

  async #now(): Promise<number> {
    return this.target.has('clock') ? this.target.require('clock').now() : Date.now();
  }

  async #step(step: Step, index: string): Promise<void> {
    const kind = Object.keys(step).find((k) => k !== 'name')!;
    const title = stepTitle(step);
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
        const params = this.#vars(step.with ?? {});
        const observed = await this.target.require('stimuli').apply(step.stimulus, params);
        return done('passed', { observed, params });
      }
      if ('rule' in step) {
        const params = this.#vars<RuleSpec>(step.rule);
        const rule = await this.target.require('rules').add(params);
        return done('passed', { observed: { rule: rule.id }, params: { rule: rule.id } });
      }
      if ('wait' in step) {
        await this.#advance(ms(step.wait));
        return done('passed');
      }
      if ('checkpoint' in step) return done('passed', { observed: { checkpoint: step.checkpoint, virtualMs: v0 } });
      if ('goform' in step) {
        const params = this.#vars(step.fields ?? {});
        if (step.result === 'failure') {
          try {
            const observed = await this.target.require('router').set(step.goform, params);
            return done('failed', { observed, params, reason: `${step.goform} succeeded; the step expects the firmware's failure answer` });
          } catch (e) {
            if (!(e instanceof BenchError) || e.code !== 'HTTP_STATUS') throw e;
            return done('passed', { observed: { result: 'failure' }, params });
          }
        }
        try {
          return done('passed', { observed: await this.target.require('router').set(step.goform, params), params });
        } catch (e) {
          // The firmware's answer says only "failure"; an emulator's journal says why (unknown goformId, a field,
          // the login, the AD, or the device refusing).
          const why = e instanceof BenchError && this.target.has('journal') ? await this.#writeWhy(step.goform) : '';
          if (!why) throw e;
          return done('failed', { params, reason: `${(e as Error).message} -- the emulator says: ${why}` });
        }
      }
      if ('ubus' in step) {
        const args = this.#vars(step.args ?? {});
        const [answer] = await this.target.require('ubus').batch([[...splitUbus(this.#vars(step.ubus)), args]]);
        const want = step.status ?? 0;
        const got = 'error' in answer! ? answer.error.code : answer!.status;
        const observed = 'error' in answer! ? answer.error : answer!.data;
        return done(got === want ? 'passed' : 'failed', { observed, params: args, ...(got === want ? {} : { reason: 'error' in answer! ? `the router answered JSON-RPC error ${answer.error.code} ${answer.error.message}, expected status ${want}` : `the router answered ubus status ${got}, expected ${want}` }) });
      }
      if ('at' in step) {
        const want = step.outcome ?? 'ok';
        const options = { ...(step.body === undefined ? {} : { body: this.#vars(step.body) }), ...(step.timeout === undefined ? {} : { timeoutMs: ms(step.timeout) }) };
        let got: 'ok' | 'error' | 'no-answer';
        let observed: unknown;
        try {
          observed = await this.target.require('modem').command(this.#vars(step.at), options);
          got = 'ok';
        } catch (e) {
          if (!(e instanceof BenchError)) throw e;
          if (want === 'ok') throw e;
          got = e.code === 'AT_TIMEOUT' ? 'no-answer' : e instanceof AtError ? 'error' : 'ok';
          if (got === 'ok') throw e;
          observed = e.message;
        }
        return done(got === want ? 'passed' : 'failed', { observed, ...(got === want ? {} : { reason: `the modem's answer was ${got}, the step expects ${want}` }) });
      }
      if ('usp' in step) {
        const a = this.#vars(step.usp);
        let observed: unknown;
        try {
          observed = await uspAction(this.target.require('usp'), a);
        } catch (e) {
          if (!(e instanceof UspError)) throw e;
          const ok = a.error !== undefined && e.code === a.error;
          return done(ok ? 'passed' : 'failed', { observed: { err_code: e.code, err_msg: e.message, param_errs: e.paramErrors }, params: a.params, ...(ok ? {} : { reason: a.error === undefined ? `the agent refused: ${e.message}` : `the agent answered err_code ${e.code}, expected ${a.error}` }) });
        }
        if (a.error !== undefined) return done('failed', { observed, params: a.params, reason: `the agent accepted ${a.op} ${a.path}, expected err_code ${a.error}` });
        return done('passed', { observed, params: a.params });
      }
      if ('cloud' in step) {
        if (!this.cloud) throw new BenchError('CAPABILITY_MISSING', this.noCloud);
        const c = this.#vars(step.cloud);
        const answer = await this.cloud.client.command(this.cloud.endpoint.deviceId, { command: c.command, args: c.args } as never, 10_000);
        const want = c.ok ?? true;
        return done(answer.ok === want ? 'passed' : 'failed', { observed: answer, ...(answer.ok === want ? {} : { reason: `the device answered ${answer.ok ? 'ok' : `${answer.error?.code}: ${answer.error?.message}`}, expected ${want ? 'ok' : 'a refusal'}` }) });
      }
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
        const e = this.#vars(step.expect) as Record<string, unknown>;
        const expected = Object.fromEntries(['equals', 'notEquals', 'matches', 'range', 'oneOf', 'within', 'count', 'perSecond'].filter((k) => e[k] !== undefined).map((k) => [k, e[k]]));
        return done(outcome.ok ? 'passed' : 'failed', { observed: outcome.observed, key: expectKey(step.expect), expected, ...(outcome.ok ? {} : { reason: outcome.reason }) });
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
      const params = 'stimulus' in step ? this.#vars(step.with ?? {}) : 'goform' in step ? this.#vars(step.fields ?? {}) : undefined;
      if (e instanceof BenchError && e.code === 'CAPABILITY_MISSING') return done('skipped', { reason, ...(params === undefined ? {} : { params }) });
      return done('failed', { reason, ...(params === undefined ? {} : { params }) });
    }
  }

  /** Why the target's last write of `goformId` failed, from its journal ("" when it does not say). */
  async #writeWhy(goformId: string): Promise<string> {
    const entries = await this.target.require('journal').query({ surface: 'goform', name: goformId });
    const last = entries.filter((x) => x.kind === 'write').at(-1);
    return /\((.+)\)$/.exec(last?.response ?? '')?.[1] ?? '';
  }

  async #expect(step: ExpectStep): Promise<{ ok: boolean; observed: unknown; reason?: string }> {
    // Variables work in matchers too (equals: "${sender}").
    const e = this.#vars(step);
    if ('goform' in e) {
      const router = this.target.require('router');
      if (e.field === undefined) {
        const outcome = check((await router.get([e.goform]))[e.goform] ?? '', e);
        return outcome.ok || outcome.observed !== '' ? outcome : { ...outcome, reason: `${outcome.reason ?? ''}${goformKeyHint(e.goform, this.scenario.device.profile)}` };
      }
      const answer = await router.getAggregate(e.goform, this.#vars(e.params ?? {}));
      const value = e.field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], answer);
      return check(value === undefined ? '' : value, e);
    }
    if ('ubus' in e) {
      const [answer] = await this.target.require('ubus').batch([[...splitUbus(e.ubus), this.#vars(e.args ?? {})]]);
      if ('error' in answer!) return check(answer.error.code, e);
      if (e.field === undefined) return check(answer!.status, e);
      const value = dig(answer!.data, e.field);
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
    if ('usp' in e) {
      const usp = this.target.require('usp');
      try {
        return check((await usp.controller.get(usp.endpointId, [e.usp]))[e.usp] ?? '', e);
      } catch (err) {
        if (err instanceof UspError) return { ok: false, observed: err.code, reason: err.message };
        throw err;
      }
    }
    if ('uspNotify' in e) {
      const { controller } = this.target.require('usp');
      const kinds: Record<string, string> = { ValueChange: 'value_change', ObjectCreation: 'obj_creation', ObjectDeletion: 'obj_deletion', OperationComplete: 'oper_complete', OnBoardRequest: 'on_board_req' };
      const list = controller.notifications;
      let last: unknown = null;
      for (let i = this.#uspSeen; i < list.length; i++) {
        const n = list[i]!;
        const kind = e.uspNotify.endsWith('!') ? n.type === 'event' && n.body.event_name === e.uspNotify : n.type === kinds[e.uspNotify];
        if (!kind) continue;
        const value = e.field === undefined ? n.body : dig(n.body, e.field);
        last = value;
        const outcome = check(value === undefined ? '' : value, e);
        if (outcome.ok) {
          this.#uspSeen = i + 1;
          return outcome;
        }
      }
      return { ok: false, observed: last, reason: `no ${e.uspNotify} notification${e.field ? ` with ${e.field} as expected` : ''} since the previous one matched (${list.length - this.#uspSeen} to look at)` };
    }
    if ('state' in e) {
      const value = dig(await this.target.require('state').get(), e.state);
      return check(value === undefined ? '' : value, e); // null stays null ("null"), a missing path is ""
    }
    if ('mqtt' in e) {
      if (!this.cloud) throw new BenchError('CAPABILITY_MISSING', this.noCloud);
      await this.cloud.settle();
      return this.cloud.take(this.cloud.filter(this.#vars(e.mqtt)), e);
    }
    const j = e.journal;
    const all = await this.target.require('journal').query({
      ...(j.surface ? { surface: j.surface } : {}),
      ...(j.name !== undefined ? { name: this.#vars(j.name) } : {}),
      ...(j.kind ? { kind: j.kind } : {}),
      ...(j.params ? { params: this.#vars(j.params) } : {}),
    });
    const entries = j.client ? all.filter((x) => x.client.includes(j.client!)) : all;
    if (e.perSecond) {
      const overMs = ms(e.perSecond.over);
      const now = await this.#now();
      const rate = Math.round((entries.filter((x) => x.virtualMs >= now - overMs && x.virtualMs <= now).length / (overMs / 1000)) * 1000) / 1000;
      const { min, max } = e.perSecond;
      const ok = (min === undefined || rate >= min) && (max === undefined || rate <= max);
      if (!ok) return { ok, observed: rate, reason: `journal rate ${rate}/s over the last ${e.perSecond.over} outside [${min ?? 0}, ${max ?? '∞'}]` };
      if (!e.count) return { ok, observed: rate };
    }
    const c = e.count ?? {};
    const since = c.over === undefined ? null : (await this.#now()) - ms(c.over);
    const n = since === null ? entries.length : entries.filter((x) => x.virtualMs >= since).length;
    const min = c.exactly ?? c.min;
    const max = c.exactly ?? c.max;
    const ok = (min === undefined || n >= min) && (max === undefined || n <= max);
    const want = c.exactly !== undefined ? `exactly ${c.exactly}` : max === 0 ? 'none' : `[${min ?? 0}, ${max ?? '∞'}]`;
    return { ok, observed: n, ...(ok ? {} : { reason: `journal count ${n}${c.over === undefined ? '' : ` in the last ${c.over}`}, expected ${want}` }) };
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
    const c = this.scenario.clock;
    if (c.mode === 'virtual' && c.speed === undefined && this.target.has('clock')) await this.target.require('clock').advance(duration);
    else await abortableSleep(c.mode === 'virtual' && c.speed !== undefined ? duration / c.speed : duration, this.signal);
    // What the device published meanwhile reaches the observer through a real broker: give it a moment.
    if (this.cloud) await this.cloud.settle();
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

/** A wall-clock wait that ends early when the run is interrupted. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
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
  if ('rule' in step) return ['rules'];
  if ('goform' in step) return ['router'];
  if ('ubus' in step) return ['ubus'];
  if ('at' in step) return ['modem'];
  if ('usp' in step) return ['usp'];
  if ('cloud' in step) return ['cloud'];
  if ('expect' in step) {
    const e = step.expect;
    return 'goform' in e ? ['router'] : 'ubus' in e ? ['ubus'] : 'usp' in e || 'uspNotify' in e ? ['usp'] : 'at' in e ? ['modem'] : 'state' in e ? ['state'] : 'mqtt' in e ? ['cloud'] : ['journal'];
  }
  return [];
}

function expectKey(e: ExpectStep): string {
  if ('goform' in e) return `goform ${e.goform}${e.field ? `.${e.field}` : ''}`;
  if ('ubus' in e) return `ubus ${e.ubus}${e.field ? `.${e.field}` : ''}`;
  if ('at' in e) return `at ${e.at}${e.line ? `#${e.line}` : ''}`;
  if ('state' in e) return `state ${e.state}`;
  if ('usp' in e) return `usp ${e.usp}`;
  if ('uspNotify' in e) return `usp notify ${e.uspNotify}${e.field ? ` ${e.field}` : ''}`;
  if ('mqtt' in e) return `mqtt ${e.mqtt}${e.field ? ` ${e.field}` : ''}`;
  const name = e.journal.name === undefined ? '*' : typeof e.journal.name === 'string' ? e.journal.name : `/${e.journal.name.pattern}/`;
  return `journal ${e.journal.surface ?? '*'} ${name}${e.journal.params ? ` ${Object.entries(e.journal.params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : `/${v.pattern}/`}`).join(' ')}` : ''}`;
}

/** `zwrt_router.api.router_get_status` -> object and method (the method follows the last dot). */
function splitUbus(name: string): [string, string] {
  const at = name.lastIndexOf('.');
  return [name.slice(0, at), name.slice(at + 1)];
}

function dig(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], value);
}

function usesMqtt(steps: Step[]): boolean {
  return steps.some((s) => ('expect' in s && 'mqtt' in s.expect) || 'cloud' in s || ('repeat' in s && usesMqtt(s.repeat.steps)) || ('parallel' in s && s.parallel.some(usesMqtt)));
}

function mqttFilters(steps: Step[]): string[] {
  return steps.flatMap((s) => ('expect' in s && 'mqtt' in s.expect ? [s.expect.mqtt] : 'repeat' in s ? mqttFilters(s.repeat.steps) : 'parallel' in s ? s.parallel.flatMap(mqttFilters) : []));
}

/** Does an MQTT topic filter (with + and #) match a topic? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/**
 * The scenario's view of the cloud: subscribed from the start of the run (so a message published right after a
 * stimulus is not missed) to the device's topics and every filter the scenario names.
 */
class CloudObserver {
  /** Per topic: index of the last message a match used; earlier messages on that topic are spent. */
  readonly #spent = new Map<string, number>();

  private constructor(
    readonly client: CloudClient,
    readonly endpoint: CloudEndpoint,
  ) {}

  static async open(endpoint: CloudEndpoint, steps: Step[]): Promise<CloudObserver> {
    const client = await CloudClient.connect({ url: endpoint.url, topicPrefix: endpoint.topicPrefix, ...(endpoint.username ? { username: endpoint.username } : {}), ...(endpoint.password ? { password: endpoint.password } : {}) });
    const o = new CloudObserver(client, endpoint);
    await client.watch(endpoint.deviceId);
    for (const f of new Set(mqttFilters(steps).map((x) => o.filter(x)))) if (!topicMatches(`dt/${endpoint.topicPrefix}/${endpoint.deviceId}/+`, f.replace(/#$/, 'x'))) await client.subscribe(f);
    return o;
  }

  /** `telemetry`, `event`, `response` or a topic filter with ${device} / ${prefix}. */
  filter(spec: string): string {
    const { topicPrefix: p, deviceId: d } = this.endpoint;
    if (spec === 'telemetry' || spec === 'event') return `dt/${p}/${d}/${spec}`;
    if (spec === 'response') return `cmd/${p}/${d}/res`;
    return spec.replaceAll('${device}', d).replaceAll('${prefix}', p);
  }

  /**
   * The first message on `filter` whose field meets the matchers, after the last message a previous match used on
   * the same topic; the match then spends it and everything before it on that topic.
   */
  take(filter: string, e: { field?: string | undefined } & Parameters<typeof check>[1]): { ok: boolean; observed: unknown; reason?: string } {
    const all = this.client.received();
    let last: unknown;
    let seen = 0;
    for (let i = 0; i < all.length; i++) {
      const m: Received = all[i]!;
      if (!topicMatches(filter, m.topic) || m.n <= (this.#spent.get(m.topic) ?? -1)) continue;
      seen++;
      if (m.invalid) return { ok: false, observed: m.payload, reason: `a message on ${m.topic} breaks its schema: ${m.invalid}` };
      const value = e.field ? dig(m.payload, e.field) : m.payload;
      last = value;
      if (check(value ?? '', e).ok) {
        this.#spent.set(m.topic, m.n);
        return { ok: true, observed: value };
      }
    }
    return { ok: false, observed: last ?? null, reason: seen === 0 ? `no message on ${filter}` : `${seen} message(s) on ${filter}, none with ${e.field ?? 'a payload'} matching (last ${JSON.stringify(last)})` };
  }

  /** Wait (wall time) until the broker has had a moment to deliver what was just published. */
  async settle(): Promise<void> {
    const before = this.client.total;
    await new Promise((r) => setTimeout(r, 20));
    // Still arriving: wait for the stream to go quiet, at most 500 ms.
    for (let i = 0; i < 25 && this.client.total !== before; i++) {
      const n = this.client.total;
      await new Promise((r) => setTimeout(r, 20));
      if (this.client.total === n) break;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
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

/** One controller action of a `usp` step; resolves to what the agent answered. */
async function uspAction(usp: UspCapability, a: UspAction): Promise<unknown> {
  const { controller, endpointId } = usp;
  switch (a.op) {
    case 'get':
      return controller.get(endpointId, [a.path]);
    case 'set':
      return controller.set(endpointId, a.path, a.params ?? {});
    case 'add':
      return { created: await controller.add(endpointId, a.path, a.params ?? {}) };
    case 'delete':
      return controller.delete(endpointId, [a.path]);
    case 'operate':
      return controller.operate(endpointId, a.path, a.params ?? {});
  }
}

/** Why a goform key may have answered "": no profile has it, or the scenario's profile does not. */
function goformKeyHint(key: string, profile: string): string {
  const with_ = goformCatalog().keys.get(key);
  if (!with_) return ` (no routerlab profile answers goform key "${key}"; a real router may)`;
  if (!with_.includes(profile)) return ` (profile ${profile} has no goform key "${key}"; profiles with it: ${with_.join(', ') || 'none'})`;
  return '';
}
