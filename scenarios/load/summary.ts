// Summaries of a load run, in k6's shapes (load-and-fleet.md §1): the end-of-test text (THRESHOLDS, then TOTAL
// RESULTS grouped with units), the JSON of handleSummary's `data` argument (root_group, metrics with type, contains,
// values and thresholds), and JUnit with one testcase per threshold, so CI systems show which limit failed.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { LoadSummary } from './engine.js';
import type { ExecutorConfig } from './schema.js';
import { durationMs } from '../engine/schema.js';
import type { MetricSummary } from './metrics.js';

/** What k6 lists for a trend (its default summaryTrendStats, and p(99)). */
const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
const DATA_METRICS = new Set(['data_sent', 'data_received']);

/** k6's `contains`: what the values are (time in ms, data in bytes, or plain numbers). */
export function containsOf(name: string, type: MetricSummary['type']): 'time' | 'data' | 'default' {
  const base = name.replace(/\{.*$/, '');
  if (DATA_METRICS.has(base)) return 'data';
  if (type === 'trend' && /(_duration|_time|_waiting|_connecting|_blocked|_sending|_receiving|_handshaking)$/.test(base)) return 'time';
  return 'default';
}

const k6Metric = z.object({
  type: z.enum(['counter', 'gauge', 'rate', 'trend']),
  contains: z.enum(['time', 'data', 'default']),
  values: z.record(z.string(), z.number()),
  thresholds: z.record(z.string(), z.object({ ok: z.boolean() }).strict()).optional(),
}).strict();

const k6Check = z.object({ name: z.string(), path: z.string(), id: z.string(), passes: z.number().int().min(0), fails: z.number().int().min(0) }).strict();

/**
 * The JSON summary: the `data` a k6 handleSummary(data) receives, so dashboards and scripts written for k6 read it
 * unchanged, plus `routerlab` with what k6 does not have (the run's name, abort reason, iteration errors, verdict).
 */
export const summarySchema = z.object({
  root_group: z.object({ name: z.literal(''), path: z.literal(''), id: z.string(), groups: z.array(z.never()), checks: z.array(k6Check) }).strict(),
  options: z.object({ summaryTrendStats: z.array(z.string()), summaryTimeUnit: z.string(), noColor: z.boolean() }).strict(),
  state: z.object({ isStdOutTTY: z.boolean(), isStdErrTTY: z.boolean(), testRunDurationMs: z.number() }).strict(),
  metrics: z.record(z.string(), k6Metric),
  routerlab: z.object({
    name: z.string(),
    startedAt: z.string(),
    aborted: z.string().nullable(),
    errors: z.array(z.object({ message: z.string(), count: z.number().int().min(1) }).strict()),
    ok: z.boolean(),
  }).strict(),
}).strict();
export type K6SummaryData = z.infer<typeof summarySchema>;

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** `metric: expression` of a threshold result, split. */
function splitThreshold(threshold: string): { metric: string; expression: string } {
  const cut = threshold.indexOf(': ');
  return { metric: threshold.slice(0, cut), expression: threshold.slice(cut + 2) };
}

/** The LoadSummary as k6's handleSummary data. */
export function k6SummaryData(s: LoadSummary): K6SummaryData {
  const metrics: K6SummaryData['metrics'] = {};
  const add = (name: string, m: MetricSummary): void => {
    const values: Record<string, number> = {};
    if (m.type === 'trend') for (const k of TREND_STATS) values[k] = m.values[k] ?? 0;
    else Object.assign(values, m.values);
    metrics[name] = { type: m.type, contains: containsOf(name, m.type), values };
  };
  for (const [name, m] of Object.entries(s.metrics)) add(name, m);
  for (const [name, m] of Object.entries(s.submetrics)) add(name, m);
  for (const t of s.thresholds) {
    const { metric, expression } = splitThreshold(t.threshold);
    const entry = metrics[metric];
    if (!entry) continue;
    entry.thresholds = { ...entry.thresholds, [expression]: { ok: t.ok } };
  }
  return {
    root_group: { name: '', path: '', id: md5(''), groups: [], checks: s.checks.map((c) => ({ name: c.name, path: `::${c.name}`, id: md5(`::${c.name}`), passes: c.passes, fails: c.fails })) },
    options: { summaryTrendStats: TREND_STATS, summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: Math.round(s.durationS * 1000 * 1000) / 1000 },
    metrics,
    routerlab: { name: s.name, startedAt: s.startedAt, aborted: s.aborted, errors: s.errors, ok: s.ok },
  };
}

export function jsonSummary(s: LoadSummary): string {
  return `${JSON.stringify(summarySchema.parse(k6SummaryData(s)), null, 2)}\n`;
}

const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function junitSummary(s: LoadSummary): string {
  const failures = s.thresholds.filter((t) => !t.ok).length + (s.aborted ? 1 : 0);
  const line = (k: string, m: { values: Record<string, number> }): string => `${k} ${Object.entries(m.values).map(([a, v]) => `${a}=${v}`).join(' ')}`;
  const cases = s.thresholds.map((t) => {
    // The metric ends at ": " (a sub-metric's own tags hold a colon: `http_req_duration{flow:x}: p(99)<200`).
    const { metric } = splitThreshold(t.threshold);
    const m = s.submetrics[metric] ?? s.metrics[metric];
    const failure = t.ok ? '' : `      <failure message="${esc(`${t.threshold} (actual ${t.actual})`)}">${esc(`threshold ${t.threshold} did not hold: actual ${t.actual}`)}</failure>\n`;
    return `    <testcase classname="${esc(s.name)}" name="${esc(t.threshold)}" time="${s.durationS.toFixed(3)}">\n${failure}      <system-out>${esc(m ? line(metric, m) : '')}</system-out>\n    </testcase>`;
  });
  // The run itself: fails when aborted; its output has every metric and the iteration errors.
  const all = [...Object.entries(s.metrics).map(([k, m]) => line(k, m)), ...s.errors.map((e) => `error x${e.count}: ${e.message}`)].join('\n');
  const abort = s.aborted ? `      <failure message="${esc(s.aborted)}">${esc(s.aborted)}</failure>\n` : '';
  cases.push(`    <testcase classname="${esc(s.name)}" name="run" time="${s.durationS.toFixed(3)}">\n${abort}      <system-out>${esc(all)}</system-out>\n    </testcase>`);
  const tests = cases.length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="routerlab load" tests="${tests}" failures="${failures}" skipped="0" time="${s.durationS.toFixed(3)}">\n  <testsuite name="${esc(s.name)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${s.durationS.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** `json:FILE,junit:FILE`; throws on an unknown kind. */
export function writeSummaries(spec: string, s: LoadSummary): string[] {
  const written: string[] = [];
  for (const part of spec.split(',').filter(Boolean)) {
    const cut = part.indexOf(':');
    const kind = part.slice(0, cut);
    const file = part.slice(cut + 1);
    if (cut < 0 || !file) throw new RangeError(`summary "${part}" is not kind:FILE`);
    mkdirSync(dirname(resolve(file)), { recursive: true });
    if (kind === 'json') writeFileSync(file, jsonSummary(s));
    else if (kind === 'junit') writeFileSync(file, junitSummary(s));
    else throw new RangeError(`unknown summary kind "${kind}"; use json:FILE or junit:FILE`);
    written.push(file);
  }
  return written;
}

// --- the header k6 prints before a run (its logo left out: it is k6's, and this is not k6) ---

/** k6's duration text: 10s, 1m30s, 500ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  const s = Number.isInteger(sec) ? String(sec) : sec.toFixed(1);
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

/** One scenario as k6 describes it under `scenarios:`, with the VUs it may use and how long it may take. */
function describeScenario(c: ExecutorConfig): { text: string; maxVUs: number; lengthMs: number } {
  const grace = durationMs(c.gracefulStop ?? '30s');
  const stop = `gracefulStop: ${formatDuration(grace)}`;
  const start = c.startTime ? durationMs(c.startTime) : 0;
  const startText = start > 0 ? `startTime: ${formatDuration(start)}, ` : '';
  const stagesMs = (st: { duration: string }[]): number => st.reduce((n, x) => n + durationMs(x.duration), 0);
  switch (c.executor) {
    case 'constant-vus':
      return { text: `${c.vus} looping VUs for ${formatDuration(durationMs(c.duration))} (${startText}${stop})`, maxVUs: c.vus, lengthMs: start + durationMs(c.duration) + grace };
    case 'ramping-vus': {
      const most = Math.max(c.startVUs, ...c.stages.map((x) => x.target));
      const ramp = durationMs(c.gracefulRampDown ?? '30s');
      return { text: `Up to ${most} looping VUs for ${formatDuration(stagesMs(c.stages))} over ${c.stages.length} stages (${startText}gracefulRampDown: ${formatDuration(ramp)}, ${stop})`, maxVUs: most, lengthMs: start + stagesMs(c.stages) + grace };
    }
    case 'constant-arrival-rate': {
      const max = Math.max(c.preAllocatedVUs, c.maxVUs ?? 0);
      const per = c.timeUnit && c.timeUnit !== '1s' ? `/${c.timeUnit}` : '/s';
      return { text: `${c.rate} iterations${per} for ${formatDuration(durationMs(c.duration))} (maxVUs: ${c.preAllocatedVUs}-${max}, ${startText}${stop})`, maxVUs: max, lengthMs: start + durationMs(c.duration) + grace };
    }
    case 'ramping-arrival-rate': {
      const max = Math.max(c.preAllocatedVUs, c.maxVUs ?? 0);
      const most = Math.max(c.startRate, ...c.stages.map((x) => x.target));
      const per = c.timeUnit && c.timeUnit !== '1s' ? `/${c.timeUnit}` : '/s';
      return { text: `Up to ${most} iterations${per} for ${formatDuration(stagesMs(c.stages))} over ${c.stages.length} stages (maxVUs: ${c.preAllocatedVUs}-${max}, ${startText}${stop})`, maxVUs: max, lengthMs: start + stagesMs(c.stages) + grace };
    }
    case 'shared-iterations':
      return { text: `${c.iterations} iterations shared among ${c.vus} VUs (maxDuration: ${formatDuration(durationMs(c.maxDuration))}, ${startText}${stop})`, maxVUs: c.vus, lengthMs: start + durationMs(c.maxDuration) + grace };
    case 'per-vu-iterations':
      return { text: `${c.iterations} iterations for each of ${c.vus} VUs (maxDuration: ${formatDuration(durationMs(c.maxDuration))}, ${startText}${stop})`, maxVUs: c.vus, lengthMs: start + durationMs(c.maxDuration) + grace };
  }
}

/** k6's run header: execution, script, output, then the scenarios with their VUs and longest possible duration. */
export function textHeader(run: { script: string; target: string; outputs: string[]; scenarios: { name: string; config: ExecutorConfig }[] }): string[] {
  const described = run.scenarios.map((x) => ({ name: x.name, ...describeScenario(x.config) }));
  const maxVUs = described.reduce((n, d) => n + d.maxVUs, 0);
  const longest = Math.max(0, ...described.map((d) => d.lengthMs));
  const n = described.length;
  return [
    '',
    `     execution: local`,
    `        script: ${run.script}`,
    `        target: ${run.target}`,
    `        output: ${run.outputs.length ? run.outputs.join(', ') : '-'}`,
    '',
    `     scenarios: (100.00%) ${n} scenario${n === 1 ? '' : 's'}, ${maxVUs} max VUs, ${formatDuration(longest)} max duration (incl. graceful stop):`,
    ...described.map((d) => `              * ${d.name}: ${d.text}`),
    '',
  ];
}

// --- the end-of-test text, as k6 prints it ---

/** 1.23ms, 456µs, 1.5s, 2m3s (k6's duration formatting for time trends). */
export function formatTime(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1) return `${(ms * 1000).toFixed(2)}µs`;
  if (ms < 1000) return `${ms.toFixed(2)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms - m * 60_000) / 1000).toFixed(1)}s`;
}

/** 312 B, 4.5 kB, 1.2 MB (k6 counts data in decimal units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[i]}`;
}

const num = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(6).replace(/0+$/, '').replace(/\.$/, ''));
const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

/** One metric's values as k6 prints them after the dots. */
function formatValues(name: string, m: MetricSummary): string {
  const contains = containsOf(name, m.type);
  const v = m.values;
  switch (m.type) {
    case 'trend':
      return TREND_STATS.map((k) => `${k}=${contains === 'time' ? formatTime(v[k] ?? 0) : num(v[k] ?? 0)}`).join(' ');
    case 'rate': {
      const total = (v.passes ?? 0) + (v.fails ?? 0);
      return `${pct(v.rate ?? 0)} ${v.passes ?? 0} out of ${total}`;
    }
    case 'counter':
      return contains === 'data' ? `${formatBytes(v.count ?? 0)} ${formatBytes(v.rate ?? 0)}/s` : `${num(v.count ?? 0)} ${num(v.rate ?? 0)}/s`;
    case 'gauge':
      return `${num(v.value ?? 0)} min=${num(v.min ?? 0)} max=${num(v.max ?? 0)}`;
  }
}

/** The threshold's own aggregation, shown with its actual value (`p(95)=3.21ms`, `rate=100.00%`). */
function formatActual(metric: string, expression: string, actual: number, type: MetricSummary['type'] | undefined): string {
  const agg = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)/.exec(expression)?.[1] ?? 'value';
  const contains = type ? containsOf(metric, type) : 'default';
  const shown = type === 'rate' && agg === 'rate' ? pct(actual) : contains === 'time' ? formatTime(actual) : contains === 'data' ? formatBytes(actual) : num(actual);
  return `${agg}=${shown}`;
}

