import type { ParseArgsConfig } from 'node:util';
import { EXIT, HelpRequested, intOption, numberOption, parseCli, prepareOutputs, uspController, type CliIo } from './args.js';
import { CLOUD_OPTIONS, cloudFlags } from './cloud-options.js';
import { fleetCommand } from './fleet.js';
import { loadCommand } from './load.js';
import { proxyCommand } from './proxy.js';
import { COMMAND_HELP, USAGE } from './usage.js';
import { createEmulator, listProfiles, loadProfile } from '../emulator/index.js';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { brokenResult, diffResults, reportSpecProblem, importRecording, loadScenarios, loadScenarioSet, runScenario, writeReports, type ScenarioResult } from '../scenarios/index.js';
import { applyRecording, BenchError, connectTarget, replayFidelity, emulatorFromRecording, emulatorOptionsFromRecording, listPorts, loadRecording, recordTarget, saveRecording, type Target } from '../hil/index.js';

// The routerlab command: parse argv, call the library, map errors to exit codes. The only place in the
// process where errors become a one-line message.

export { EXIT, type CliIo } from './args.js';


const SERVE_OPTIONS = {
  profile: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  paused: { type: 'boolean' },
  password: { type: 'string' },
  'share-dir': { type: 'string' },
  'modem-pty': { type: 'string' },
  'modem-unix': { type: 'string' },
  'modem-tcp': { type: 'string' },
  'modem-host': { type: 'string' },
  'modem-allow-remote': { type: 'boolean' },
  'control-port': { type: 'string' },
  'control-host': { type: 'string' },
  'control-token': { type: 'string' },
  'control-allow-host': { type: 'string', multiple: true },
  'journal-size': { type: 'string' },
  from: { type: 'string' },
  webui: { type: 'string' },
  'https-port': { type: 'string' },
  acs: { type: 'string' },
  'acs-username': { type: 'string' },
  'acs-password': { type: 'string' },
  'cr-port': { type: 'string' },
  'periodic-inform': { type: 'string' },
  usp: { type: 'string' },
  'usp-endpoint-id': { type: 'string' },
  'usp-controller': { type: 'string' },
  'usp-controller-topic': { type: 'string' },
  'usp-topic': { type: 'string' },
  'usp-username': { type: 'string' },
  'usp-password': { type: 'string' },
  'usp-onboard': { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'device-id': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...CLOUD_OPTIONS,
} satisfies ParseArgsConfig['options'];


const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stopSignal: () =>
    new Promise((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
      whenWrapperGone(() => resolve('SIGTERM'));
    }),
};

/**
 * Started through npx or an npm script, routerlab runs under npm's `sh -c` wrapper, and a SIGTERM sent to the
 * command a CI runner or `timeout` started ends npm and that shell only: routerlab was left running, orphaned, with
 * no summary (issue #26). Under npm (npm_command is set) a changed parent process means the wrapper is gone: stop
 * as if the signal had come here. Without npm nothing is watched (`routerlab serve &` in a script that exits keeps
 * running, as a daemon should).
 */
function whenWrapperGone(stop: () => void): void {
  if (!process.env.npm_command) return;
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.stderr.write(`routerlab: the npm process that started it (pid ${parent}) has gone; stopping as on SIGTERM\n`);
    stop();
  }, 250);
  watch.unref();
}

export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const verbose = rest.includes('--verbose');
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(rest, io);
      case 'fleet':
        return await fleetCommand(rest, io);
      case 'load':
        return await loadCommand(rest, io);
      case 'profiles':
        parseCli(rest, { verbose: { type: 'boolean' } }, false, 'profiles', COMMAND_HELP.profiles);
        for (const line of profileTable()) io.out(line);
        return EXIT.OK;
      case 'ports':
        parseCli(rest, { verbose: { type: 'boolean' } }, false, 'ports', COMMAND_HELP.ports);
        return await portsCommand(io);
      case 'run':
        return await runCommand(rest, io);
      case 'record':
        return await recordCommand(rest, io);
      case 'proxy':
        return await proxyCommand(rest, io);
      case 'import':
        return importCommand(rest, io);
      case 'diff':
        return await diffCommand(rest, io);
      case 'fidelity':
        return await fidelityCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.USAGE : EXIT.OK;
      default:
        io.err(`routerlab: unknown command "${command}"; run 'routerlab help'`);
        return EXIT.USAGE;
    }
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.out(e.text);
      return EXIT.OK;
    }
    if (e instanceof BenchError && (e.code === 'INVALID_ARGUMENT' || e.code === 'CONFIG_INVALID')) {
      io.err(`routerlab: ${e.message}`);
      if (verbose && e.stack) io.err(e.stack);
      return EXIT.USAGE;
    }
    io.err(`routerlab: ${e instanceof Error ? e.message : String(e)}`);
    if (verbose && e instanceof Error && e.stack) io.err(e.stack);
    return EXIT.FAILURE;
  }
}

