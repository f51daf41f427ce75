import { shapeOf as shapeOfValue } from '../../hil/index.js';
import type { ScenarioResult } from './runner.js';

// `routerlab diff`: the same scenario on two targets (the emulator and a real router), and where their
// observations differ: step outcomes, value formats, values, and how long steps took.

export interface ObservationDifference {
  step: string;
  title: string;
  kind: 'status' | 'format' | 'value';
  a: string;
  b: string;
}

export interface DiffReport {
  scenario: string;
  a: string;
  b: string;
  differences: ObservationDifference[];
  /** Median and p90 step duration (wall ms) per target. */
  timing: { a: { p50: number; p90: number }; b: { p50: number; p90: number } };
}

export function diffResults(a: ScenarioResult, b: ScenarioResult): DiffReport {
  const differences: ObservationDifference[] = [];
  const byIndex = new Map(b.steps.map((s) => [s.index, s]));
  for (const sa of a.steps) {
    const sb = byIndex.get(sa.index);
    if (!sb) {
      differences.push({ step: sa.index, title: sa.title, kind: 'status', a: sa.status, b: '(not run)' });
      continue;
    }
    if (sa.status !== sb.status) differences.push({ step: sa.index, title: sa.title, kind: 'status', a: `${sa.status}${sa.reason ? `: ${sa.reason}` : ''}`, b: `${sb.status}${sb.reason ? `: ${sb.reason}` : ''}` });
    if (sa.kind !== 'expect') continue;
    const va = text(sa.observed);
    const vb = text(sb.observed);
    if (shapeOfValue(va) !== shapeOfValue(vb)) differences.push({ step: sa.index, title: sa.title, kind: 'format', a: `${va} (${shapeOfValue(va)})`, b: `${vb} (${shapeOfValue(vb)})` });
    else if (va !== vb) differences.push({ step: sa.index, title: sa.title, kind: 'value', a: va, b: vb });
  }
  return { scenario: a.name, a: a.target, b: b.target, differences, timing: { a: percentiles(a), b: percentiles(b) } };
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
}

function percentiles(r: ScenarioResult): { p50: number; p90: number } {
  const d = r.steps.map((s) => s.durationMs).sort((x, y) => x - y);
  const at = (q: number): number => (d.length === 0 ? 0 : d[Math.min(d.length - 1, Math.floor(q * d.length))]!);
  return { p50: at(0.5), p90: at(0.9) };
}
