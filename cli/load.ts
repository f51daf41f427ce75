// routerlab load: a load profile against a target, a live progress line, a summary, exit 99 when a threshold fails.
import { loadProfileFile, openLoadTarget, runLoad, textHeader, textSummary, writeSummaries } from '../scenarios/load/index.js';
import { BenchError } from '../hil/index.js';
import { EXIT, durationOption, parseCli, prepareOutputs, type CliIo } from './args.js';
import { COMMAND_HELP } from './usage.js';

/** k6's exit code for failed thresholds (load-and-fleet.md §1.4). */
export const THRESHOLDS_FAILED = 99;


export async function loadCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCli(args, { target: { type: 'string' }, duration: { type: 'string' }, summary: { type: 'string' }, password: { type: 'string' }, unlimited: { type: 'boolean' }, verbose: { type: 'boolean' } }, true, 'load', COMMAND_HELP.load);
  if (positionals.length !== 1) throw new BenchError('INVALID_ARGUMENT', 'load needs one profile: routerlab load PROFILE --target T');
  const profile = loadProfileFile(positionals[0]!);
  const durationMs = values.duration === undefined ? undefined : durationOption('--duration', values.duration, 0);
  if (durationMs !== undefined && durationMs < 100) throw new BenchError('INVALID_ARGUMENT', `--duration ${values.duration} is shorter than 100ms`);
  if (values.summary) for (const part of values.summary.split(',')) if (!/^(json|junit):.+/.test(part)) throw new BenchError('INVALID_ARGUMENT', `--summary ${part}: use json:FILE or junit:FILE`);
  if (values.summary) prepareOutputs('load --summary', values.summary);
  // SIGINT/SIGTERM (Ctrl-C, a CI runner's cancel): the run stops gracefully, the summary and --summary files are
  // still made, and the target this command started is stopped.
  const stop = new AbortController();
  let signalled: string | null = null;
  void io.stopSignal().then((name) => {
    signalled = name || 'SIGINT';
    stop.abort(signalled);
  });
  const target = await openLoadTarget(values.target ?? 'emulator', { password: values.password ?? profile.password, unlimited: values.unlimited ?? false });
  try {
    if (target.warning) io.err(target.warning);
    io.out(`load ${profile.name} against ${target.description} (${target.urls.length} router${target.urls.length === 1 ? '' : 's'})`);
    const summary = await runLoad(profile, target, {
      ...(durationMs === undefined ? {} : { durationMs }),
      signal: stop.signal,
      onStart: (scenarios) => {
        for (const line of textHeader({ script: positionals[0]!, target: target.description, outputs: values.summary ? values.summary.split(',') : [], scenarios })) io.out(line);
      },
      onProgress: (p) => io.out(`  ${p.elapsedS.toFixed(0).padStart(4)}s  ${String(p.rps).padStart(6)} req/s  p50 ${p.p50.toFixed(1)} ms  p95 ${p.p95.toFixed(1)} ms  errors ${p.errors}  vus ${p.vus}  iterations ${p.iterations}`),
    });
    for (const line of textSummary(summary)) io.out(line);
    if (values.summary) for (const f of writeSummaries(values.summary, summary)) io.out(`summary: ${f}`);
    const failed = summary.thresholds.filter((t) => !t.ok).length;
    io.out(summary.ok ? `all ${summary.thresholds.length} thresholds hold` : `${failed} of ${summary.thresholds.length} thresholds failed${summary.aborted ? ` (${summary.aborted})` : ''}`);
    if (signalled) return EXIT.INTERRUPTED;
    return summary.ok ? EXIT.OK : THRESHOLDS_FAILED;
  } finally {
    await target.close();
  }
}