async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCli(args, SERVE_OPTIONS, false, 'serve', COMMAND_HELP.serve);
  const recording = values.from === undefined ? null : loadRecording(values.from);
  const cloud = cloudFlags(values);
  const uspFlag = ['usp-endpoint-id', 'usp-controller', 'usp-controller-topic', 'usp-topic', 'usp-username', 'usp-password', 'usp-onboard'].find((k) => values[k as keyof typeof values] !== undefined);
  if (uspFlag && values.usp === undefined) throw new BenchError('CONFIG_INVALID', `--${uspFlag} needs --usp URL (the MQTT 5 broker of the USP Agent)`);
  const uspCtl = uspController(values['usp-controller'], values['usp-controller-topic']);
  if (values.usp !== undefined && !/^mqtts?:\/\/[^/]/i.test(values.usp)) throw new BenchError('CONFIG_INVALID', `--usp must be the MQTT 5 broker's mqtt://host:port, got ${values.usp}`);
  const emulator = createEmulator({
    ...(values['device-id'] === undefined ? {} : { id: values['device-id'] }),
    profile: values.profile ?? (recording ? emulatorOptionsFromRecording(recording).profile : undefined) ?? 'mf79u',
    seed: intOption('--seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER),
    speed: numberOption('--speed', values.speed, 1),
    clockMode: values.paused ? 'paused' : 'running',
    ...(values.password === undefined ? {} : { password: values.password }),
    ...(values['share-dir'] === undefined ? {} : { shareDir: values['share-dir'] }),
    journalCapacity: intOption('--journal-size', values['journal-size'], 10_000, 1, 10_000_000),
    controlToken: values['control-token'] ?? process.env.ROUTERLAB_CONTROL_TOKEN,
    ...(values['control-allow-host'] ? { controlAllowHosts: values['control-allow-host'] } : {}),
    ...webUiOf(values.webui, values.from),
  });
  if (recording) applyRecording(emulator, recording);
  // Listen for SIGINT/SIGTERM from the start: a stop asked for while starting up still ends cleanly.
  const stop = io.stopSignal();
  try {
    const url = await emulator.listen({
      host: values.host ?? '127.0.0.1',
      port: intOption('--port', values.port, 8080, 0, 65535),
    });
    const api = emulator.device.profile.api;
    io.out(`${api} listening on ${url}`);
    if (values['https-port'] !== undefined) {
      const httpsUrl = await emulator.listenHttps({
        host: values.host ?? '127.0.0.1',
        port: intOption('--https-port', values['https-port'], 8443, 0, 65535),
        certFile: values['tls-cert'],
        keyFile: values['tls-key'],
      });
      io.out(`${api} listening on ${httpsUrl} (TLS)`);
    }
    const controlUrl = await emulator.listenControl({
      host: values['control-host'] ?? '127.0.0.1',
      port: intOption('--control-port', values['control-port'], 8081, 0, 65535),
    });
    io.out(`control api listening on ${controlUrl}/api/v1 (docs: ${controlUrl}/api/v1/docs, dashboard: ${controlUrl}/)`);
    if (values['modem-tcp'] !== undefined) {
      const tcp = await emulator.listenModemTcp({
        host: values['modem-host'] ?? '127.0.0.1',
        allowRemote: values['modem-allow-remote'] === true,
        port: intOption('--modem-tcp', values['modem-tcp'], 0, 0, 65535),
      });
      io.out(`modem tcp listening on ${tcp.host}:${tcp.port}`);
    }
    if (values['modem-pty'] !== undefined) {
      const pty = await emulator.openModemPty(values['modem-pty']);
      io.out(`modem pty at ${pty.link} (${pty.device})`);
    }
    if (values['modem-unix'] !== undefined) {
      const unix = await emulator.listenModemUnix(values['modem-unix']);
      io.out(`modem unix socket at ${unix.path}`);
    }
    if (values.acs !== undefined) {
      const { connectionRequestUrl } = await emulator.startCwmp({
        url: values.acs,
        username: values['acs-username'],
        password: values['acs-password'] ?? process.env.ROUTERLAB_ACS_PASSWORD,
        crPort: intOption('--cr-port', values['cr-port'], 7547, 0, 65535),
        ...(values['periodic-inform'] === undefined ? {} : { periodicInformIntervalS: intOption('--periodic-inform', values['periodic-inform'], 86_400, 1, 31_536_000) }),
      });
      io.out(`cwmp cpe of ${values.acs} (connection requests on ${connectionRequestUrl})`);
    }
    if (values.usp !== undefined) {
      const started = emulator.startUsp({
        brokerUrl: values.usp,
        endpointId: values['usp-endpoint-id'],
        agentTopic: values['usp-topic'],
        controller: uspCtl,
        username: values['usp-username'],
        password: values['usp-password'] ?? process.env.ROUTERLAB_USP_PASSWORD,
        onBoardRequest: values['usp-onboard'] === true,
        // usp-js finds its agent through a retained obuspa/EndpointID (§3.6) unless it is given toId.
        announceEndpointId: true,
        log: (l) => io.err(l),
      });
      // As the cloud channel: a broker that is down must not keep the router from serving; the agent retries.
      const first = await Promise.race([started.then(() => 'connected to', (e: unknown) => `connecting to (${e instanceof Error ? e.message : String(e)}; retrying)`), new Promise<string>((r) => setTimeout(() => r('connecting to'), 3000).unref())]);
      const agent = emulator.usp!;
      io.out(`usp agent ${agent.endpointId} ${first} ${values.usp} (requests on ${agent.agentTopic}, controller ${agent.controller.endpointId} on ${agent.controller.topic})`);
    }
    if (cloud) {
      // Not awaited past the first attempt: a broker that is down must not keep the router from serving.
      const started = emulator.startCloud({ ...cloud, log: (l) => io.err(l) });
      const first = await Promise.race([started.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 3000).unref())]);
      started.catch((e: unknown) => io.err(`routerlab: cloud channel: ${e instanceof Error ? e.message : String(e)}`));
      const topics = emulator.cloud?.topics;
      io.out(`cloud channel ${first ? 'connected to' : 'connecting to'} ${emulator.cloud?.status().url ?? cloud.url ?? ''} (telemetry on ${topics?.telemetry ?? '?'}, commands on ${topics?.request ?? '?'})`);
    }
    await stop;
    return EXIT.OK;
  } finally {
    await emulator.close();
  }
}

