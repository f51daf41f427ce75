// routerlab fleet: N stateful routers in one process on one clock, sharded by index range.
import { Fleet } from '../emulator/fleet/fleet.js';
import { loadProfile } from '../emulator/state/profile.js';
import { BenchError } from '../hil/index.js';
import { durationOption, EXIT, intOption, numberOption, parseCli, uspController, type CliIo } from './args.js';
import { CLOUD_OPTIONS, cloudFlags } from './cloud-options.js';
import { COMMAND_HELP } from './usage.js';


const FLEET_OPTIONS = {
  count: { type: 'string' },
  seed: { type: 'string' },
  shard: { type: 'string' },
  profile: { type: 'string' },
  'id-prefix': { type: 'string' },
  'goform-base-port': { type: 'string' },
  'goform-address-base': { type: 'string' },
  'goform-port': { type: 'string' },
  'control-port': { type: 'string' },
  'control-token': { type: 'string' },
  speed: { type: 'string' },
  paused: { type: 'boolean' },
  tick: { type: 'string' },
  'connect-rate': { type: 'string' },
  duration: { type: 'string' },
  'status-every': { type: 'string' },
  acs: { type: 'string' },
  'acs-username': { type: 'string' },
  'acs-password': { type: 'string' },
  'cr-port': { type: 'string' },
  'periodic-inform': { type: 'string' },
  'max-sessions': { type: 'string' },
  'boot-spread': { type: 'string' },
  usp: { type: 'string' },
  'usp-controller': { type: 'string' },
  'usp-controller-topic': { type: 'string' },
  'usp-topic-prefix': { type: 'string' },
  'usp-username': { type: 'string' },
  'usp-password': { type: 'string' },
  'usp-onboard': { type: 'boolean' },
  verbose: { type: 'boolean' },
  ...CLOUD_OPTIONS,
} as const;

function parseShard(text: string | undefined): { index: number; total: number } {
  const fromEnv = process.env.JOB_COMPLETION_INDEX;
  if (text === undefined) return { index: 0, total: 1 };
  // "k/K", or "/K" with k from the Kubernetes Indexed Job's JOB_COMPLETION_INDEX.
  const m = /^(\d*)\/(\d+)$/.exec(text);
  if (!m) throw new BenchError('INVALID_ARGUMENT', `--shard ${text} must be k/K (or /K with JOB_COMPLETION_INDEX set)`);
  const k = m[1] === '' ? fromEnv : m[1];
  if (k === undefined || !/^\d+$/.test(k)) throw new BenchError('INVALID_ARGUMENT', `--shard ${text}: no k given and JOB_COMPLETION_INDEX is not set`);
  return { index: Number(k), total: Number(m[2]) };
}

