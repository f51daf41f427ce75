import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { htmlReport } from './html-report.js';
import type { ScenarioResult } from './runner.js';

// Reports: JSON (every step, observation and timing) and JUnit XML (one testcase per scenario, steps in
// system-out, skips with their reasons) for CI systems.

export function jsonReport(results: ScenarioResult[]): string {
  const summary = { passed: 0, failed: 0, partial: 0, interrupted: 0 };
  for (const r of results) summary[r.status]++;
  return `${JSON.stringify({ format: 'routerlab-run/1', summary, scenarios: results }, null, 2)}\n`;
}

const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).split('').filter((c) => c >= ' ' || c === '\n' || c === '\r' || c === '\t').join(''); // XML 1.0 forbids other controls

export function junitReport(results: ScenarioResult[]): string {
  const failures = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'partial').length;
  const errors = results.filter((r) => r.status === 'interrupted').length;
  const time = (results.reduce((a, r) => a + r.durationMs, 0) / 1000).toFixed(3);
  const cases = results.map((r) => {
    const out = r.steps.map((s) => `${s.index} ${s.status.toUpperCase()} ${s.title}${s.reason ? ` -- ${s.reason}` : ''}`).join('\n');
    const failed = r.steps.find((s) => s.status === 'failed');
    const skip = r.steps.filter((s) => s.status === 'skipped').map((s) => `${s.index}: ${s.reason ?? ''}`).join('; ');
    const body = [
      failed ? `      <failure message="${esc(`step ${failed.index}: ${failed.reason ?? 'failed'}`)}">${esc(`${failed.title}\n${r.replay}`)}</failure>` : '',
      r.status === 'partial' ? `      <skipped message="${esc(`partial: ${skip}`)}"/>` : '',
      r.status === 'interrupted' ? `      <error message="${esc(r.steps.at(-1)?.title ?? 'interrupted')}">${esc(`the run was stopped during this scenario\n${r.replay}`)}</error>` : '',
      `      <system-out>${esc(out)}</system-out>`,
    ].filter(Boolean).join('\n');
    return `    <testcase classname="${esc(r.file)}" name="${esc(r.name)}" time="${(r.durationMs / 1000).toFixed(3)}">\n${body}\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="routerlab" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">\n  <testsuite name="routerlab scenarios" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** Writes the reports asked for as `junit:FILE,json:FILE`. Throws on an unknown kind. */
/** Why a `--report` spec is not one (checked before a run starts), or null. */
export function reportSpecProblem(spec: string): string | null {
  for (const part of spec.split(',').filter(Boolean)) {
    const colon = part.indexOf(':');
    if (colon < 0 || colon === part.length - 1) return `report "${part}" is not kind:FILE`;
    const kind = part.slice(0, colon);
    if (!['json', 'junit', 'html'].includes(kind)) return `unknown report kind "${kind}"; use junit:FILE, json:FILE or html:FILE`;
  }
  return null;
}

export function writeReports(spec: string, results: ScenarioResult[]): string[] {
  const problem = reportSpecProblem(spec);
  if (problem) throw new Error(problem);
  const written: string[] = [];
  for (const part of spec.split(',').filter(Boolean)) {
    const [kind, file] = [part.slice(0, part.indexOf(':')), part.slice(part.indexOf(':') + 1)];
    if (!file || part.indexOf(':') < 0) throw new Error(`report "${part}" is not kind:FILE`);
    // The folder may have gone during a long run: the report is never lost for want of it.
    mkdirSync(dirname(resolve(file)), { recursive: true });
    if (kind === 'json') writeFileSync(file, jsonReport(results));
    else if (kind === 'junit') writeFileSync(file, junitReport(results));
    else if (kind === 'html') writeFileSync(file, htmlReport(results));
    else throw new Error(`unknown report kind "${kind}"; use junit:FILE, json:FILE or html:FILE`);
    written.push(file);
  }
  return written;
}