async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCli(args, { target: { type: 'string' }, seed: { type: 'string' }, report: { type: 'string' }, grep: { type: 'string' }, verbose: { type: 'boolean' } }, true, 'run', COMMAND_HELP.run);
  if (positionals.length === 0) throw new BenchError('INVALID_ARGUMENT', 'run needs scenario files or folders: routerlab run PATH... --target T');
  const target = values.target ?? 'emulator';
  const seed = values.seed === undefined ? undefined : intOption('--seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER);
  // Before any work: a report that could not be written is a usage error now, not after the whole run.
  const reportProblem = values.report === undefined ? null : reportSpecProblem(values.report);
  if (reportProblem) throw new BenchError('INVALID_ARGUMENT', `run --report: ${reportProblem}`);
  if (values.report) prepareOutputs('run --report', values.report);
  const set = loadScenarioSet(positionals);
  const loaded = set.loaded.filter((l) => !values.grep || l.scenario.tags.includes(values.grep) || l.scenario.name.includes(values.grep));
  if (loaded.length === 0 && set.broken.length === 0) throw new BenchError('INVALID_ARGUMENT', `no scenario matches${values.grep ? ` --grep ${values.grep}` : ''} in ${positionals.join(' ')}`);
  const stepByStep = Boolean(process.stdout.isTTY) && !process.env.CI;
  const results: ScenarioResult[] = [];
  // SIGINT/SIGTERM: the running scenario stops before its next step and is reported as interrupted; every report
  // is written for what ran, and the exit code is 130.
  const stop = new AbortController();
  void io.stopSignal().then((name) => stop.abort(name || 'SIGINT'));
  // A file that does not load is a failed case in every report; the others still run.
  for (const b of set.broken) {
    results.push(brokenResult(b.file, b.message, target));
    io.out(`FAILED  ${b.file} -- ${b.message}`);
  }
  for (const { file, scenario } of loaded) {
    if (stop.signal.aborted) break;
    const result = await runScenario(file, scenario, {
      target,
      seed,
      signal: stop.signal,
      ...(stepByStep ? { onStep: (_s, step) => io.out(`  ${step.index} ${step.status} ${step.title}${step.reason ? ` -- ${step.reason}` : ''}`) } : {}),
    });
    results.push(result);
    const failed = result.steps.find((st) => st.status === 'failed');
    // A partial run says why on the console too, not only in the reports: the first skipped step and its reason.
    const skipped = failed ? undefined : result.steps.find((st) => st.status === 'skipped');
    const why = failed ? ` -- step ${failed.index}: ${failed.reason ?? ''}` : skipped ? ` -- step ${skipped.index} skipped: ${skipped.reason ?? ''}` : '';
    io.out(`${result.status.toUpperCase().padEnd(7)} ${scenario.name} (${file}, ${result.steps.length} steps, ${result.durationMs} ms)${why}`);
    if (result.status !== 'passed') io.out(`  replay: ${result.replay}`);
  }
  if (values.report) for (const f of writeReports(values.report, results)) io.out(`report: ${f}`);
  const passed = results.filter((r) => r.status === 'passed').length;
  const notRun = loaded.length + set.broken.length - results.length;
  io.out(`${passed} passed, ${results.filter((r) => r.status === 'failed').length} failed, ${results.filter((r) => r.status === 'partial').length} partial${stop.signal.aborted ? `, interrupted by ${String(stop.signal.reason)} (${notRun} not run)` : ''}`);
  if (stop.signal.aborted) return EXIT.INTERRUPTED;
  return passed === results.length ? EXIT.OK : EXIT.FAILURE;
}

