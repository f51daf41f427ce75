import type { ScenarioResult, StepResult, TimelineSample } from './runner.js';

// The HTML report: one self-contained file (no scripts, no external resources). A summary at the top links every
// scenario that did not pass, failures first; each scenario lists its steps (key, got, expected, virtual time,
// stimulus parameters; steps after a failure as not run) and charts signal, battery, traffic and connection over
// virtual time (inline SVG with axes and units), stimuli and client writes marked.

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
const show = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

const W = 900;
const H = 120;
/** Plot area inside the SVG: room for the y labels on the left and the x labels below. */
const PAD = { left: 64, right: 12, top: 8, bottom: 24 };

const ORDER: Record<ScenarioResult['status'], number> = { failed: 0, interrupted: 1, partial: 2, passed: 3 };

export function htmlReport(results: ScenarioResult[]): string {
  const count = (s: ScenarioResult['status']): number => results.filter((r) => r.status === s).length;
  const ordered = results.map((r, i) => ({ r, id: `scenario-${i + 1}` })).sort((a, b) => ORDER[a.r.status] - ORDER[b.r.status]);
  const problems = ordered.filter((x) => x.r.status !== 'passed');
  const list = problems.length
    ? `<ol class="problems">${problems.map(({ r, id }) => {
      const step = r.steps.find((s) => s.status === 'failed') ?? r.steps.find((s) => s.status === 'skipped');
      return `<li><a href="#${id}"><span class="${r.status}">${r.status}</span> ${esc(r.name)}</a>${step ? ` — step ${esc(step.index)}${step.key ? ` (${esc(step.key)})` : ''}: ${esc(step.reason ?? '')}` : ''}</li>`;
    }).join('')}</ol>`
    : '<p>Every scenario passed.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>routerlab report</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
.summary span,.problems span,h2 span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:4px;color:#fff;font-size:12px}
.passed{background:#2a7}.failed{background:#c33}.partial{background:#c80}.interrupted{background:#639}
.problems li{margin:4px 0}
section{border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:12px}
table{border-collapse:collapse;width:100%;font-size:12px}th{text-align:left;color:#555;font-weight:normal;border-bottom:1px solid #ccc;padding:3px 6px}
td{border-top:1px solid #eee;padding:3px 6px;vertical-align:top}td code{white-space:pre-wrap;word-break:break-all}
td.s-passed{color:#2a7}td.s-failed{color:#c33;font-weight:bold}td.s-skipped{color:#c80}td.s-not-run{color:#999}
tr.failed-step td{background:#fdecec}
svg{display:block;margin:6px 0;background:#fafafa;border:1px solid #eee}svg text{font:10px system-ui,sans-serif;fill:#555}
.legend{font-size:12px;color:#555}
</style></head><body>
<h1>routerlab report</h1>
<p class="summary"><span class="passed">${count('passed')} passed</span><span class="failed">${count('failed')} failed</span><span class="partial">${count('partial')} partial</span>${count('interrupted') ? `<span class="interrupted">${count('interrupted')} interrupted</span>` : ''}</p>
${list}
${ordered.map(({ r, id }) => scenarioSection(r, id)).join('\n')}
</body></html>
`;
}

function scenarioSection(r: ScenarioResult, id: string): string {
  const at = (s: StepResult): string => clockText(s.startedVirtualMs - r.clockOriginMs);
  const rows = r.steps.map((s) => `<tr class="${s.status === 'failed' ? 'failed-step' : ''}"><td>${esc(s.index)}</td><td class="s-${s.status}">${s.status}</td><td>${at(s)}</td><td>${esc(s.title)}</td><td>${esc(s.key ?? '')}${s.params === undefined ? '' : `<code>${esc(show(s.params))}</code>`}</td><td><code>${esc(show(s.observed).slice(0, 300))}</code></td><td><code>${esc(show(s.expected && Object.keys(s.expected).length ? s.expected : undefined))}</code></td><td>${esc(s.reason ?? '')}</td></tr>`);
  const notRun = (r.notRun ?? []).map((s) => `<tr><td>${esc(s.index)}</td><td class="s-not-run">not run</td><td></td><td>${esc(s.title)}</td><td></td><td></td><td></td><td></td></tr>`);
  return `<section id="${id}">
<h2><span class="${r.status}">${r.status}</span> ${esc(r.name)}</h2>
<p>${esc(r.file)} on ${esc(r.target)}, seed ${r.seed}, ${r.steps.length} steps, ${r.durationMs} ms${r.status !== 'passed' ? ` — replay: <code>${esc(r.replay)}</code>` : ''}</p>
${charts(r)}
<table><tr><th>step</th><th>status</th><th>time</th><th>step</th><th>key / parameters</th><th>got</th><th>expected</th><th>reason</th></tr>${[...rows, ...notRun].join('')}</table>
</section>`;
}

/** Virtual time since the scenario started, as +h:mm:ss (or +m:ss). */
function clockText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `+${h}:${String(m).padStart(2, '0')}:${sec}` : `+${m}:${sec}`;
}

function charts(r: ScenarioResult): string {
  if (r.timeline.length === 0) return '<p class="legend">No timeline (the target has no router capability).</p>';
  const t0 = r.clockOriginMs;
  const span = Math.max(...r.timeline.map((s) => s.virtualMs), ...r.marks.map((m) => m.virtualMs)) - t0;
  // Everything in one virtual instant (no waits): the axis is the step order instead, so samples do not pile up.
  const byStep = span < 1000;
  const position = new Map(r.timeline.map((s, i) => [s, i] as const));
  const xOf = (ms: number, i: number): number => {
    const f = byStep ? (r.timeline.length <= 1 ? 0.5 : i / (r.timeline.length - 1)) : (ms - t0) / span;
    return Math.round(PAD.left + f * (W - PAD.left - PAD.right));
  };
  const xTicks = byStep
    ? r.timeline.map((s, i) => [xOf(s.virtualMs, i), `#${i + 1}`] as const).filter((_, i, a) => a.length <= 12 || i % Math.ceil(a.length / 12) === 0)
    : timeTicks(span, 6).map((v) => [xOf(t0 + v, 0), clockText(v)] as const);
  const xAxis = `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#999"/>${xTicks.map(([x, label]) => `<line x1="${x}" x2="${x}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 4}" stroke="#999"/><text x="${x}" y="${H - 6}" text-anchor="${x > W - PAD.right - 20 ? 'end' : 'middle'}">${esc(label)}</text>`).join('')}<text x="${W - PAD.right}" y="${H - PAD.bottom - 4}" text-anchor="end">${byStep ? 'step (no virtual time passed)' : 'virtual time'}</text>`;
  const series: [string, string, string, (s: TimelineSample) => number | null][] = [
    ['signal RSRP', 'dBm', '#36c', (s) => s.rsrpDbm],
    ['battery', '%', '#2a7', (s) => s.batteryPercent],
    ['download', 'B/s', '#a3c', (s) => s.rxBytesPerSecond],
    ['connected', '0/1', '#c80', (s) => (s.connected ? 1 : 0)],
  ];
  const marks = byStep
    ? ''
    : r.marks.map((m) => `<line x1="${xOf(m.virtualMs, 0)}" x2="${xOf(m.virtualMs, 0)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="${m.kind === 'stimulus' ? '#c33' : '#999'}" stroke-dasharray="${m.kind === 'stimulus' ? '4 2' : '1 3'}"><title>${esc(`${m.kind} at ${clockText(m.virtualMs - t0)}: ${m.label}`)}</title></line>`).join('');
  return series
    .map(([label, unit, color, pick]) => {
      const points = r.timeline.map((s) => [s, pick(s)] as const).filter((p): p is readonly [TimelineSample, number] => p[1] !== null);
      if (points.length === 0) return '';
      const lo = Math.min(...points.map((p) => p[1]));
      const hi = Math.max(...points.map((p) => p[1]));
      // A flat series sits in the middle with its one value labelled.
      const y = (v: number): number => (hi === lo ? Math.round((PAD.top + H - PAD.bottom) / 2) : Math.round(H - PAD.bottom - ((v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom)));
      const yAxis = [...new Set([lo, hi])].map((v) => `<text x="${PAD.left - 6}" y="${y(v) + 3}" text-anchor="end">${esc(`${round(v)} ${unit}`)}</text>`).join('') + `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#999"/>`;
      const xy = points.map(([s, v]) => [xOf(s.virtualMs, position.get(s)!), y(v)] as const);
      const line = xy.map(([px, py]) => `${px},${py}`).join(' ');
      const dots = xy.map(([px, py]) => `<circle cx="${px}" cy="${py}" r="2" fill="${color}"/>`).join('');
      return `<div class="legend">${esc(label)} (${esc(unit)})${byStep ? '' : ' — red dashes: stimuli, grey dots: client writes'}</div>
<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${label} in ${unit}`)}">${marks}${xAxis}${yAxis}<polyline fill="none" stroke="${color}" stroke-width="2" points="${line}"/>${dots}</svg>`;
    })
    .join('\n');
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** About `n` ticks from 0 to `spanMs` at a round time step (seconds, minutes, hours). */
function timeTicks(spanMs: number, n: number): number[] {
  const stepMs = 1000 * (TIME_STEPS_S.find((s) => s * 1000 * n >= spanMs) ?? 86400 * Math.ceil(spanMs / 86_400_000 / n));
  const out: number[] = [];
  for (let v = 0; v <= spanMs; v += stepMs) out.push(v);
  return out;
}

function round(v: number): string {
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}
