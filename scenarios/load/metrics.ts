// Metrics and thresholds in k6's shape (load-and-fleet.md §1.4, §1.5): Counter, Gauge, Rate and Trend, sub-metrics
// selected by tags (`http_req_duration{flow:web-poll}`), thresholds `<aggregation> <op> <value>`.
import hdr from 'hdr-histogram-js';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
export type Tags = Record<string, string>;

interface Series {
  tags: Tags;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** rate: samples that were non-zero. */
  nonZero: number;
  last: number;
  /** trend: values in microseconds (HDR, 3 significant digits). */
  histogram: hdr.Histogram | null;
}

export interface MetricSummary {
  type: MetricType;
  /** counter: count, rate (per second); gauge: value, min, max; rate: rate, passes, fails; trend: avg, min, med, max, p(90), p(95), p(99). */
  values: Record<string, number>;
}

const TREND_PERCENTILES = [90, 95, 99];

export class Metric {
  readonly #series = new Map<string, Series>();
  /** The series of a tags object already seen: callers reuse their tag objects, so most samples skip the key. */
  #byObject = new WeakMap<Tags, Series>();

  constructor(
    readonly name: string,
    readonly type: MetricType,
  ) {}

  add(value: number, tags: Tags = NO_TAGS): void {
    let s = this.#byObject.get(tags);
    if (!s) {
      const key = tagKey(tags);
      s = this.#series.get(key);
      if (!s) {
        s = { tags, count: 0, sum: 0, min: Infinity, max: -Infinity, nonZero: 0, last: 0, histogram: this.type === 'trend' ? hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 }) : null };
        this.#series.set(key, s);
      }
      this.#byObject.set(tags, s);
    }
    s.count++;
    s.sum += value;
    s.last = value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
    if (value !== 0) s.nonZero++;
    // Trends are kept in microseconds so sub-millisecond loopback latencies keep their resolution.
    s.histogram?.recordValue(Math.max(0, Math.round(value * 1000)));
  }

  /** The values one tag takes across this metric's series (e.g. every check name). */
  tagValues(key: string): string[] {
    const out = new Set<string>();
    for (const series of this.#series.values()) if (series.tags[key] !== undefined) out.add(series.tags[key]);
    return [...out];
  }

  /** Every series whose tags include `filter` (all of them for an empty filter), summarised together. */
  summary(filter: Tags, durationS: number): MetricSummary & { samples: number } {
    const picked = [...this.#series.values()].filter((s) => Object.entries(filter).every(([k, v]) => s.tags[k] === v));
    const count = picked.reduce((n, s) => n + s.count, 0);
    const sum = picked.reduce((n, s) => n + s.sum, 0);
    const min = Math.min(...picked.map((s) => s.min));
    const max = Math.max(...picked.map((s) => s.max));
    switch (this.type) {
      case 'counter':
        return { type: 'counter', samples: count, values: { count: sum, rate: durationS > 0 ? sum / durationS : 0 } };
      case 'gauge':
        return { type: 'gauge', samples: count, values: { value: picked.at(-1)?.last ?? 0, min: count ? min : 0, max: count ? max : 0 } };
      case 'rate': {
        const passes = picked.reduce((n, s) => n + s.nonZero, 0);
        return { type: 'rate', samples: count, values: { rate: count ? passes / count : 0, passes, fails: count - passes } };
      }
      case 'trend': {
        const merged = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
        for (const s of picked) merged.add(s.histogram!);
        const pct = (p: number): number => (count ? merged.getValueAtPercentile(p) / 1000 : 0);
        const values: Record<string, number> = { avg: count ? sum / count : 0, min: count ? min : 0, med: pct(50), max: count ? max : 0 };
        for (const p of TREND_PERCENTILES) values[`p(${p})`] = pct(p);
        merged.destroy();
        return { type: 'trend', samples: count, values };
      }
    }
  }

  /** Value of one aggregation (`p(97.5)`, `avg`, `rate`, `count`, `value`...) for a tag filter. */
  aggregate(aggregation: string, filter: Tags, durationS: number): number {
    const s = this.summary(filter, durationS);
    const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(aggregation);
    if (p && this.type === 'trend') {
      const picked = [...this.#series.values()].filter((x) => Object.entries(filter).every(([k, v]) => x.tags[k] === v));
      const merged = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
      for (const x of picked) merged.add(x.histogram!);
      const v = s.samples ? merged.getValueAtPercentile(Number(p[1])) / 1000 : 0;
      merged.destroy();
      return v;
    }
    const v = s.values[aggregation];
    if (v === undefined) throw new RangeError(`${this.name} is a ${this.type}; it has no "${aggregation}" (it has ${Object.keys(s.values).join(', ')})`);
    return v;
  }

  destroy(): void {
    for (const s of this.#series.values()) s.histogram?.destroy();
    this.#series.clear();
    this.#byObject = new WeakMap();
  }
}

const NO_TAGS: Tags = Object.freeze({});

function tagKey(tags: Tags): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return '';
  return keys.sort().map((k) => `${k}=${tags[k]}`).join(',');
}

/** The metrics of one run: the built-in ones plus any custom metric a flow adds. */
export class Registry {
  readonly #metrics = new Map<string, Metric>();

  constructor() {
    for (const [name, type] of BUILT_IN) this.#metrics.set(name, new Metric(name, type));
  }

  metric(name: string, type: MetricType): Metric {
    let m = this.#metrics.get(name);
    if (!m) {
      m = new Metric(name, type);
      this.#metrics.set(name, m);
    } else if (m.type !== type) {
      throw new RangeError(`metric ${name} is a ${m.type}, not a ${type}`);
    }
    return m;
  }

  get(name: string): Metric | undefined {
    return this.#metrics.get(name);
  }

  all(): Metric[] {
    return [...this.#metrics.values()];
  }

  destroy(): void {
    for (const m of this.#metrics.values()) m.destroy();
  }
}

/** k6's built-in metric names that this engine records. */
export const BUILT_IN: [string, MetricType][] = [
  ['http_reqs', 'counter'],
  ['http_req_duration', 'trend'],
  ['http_req_failed', 'rate'],
  ['iterations', 'counter'],
  ['iteration_duration', 'trend'],
  ['dropped_iterations', 'counter'],
  ['vus', 'gauge'],
  ['checks', 'rate'],
];

// --- thresholds ---

export interface ThresholdSpec {
  /** `http_req_duration` or `http_req_duration{flow:web-poll,method:GET}`. */
  metric: string;
  /** `p(95)<50`, `rate<0.01`, `avg<=200`, `count>100`. */
  expression: string;
}

export interface ParsedThreshold {
  metric: string;
  tags: Tags;
  aggregation: string;
  op: '<' | '<=' | '>' | '>=' | '==' | '!=';
  value: number;
  source: string;
}

const AGGREGATIONS: Record<MetricType, RegExp> = {
  counter: /^(count|rate)$/,
  gauge: /^(value|min|max)$/,
  rate: /^rate$/,
  trend: /^(avg|min|med|max|p\((\d{1,2}(\.\d+)?|100)\))$/,
};

/** Parses `name{tag:value}` and `<aggregation> <op> <value>`; throws RangeError naming what is wrong. */
export function parseThreshold(metricSpec: string, expression: string, typeOf: (name: string) => MetricType | undefined): ParsedThreshold {
  const mm = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{([^}]*)\})?$/.exec(metricSpec.trim());
  if (!mm) throw new RangeError(`threshold metric "${metricSpec}" must be a name or name{tag:value,...}`);
  const tags: Tags = {};
  for (const part of (mm[2] ?? '').split(',').filter((p) => p.trim() !== '')) {
    const [k, ...rest] = part.split(':');
    if (!k || rest.length === 0) throw new RangeError(`threshold metric "${metricSpec}": tag "${part}" must be key:value`);
    tags[k.trim()] = rest.join(':').trim();
  }
  const name = mm[1]!;
  const type = typeOf(name);
  if (!type) throw new RangeError(`threshold on unknown metric "${name}" (built in: ${BUILT_IN.map(([n]) => n).join(', ')}; or a custom metric a flow records)`);
  const em = /^\s*([a-z]+(?:\(\d+(?:\.\d+)?\))?)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(expression);
  if (!em) throw new RangeError(`threshold "${expression}" on ${metricSpec} must be <aggregation> <op> <value>, e.g. p(95)<50`);
  const aggregation = em[1]!;
  if (!AGGREGATIONS[type].test(aggregation)) throw new RangeError(`threshold "${expression}": a ${type} metric (${name}) has no aggregation "${aggregation}"`);
  const pct = /^p\((.+)\)$/.exec(aggregation);
  if (pct && Number(pct[1]) > 100) throw new RangeError(`threshold "${expression}": the percentile must be 0..100`);
  return { metric: name, tags, aggregation, op: em[2] as ParsedThreshold['op'], value: Number(em[3]), source: `${metricSpec}: ${expression.trim()}` };
}

export interface ThresholdResult {
  threshold: string;
  ok: boolean;
  actual: number;
}

export function evaluate(t: ParsedThreshold, registry: Registry, durationS: number): ThresholdResult {
  const m = registry.get(t.metric);
  const actual = m ? m.aggregate(t.aggregation, t.tags, durationS) : 0;
  const ok = { '<': actual < t.value, '<=': actual <= t.value, '>': actual > t.value, '>=': actual >= t.value, '==': actual === t.value, '!=': actual !== t.value }[t.op];
  return { threshold: t.source, ok, actual };
}