async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCli(args, { target: { type: 'string', multiple: true }, seed: { type: 'string' }, verbose: { type: 'boolean' } }, true, 'diff', COMMAND_HELP.diff);
  const targets = values.target ?? [];
  if (positionals.length === 0 || targets.length !== 2) throw new BenchError('INVALID_ARGUMENT', 'diff needs scenario paths and exactly two --target options');
  const seed = values.seed === undefined ? undefined : intOption('--seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER);
  let total = 0;
  for (const { file, scenario } of loadScenarios(positionals)) {
    const a = await runScenario(file, scenario, { target: targets[0]!, seed });
    const b = await runScenario(file, scenario, { target: targets[1]!, seed });
    const report = diffResults(a, b);
    total += report.differences.length;
    io.out(`${scenario.name}: ${report.differences.length} difference(s); step time p50/p90 ${report.timing.a.p50}/${report.timing.a.p90} ms vs ${report.timing.b.p50}/${report.timing.b.p90} ms`);
    for (const d of report.differences) io.out(`  step ${d.step} ${d.kind}: ${d.a}  <>  ${d.b}   (${d.title})`);
  }
  io.out(`${total} difference(s) between ${targets[0]} and ${targets[1]}`);
  return total === 0 ? EXIT.OK : EXIT.FAILURE;
}

function importCommand(args: string[], io: CliIo): number {
  const { values, positionals } = parseCli(args, { out: { type: 'string' }, name: { type: 'string' }, verbose: { type: 'boolean' } }, true, 'import', COMMAND_HELP.import);
  if (!positionals[0] || !values.out) throw new BenchError('INVALID_ARGUMENT', 'import needs a recording folder and --out FILE.yaml');
  const recording = loadRecording(positionals[0]);
  const { yaml, scenario } = importRecording(recording, values.name ?? `Field recording ${basename(positionals[0])}`);
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, yaml);
  io.out(`wrote ${values.out}: ${scenario.steps.length} steps from ${positionals[0]}`);
  return EXIT.OK;
}

