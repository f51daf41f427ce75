// Summaries of a load run: JSON in k6's end-of-test shape (metrics with their values, thresholds with ok) and JUnit
// with one testcase per threshold, so CI systems show which limit failed.
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { LoadSummary } from './engine.js';

const metricSummary = z.object({ type: z.enum(['counter', 'gauge', 'rate', 'trend']), values: z.record(z.string(), z.number()) }).strict();

/** The JSON summary's schema (also written as scenarios/load/summary.schema.json by npm run schema). */
export const summarySchema = z.object({
  name: z.string(),
  startedAt: z.string(),
  durationS: z.number(),
  aborted: z.string().nullable(),
  errors: z.array(z.object({ message: z.string(), count: z.number().int().min(1) }).strict()),
  metrics: z.record(z.string(), metricSummary),
  submetrics: z.record(z.string(), metricSummary),
  thresholds: z.array(z.object({ threshold: z.string(), ok: z.boolean(), actual: z.number() }).strict()),
  ok: z.boolean(),
}).strict();

export function jsonSummary(s: LoadSummary): string {
  return `${JSON.stringify(summarySchema.parse(s), null, 2)}\n`;
}

const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function junitSummary(s: LoadSummary): string {
  const failures = s.thresholds.filter((t) => !t.ok).length + (s.aborted ? 1 : 0);
  const line = (k: string, m: { values: Record<string, number> }): string => `${k} ${Object.entries(m.values).map(([a, v]) => `${a}=${v}`).join(' ')}`;
  const cases = s.thresholds.map((t) => {
    const metric = t.threshold.slice(0, t.threshold.indexOf(':'));
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
    if (kind === 'json') writeFileSync(file, jsonSummary(s));
    else if (kind === 'junit') writeFileSync(file, junitSummary(s));
    else throw new RangeError(`unknown summary kind "${kind}"; use json:FILE or junit:FILE`);
    written.push(file);
  }
  return written;
}

/** The end-of-run text: one line per metric and per threshold. */
export function textSummary(s: LoadSummary): string[] {
  const lines: string[] = [];
  const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(3));
  for (const [name, m] of Object.entries(s.metrics)) {
    if (m.type !== 'gauge' && (m.values.count ?? m.values.passes ?? 0) === 0 && m.type !== 'trend') continue;
    if (m.type === 'trend' && m.values.max === 0) continue;
    lines.push(`  ${name.padEnd(20)} ${Object.entries(m.values).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`);
  }
  for (const t of s.thresholds) lines.push(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.threshold} (actual ${fmt(t.actual)})`);
  for (const e of s.errors) lines.push(`  error x${e.count}: ${e.message}`);
  if (s.aborted) lines.push(`  aborted: ${s.aborted}`);
  return lines;
}
