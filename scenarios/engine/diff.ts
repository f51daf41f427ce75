import { shapeOf as shapeOfValue } from '../../hil/index.js';
import type { ScenarioResult } from './runner.js';

// `routerlab diff`: the same scenario on two targets (the emulator and a real router), and where their
// observations differ: step outcomes, value formats, values (numbers read more than once: outside each other's
// range), the order in which the device's state changed, and how long steps took.

export interface ObservationDifference {
  step: string;
  title: string;
  kind: 'status' | 'format' | 'value' | 'range' | 'order';
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
  // Numbers read several times under one key (in a repeat, or polled) compare as ranges, not one by one.
  const rangesA = numericRanges(a);
  const rangesB = numericRanges(b);
  for (const [key, ra] of rangesA) {
    const rb = rangesB.get(key);
    if (!rb || ra.count < 2 || rb.count < 2) continue;
    if (ra.max < rb.min || rb.max < ra.min) differences.push({ step: ra.firstStep, title: key, kind: 'range', a: `${ra.min}..${ra.max} (${ra.count} reads)`, b: `${rb.min}..${rb.max} (${rb.count} reads)` });
  }
  for (const sa of a.steps) {
    const sb = byIndex.get(sa.index);
    if (!sb) {
      differences.push({ step: sa.index, title: sa.title, kind: 'status', a: sa.status, b: '(not run)' });
      continue;
    }
    if (sa.status !== sb.status) differences.push({ step: sa.index, title: sa.title, kind: 'status', a: `${sa.status}${sa.reason ? `: ${sa.reason}` : ''}`, b: `${sb.status}${sb.reason ? `: ${sb.reason}` : ''}` });
    if (sa.kind !== 'expect') continue;
    if (sa.key !== undefined && (rangesA.get(sa.key)?.count ?? 0) >= 2 && (rangesB.get(sa.key)?.count ?? 0) >= 2) continue;
    const va = text(sa.observed);
    const vb = text(sb.observed);
    if (shapeOfValue(va) !== shapeOfValue(vb)) differences.push({ step: sa.index, title: sa.title, kind: 'format', a: `${va} (${shapeOfValue(va)})`, b: `${vb} (${shapeOfValue(vb)})` });
    else if (va !== vb) differences.push({ step: sa.index, title: sa.title, kind: 'value', a: va, b: vb });
  }
  const order = firstOrderDifference(changes(a), changes(b));
  if (order) differences.push(order);
  return { scenario: a.name, a: a.target, b: b.target, differences, timing: { a: percentiles(a), b: percentiles(b) } };
}

interface Change {
  step: string;
  what: string;
}

/**
 * The device's state changes in the order a run saw them: every time an expectation's key read a different value
 * than the last read of that key, and every time the timeline's connection state flipped.
 */
export function changes(r: ScenarioResult): Change[] {
  const out: Change[] = [];
  const last = new Map<string, string>();
  for (const s of r.steps) {
    if (s.kind !== 'expect' || s.key === undefined || s.status !== 'passed') continue;
    const v = text(s.observed);
    const before = last.get(s.key);
    if (before !== undefined && before !== v) out.push({ step: s.index, what: `${s.key}: ${before} -> ${v}` });
    last.set(s.key, v);
  }
  let connected: boolean | null = null;
  const timed: Change[] = [];
  for (const t of r.timeline) {
    if (connected !== null && t.connected !== connected) timed.push({ step: `t+${t.virtualMs - r.clockOriginMs}ms`, what: `connection: ${connected ? 'up' : 'down'} -> ${t.connected ? 'up' : 'down'}` });
    connected = t.connected;
  }
  return [...out, ...timed];
}

function firstOrderDifference(allA: Change[], allB: Change[]): ObservationDifference | null {
  // Only the changes both runs saw are an ordering question; the others show as value or range differences.
  const inB = new Set(allB.map((c) => c.what));
  const inA = new Set(allA.map((c) => c.what));
  const a = allA.filter((c) => inB.has(c.what));
  const b = allB.filter((c) => inA.has(c.what));
  const whatA = a.map((c) => c.what);
  const whatB = b.map((c) => c.what);
  const i = whatA.findIndex((w, k) => w !== whatB[k]);
  if (i < 0) return null;
  return { step: a[i]!.step, title: 'order of state changes', kind: 'order', a: whatA.slice(i).join(' | '), b: whatB.slice(i).join(' | ') };
}

function numericRanges(r: ScenarioResult): Map<string, { min: number; max: number; count: number; firstStep: string }> {
  const out = new Map<string, { min: number; max: number; count: number; firstStep: string }>();
  for (const s of r.steps) {
    if (s.kind !== 'expect' || s.key === undefined) continue;
    const v = text(s.observed);
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) continue;
    const cur = out.get(s.key);
    if (!cur) out.set(s.key, { min: n, max: n, count: 1, firstStep: s.index });
    else {
      cur.min = Math.min(cur.min, n);
      cur.max = Math.max(cur.max, n);
      cur.count++;
    }
  }
  return out;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v);
}

function percentiles(r: ScenarioResult): { p50: number; p90: number } {
  const d = r.steps.map((s) => s.durationMs).sort((x, y) => x - y);
  const at = (q: number): number => (d.length === 0 ? 0 : d[Math.min(d.length - 1, Math.floor(q * d.length))]!);
  return { p50: at(0.5), p90: at(0.9) };
}