async function recordCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCli(args, { target: { type: 'string' }, out: { type: 'string' }, verbose: { type: 'boolean' } }, false, 'record', COMMAND_HELP.record);
  if (!values.target || !values.out) throw new BenchError('INVALID_ARGUMENT', 'record needs --target T and --out DIR');
  const target = await connectTarget(values.target);
  try {
    const file = saveRecording(values.out, await recordTarget(target, `routerlab record --target ${values.target.replace(/password=[^&]*/, 'password=***')}`, (m) => io.err(m)));
    io.out(`recorded ${target.id} to ${file} (identifiers scrubbed)`);
    return EXIT.OK;
  } finally {
    await target.close();
  }
}

async function fidelityCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCli(args, { target: { type: 'string' }, verbose: { type: 'boolean' } }, true, 'fidelity', COMMAND_HELP.fidelity);
  const dir = positionals[0];
  if (!dir) throw new BenchError('INVALID_ARGUMENT', 'fidelity needs the recording folder: routerlab fidelity DIR [--target T]');
  const recording = loadRecording(dir);
  let target: Target;
  if (values.target) {
    target = await connectTarget(values.target);
  } else {
    target = await emulatorFromRecording(recording);
  }
  try {
    const report = await replayFidelity(recording, target);
    const diffs = report.differences;
    for (const d of diffs) io.out(`${d.surface}\t${d.request.slice(0, 40)}\t${d.field}\t${d.kind}\trecorded=${d.recorded}\tactual=${d.actual}`);
    const skipped = Object.entries(report.skipped).map(([why, n]) => `${n} ${why}`).join(', ');
    io.out(`${report.matched} of ${report.replayed} request(s) answered as recorded${skipped ? `; not replayed: ${skipped}` : ''}`);
    io.out(`${diffs.length} difference(s) between ${dir} and ${target.id}`);
    return diffs.length === 0 ? EXIT.OK : EXIT.FAILURE;
  } finally {
    await target.close();
  }
}

/** --webui, or the web UI files a proxy recording kept (DIR/webui) when serving --from it. */
function webUiOf(webui: string | undefined, from: string | undefined): { webUiDir?: string } {
  if (webui !== undefined) return { webUiDir: webui };
  if (from !== undefined && existsSync(join(from, 'webui', 'index.html'))) return { webUiDir: join(from, 'webui') };
  return {};
}

/** `routerlab profiles`: one line per profile, tab-separated, with what it is and how it logs in. */
function profileTable(): string[] {
  const rows = listProfiles().map((name) => {
    const p = loadProfile(name);
    const login = `${p.auth.multiUser ? 'LOGIN_MULTI_USER ' : ''}${p.auth.passwordEncoding}`;
    if (p.api === 'ubus') {
      const u = p.ubus;
      return [p.name, p.model, 'ubus', 'web_login salted SHA256', `fields ${u.encryption}`, `rpcd ${u.sessionTimeoutS} s, ${u.sessionPolicy}`, `ui ${p.webUi}`, typeof p._meta.class === 'string' ? p._meta.class : ''];
    }
    return [p.name, p.model, 'goform', login, `AD ${p.auth.ad}`, p.auth.cookie ? `cookie ${p.auth.cookie}` : 'client-bound session', `ui ${p.webUi}`, typeof p._meta.class === 'string' ? p._meta.class : ''];
  });
  return [['PROFILE', 'MODEL', 'API', 'LOGIN', 'AD/FIELDS', 'SESSION', 'WEB UI', 'CLASS'].join('\t'), ...rows.map((r) => r.join('\t'))];
}

async function portsCommand(io: CliIo): Promise<number> {
  const ports = await listPorts({ probe: true });
  if (ports.length === 0) {
    io.out('no serial ports found (pseudo-terminals are not listed; give their path as modem:<path>)');
    return EXIT.OK;
  }
  io.out(['PATH', 'VENDOR:PRODUCT', 'MANUFACTURER', 'ZTE', 'AT'].join('\t'));
  for (const p of ports) {
    io.out([p.path, `${p.vendorId || '-'}:${p.productId || '-'}`, p.manufacturer || '-', p.zte ? 'yes' : 'no', p.answersAt === undefined ? '-' : p.answersAt ? 'yes' : 'no'].join('\t'));
  }
  return EXIT.OK;
}