const GROUPS: [string, (name: string) => boolean][] = [
  ['HTTP', (n) => n.startsWith('http_')],
  ['EXECUTION', (n) => ['iterations', 'iteration_duration', 'vus', 'vus_max', 'dropped_iterations'].includes(n)],
  ['NETWORK', (n) => DATA_METRICS.has(n)],
];

/** The end-of-test text: THRESHOLDS, then TOTAL RESULTS (checks, custom, HTTP, execution, network), as k6 prints. */
export function textSummary(s: LoadSummary): string[] {
  const lines: string[] = [];
  const dotted = (name: string, value: string): string => `    ${name}${'.'.repeat(Math.max(3, 40 - name.length))}: ${value}`;
  if (s.thresholds.length > 0) {
    lines.push('', '  █ THRESHOLDS');
    const byMetric = new Map<string, typeof s.thresholds>();
    for (const t of s.thresholds) {
      const { metric } = splitThreshold(t.threshold);
      byMetric.set(metric, [...(byMetric.get(metric) ?? []), t]);
    }
    for (const [metric, list] of byMetric) {
      lines.push('', `    ${metric}`);
      const type = (s.submetrics[metric] ?? s.metrics[metric])?.type;
      for (const t of list) lines.push(`    ${t.ok ? '✓' : '✗'} '${splitThreshold(t.threshold).expression}' ${formatActual(metric, splitThreshold(t.threshold).expression, t.actual, type)}`);
    }
  }
  lines.push('', '  █ TOTAL RESULTS', '');
  const passes = s.checks.reduce((n, c) => n + c.passes, 0);
  const fails = s.checks.reduce((n, c) => n + c.fails, 0);
  const total = passes + fails;
  lines.push(dotted('checks_total', `${total} ${num(s.durationS > 0 ? total / s.durationS : 0)}/s`));
  lines.push(dotted('checks_succeeded', `${pct(total ? passes / total : 0)} ${passes} out of ${total}`));
  lines.push(dotted('checks_failed', `${pct(total ? fails / total : 0)} ${fails} out of ${total}`));
  lines.push('');
  for (const c of s.checks) {
    lines.push(`    ${c.fails === 0 ? '✓' : '✗'} ${c.name}`);
    if (c.fails > 0) lines.push(`      ↳  ${Math.floor((100 * c.passes) / (c.passes + c.fails))}% — ✓ ${c.passes} / ✗ ${c.fails}`);
  }
  const names = Object.keys(s.metrics).filter((n) => n !== 'checks').sort();
  const grouped = new Set<string>();
  const section = (title: string, members: string[]): void => {
    if (members.length === 0) return;
    lines.push('', `    ${title}`);
    for (const n of members) {
      lines.push(dotted(n, formatValues(n, s.metrics[n]!)));
      grouped.add(n);
    }
  };
  const builtIn = GROUPS.map(([title, match]) => [title, names.filter(match)] as const);
  section('CUSTOM', names.filter((n) => !GROUPS.some(([, match]) => match(n))));
  for (const [title, members] of builtIn) section(title, members);
  for (const e of s.errors) lines.push(`    error x${e.count}: ${e.message}`);
  if (s.aborted) lines.push('', `    aborted: ${s.aborted}`);
  return lines;
}
