import type { ScenarioResult, TimelineSample } from './runner.js';

// The HTML report: one self-contained file (no scripts, no external resources): a pass/fail summary, each
// scenario's steps, and a timeline chart (inline SVG) of signal, battery, traffic and connection with stimuli and
// client requests marked on it.

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

const W = 900;
const H = 90;

export function htmlReport(results: ScenarioResult[]): string {
  const passed = results.filter((r) => r.status === 'passed').length;
  const failed = results.filter((r) => r.status === 'failed').length;
  const partial = results.length - passed - failed;
  const sections = results.map((r, i) => scenarioSection(r, i)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>routerlab report</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
.summary span{display:inline-block;padding:4px 10px;margin-right:8px;border-radius:4px;color:#fff}
.passed{background:#2a7}.failed{background:#c33}.partial{background:#c80}.interrupted{background:#639}
section{border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:12px}
table{border-collapse:collapse;width:100%;font-size:12px}td{border-top:1px solid #eee;padding:3px 6px;vertical-align:top}
td.s-passed{color:#2a7}td.s-failed{color:#c33;font-weight:bold}td.s-skipped{color:#c80}
svg{display:block;margin:6px 0;background:#fafafa;border:1px solid #eee}
.legend{font-size:12px;color:#555}
</style></head><body>
<h1>routerlab report</h1>
<p class="summary"><span class="passed">${passed} passed</span><span class="failed">${failed} failed</span><span class="partial">${partial} partial</span></p>
${sections}
</body></html>
`;
}

function scenarioSection(r: ScenarioResult, n: number): string {
  const rows = r.steps
    .map((s) => `<tr><td>${esc(s.index)}</td><td class="s-${s.status}">${s.status}</td><td>${esc(s.title)}</td><td>${esc(s.reason ?? '')}</td></tr>`)
    .join('');
  return `<section id="scenario-${n}">
<h2><span class="${r.status}" style="color:#fff;padding:2px 8px;border-radius:4px">${r.status}</span> ${esc(r.name)}</h2>
<p>${esc(r.file)} on ${esc(r.target)}, seed ${r.seed}, ${r.steps.length} steps, ${r.durationMs} ms${r.status !== 'passed' ? ` — replay: <code>${esc(r.replay)}</code>` : ''}</p>
${charts(r)}
<table>${rows}</table>
</section>`;
}

function charts(r: ScenarioResult): string {
  if (r.timeline.length === 0) return '<p class="legend">No timeline (the target has no router capability).</p>';
  const t0 = Math.min(...r.timeline.map((s) => s.virtualMs), ...r.marks.map((m) => m.virtualMs));
  const t1 = Math.max(...r.timeline.map((s) => s.virtualMs), t0 + 1);
  const x = (ms: number): number => Math.round(((ms - t0) / (t1 - t0)) * (W - 20)) + 10;
  const series: [string, string, (s: TimelineSample) => number | null][] = [
    ['signal RSRP (dBm)', '#36c', (s) => s.rsrpDbm],
    ['battery (%)', '#2a7', (s) => s.batteryPercent],
    ['download (bytes/s)', '#a3c', (s) => s.rxBytesPerSecond],
    ['connected', '#c80', (s) => (s.connected ? 1 : 0)],
  ];
  const marks = r.marks
    .map((m) => `<line x1="${x(m.virtualMs)}" x2="${x(m.virtualMs)}" y1="0" y2="${H}" stroke="${m.kind === 'stimulus' ? '#c33' : '#999'}" stroke-dasharray="${m.kind === 'stimulus' ? '4 2' : '1 3'}"><title>${esc(`${m.kind}: ${m.label}`)}</title></line>`)
    .join('');
  return series
    .map(([label, color, pick]) => {
      const points = r.timeline.map((s) => [s.virtualMs, pick(s)] as const).filter((p): p is readonly [number, number] => p[1] !== null);
      if (points.length === 0) return '';
      const lo = Math.min(...points.map((p) => p[1]));
      const hi = Math.max(...points.map((p) => p[1]), lo + 1);
      const y = (v: number): number => Math.round(H - 8 - ((v - lo) / (hi - lo)) * (H - 16));
      const line = points.map(([t, v]) => `${x(t)},${y(v)}`).join(' ');
      return `<div class="legend">${esc(label)}: ${lo} … ${hi} (red dashes: stimuli, grey dots: client writes)</div>
<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}">${marks}<polyline fill="none" stroke="${color}" stroke-width="2" points="${line}"/></svg>`;
    })
    .join('\n');
}