export async function fleetCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCli(args, FLEET_OPTIONS, false, 'fleet', COMMAND_HELP.fleet);
  if (values.count === undefined) throw new BenchError('INVALID_ARGUMENT', 'fleet needs --count N');
  const tick = durationOption('--tick', values.tick, 10_000);
  const fleet = new Fleet({
    count: intOption('--count', values.count, 1, 1, 10_000_000),
    seed: intOption('--seed', values.seed, 1, 0, Number.MAX_SAFE_INTEGER),
    shard: parseShard(values.shard),
    profiles: (values.profile ?? 'mf79u').split(','),
    ...(values['id-prefix'] === undefined ? {} : { idPrefix: values['id-prefix'] }),
    clockMode: values.paused ? 'paused' : 'running',
    speed: numberOption('--speed', values.speed, 1),
    tickMs: tick,
    controlToken: values['control-token'] ?? process.env.ROUTERLAB_CONTROL_TOKEN,
  });
  const cloud = cloudFlags(values);
  const statusEvery = durationOption('--status-every', values['status-every'], 10_000);
  const duration = values.duration === undefined ? null : durationOption('--duration', values.duration, 0);
  let status: NodeJS.Timeout | undefined;
  const stop = io.stopSignal();
  try {
    io.out(`fleet shard [${fleet.start}, ${fleet.end}) of ${fleet.count}: ${fleet.deviceId(fleet.start)} .. ${fleet.deviceId(fleet.end - 1)}`);
    const controlUrl = await fleet.listenControl({ port: intOption('--control-port', values['control-port'], 8081, 0, 65535) });
    io.out(`control api listening on ${controlUrl}/api/v1 (dashboard: ${controlUrl}/)`);
    // Each router's port speaks its profile's API: goform, ubus, or both kinds in a mixed fleet.
    const apis = [...new Set((values.profile ?? 'mf79u').split(',').map((n) => (n === 'mix' ? 'goform/ubus' : loadProfile(n).api)))].join('/');
    if (values['goform-base-port'] !== undefined) {
      const r = await fleet.listenGoform({ basePort: intOption('--goform-base-port', values['goform-base-port'], 0, 1, 65535) });
      io.out(`${apis} listening on ${r.first} .. ${r.last}`);
    } else if (values['goform-address-base'] !== undefined) {
      const r = await fleet.listenGoform({ addressBase: values['goform-address-base'], port: intOption('--goform-port', values['goform-port'], 8080, 0, 65535) });
      io.out(`${apis} listening on ${r.first} .. ${r.last}`);
    }
    if (values.acs !== undefined) {
      const r = await fleet.startCwmp({
        url: values.acs,
        username: values['acs-username'],
        password: values['acs-password'] ?? process.env.ROUTERLAB_ACS_PASSWORD,
        crPort: intOption('--cr-port', values['cr-port'], 7547, 0, 65535),
        maxSessions: intOption('--max-sessions', values['max-sessions'], 50, 1, 100_000),
        bootSpreadMs: durationOption('--boot-spread', values['boot-spread'], 60_000),
        ...(values['periodic-inform'] === undefined ? {} : { periodicInformIntervalS: intOption('--periodic-inform', values['periodic-inform'], 86_400, 1, 31_536_000) }),
      });
      io.out(`cwmp: ${r.cpes} CPEs of ${values.acs} (connection requests on ${r.connectionRequestBase}/<path>)`);
    }
    if (values.usp !== undefined) {
      const prefix = values['usp-topic-prefix'] ?? 'usp/agent';
      const r = await fleet.startUsp({
        url: values.usp,
        controller: uspController(values['usp-controller'], values['usp-controller-topic']),
        topicPrefix: prefix,
        username: values['usp-username'],
        password: values['usp-password'] ?? process.env.ROUTERLAB_USP_PASSWORD,
        onBoardRequest: values['usp-onboard'] === true,
        connectRate: intOption('--connect-rate', values['connect-rate'], 500, 1, 1_000_000),
      });
      io.out(`usp: ${r.connected} of ${r.agents} agents connected to ${values.usp} (requests on ${prefix}/<serial>)`);
    }
    if (cloud) {
      const r = await fleet.startCloud({ ...cloud, connectRate: intOption('--connect-rate', values['connect-rate'], 1000, 1, 1_000_000), log: (l) => io.err(l) });
      io.out(`cloud: ${r.connected} devices started against ${r.brokerUrl}`);
    }
    if (statusEvery > 0 && cloud) {
      status = setInterval(() => {
        const s = fleet.cloudStatus();
        io.out(`cloud: ${s.connected}/${s.devices} connected, ${s.sent} sent, ${s.queued} queued, ${s.dropped} dropped, ${s.reconnects} reconnects`);
      }, statusEvery);
      status.unref();
    }
    let timer: NodeJS.Timeout | undefined;
    await (duration === null ? stop : Promise.race([stop, new Promise((r) => (timer = setTimeout(r, duration)))]));
    clearTimeout(timer);
    return EXIT.OK;
  } finally {
    clearInterval(status);
    await fleet.close();
  }
}
