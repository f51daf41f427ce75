// The usage texts: plain data, so `routerlab help` loads nothing else (bench/startup).
import type { CommandHelp } from './args.js';

export const CLOUD_USAGE = `cloud channel options (serve and fleet):
  --mqtt URL            broker (mqtt://, mqtts://, ws://, wss://); default: an embedded broker on 127.0.0.1
  --mqtt-port P         port of the embedded broker (default 1883; 0 picks a free one)
  --mqtt-username U     broker username
  --mqtt-password P     broker password (or ROUTERLAB_MQTT_PASSWORD)
  --mqtt-ca FILE        PEM CA certificate that signed the mqtts broker's certificate
  --mqtt-cert FILE      PEM client certificate for mutual TLS (with --mqtt-key)
  --mqtt-key FILE       PEM private key of --mqtt-cert
  --mqtt-protocol V     3.1.1 (default) or 5
  --topic-prefix P      topics dt/P/<device>/telemetry|event, cmd/P/<device>/req|res (default routerlab)
  --telemetry-interval D  virtual time between telemetry messages (default 10s)
  --telemetry-qos Q     0 or 1 (default 1)
  --queue-limit N       messages kept while offline (default 1000)
  --no-cloud            no cloud channel`;

export const FLEET_USAGE = `fleet options:
  --count N                 devices in the whole fleet (all shards)
  --seed S                  fleet seed: device i's identity derives from (S, i) (default 1)
  --shard K/TOTAL           run shard K of TOTAL: devices [K*N/TOTAL, (K+1)*N/TOTAL) (default 0/1;
                            JOB_COMPLETION_INDEX fills K)
  --profile LIST            device profiles drawn per index: P[,P...] or mix, every profile (default mf79u)
  --id-prefix P             device ids P-000000... (default rl)
  --goform-base-port P      device i's goform API on 127.0.0.1:(P+i)
  --goform-address-base A   device i's goform API on address A+i (127.x.y.z), port --goform-port
  --goform-port P           the port with --goform-address-base (default 8080)
  --control-port P          fleet control API (default 8081; /api/v1/devices/{id}, /api/v1/fleet/stimuli/...)
  --control-token T         bearer token for the control API (or ROUTERLAB_CONTROL_TOKEN)
  --speed X                 virtual seconds per wall second (default 1)
  --paused                  start with the virtual clock paused
  --tick D                  simulation step per device (default 10s)
  --connect-rate N          new MQTT connections per second while starting (default 1000)
  --duration D              stop by itself after D of wall time (default: run until SIGINT/SIGTERM)
  --status-every D          print cloud counters every D of wall time (default 10s; 0 = never)
  --acs URL                 every router a TR-069 CPE of the ACS at URL (0 BOOTSTRAP then 1 BOOT, periodic informs)
  --acs-username U          CPE username toward the ACS
  --acs-password P          CPE password toward the ACS (or ROUTERLAB_ACS_PASSWORD)
  --cr-port P               one connection-request listener for the shard on loopback (default 7547; 0 = free)
  --max-sessions N          CWMP sessions in flight at most across the shard (default 50)
  --boot-spread D           first contacts spread over D of virtual time (default 60s)
  --periodic-inform S       PeriodicInformInterval in seconds until the ACS sets one (default 86400)
  --usp URL                 every router a TR-369 USP Agent on the MQTT 5 broker at URL (Endpoint ID os::<OUI>-<serial>)
  --usp-controller ID       Endpoint ID of the Controller the agents know (default proto::interop-usp-controller,
                            usp-js's; give --usp-controller-topic with it)
  --usp-controller-topic T  that Controller's topic (default /usp/controller)
  --usp-topic-prefix P      each agent takes requests on P/<serial> (default usp/agent)
  --usp-username U          MQTT username of every agent
  --usp-password P          MQTT password of every agent (or ROUTERLAB_USP_PASSWORD)
  --usp-onboard             send an OnBoardRequest after connecting, until the Controller answers`;

export const LOAD_USAGE = `load options (routerlab load PROFILE --target T):
  --target T          emulator[:profile] (started for the run), fleet:N[:profile], emulator:<control url>,
                      router:<url>?password=... (capped: 5 iterations/s, 5 VUs), http://host:port
  --duration D        the whole run's length: start times, durations and stages scaled to fit D (rates unchanged)
  --summary S         json:FILE,junit:FILE
  --password PW       router login password (default admin)
  --unlimited         lift the cap on real routers
  exit code: 0 when every threshold holds, 99 when one fails, 130 when stopped by SIGINT/SIGTERM (summary written)`;

export const PROXY_USAGE = `proxy options:
  --target router:URL   the router to forward to (router:http://192.168.0.1; a ?password= is ignored: the client logs in)
  --out DIR             recording folder (recording.json, webui/ with the static files the client fetched)
  --port P              listen port (default 8080; 0 picks a free one)
  --host H              listen address (default 127.0.0.1; others need --token)
  --token T             token clients give once as ?routerlab_token=T (a cookie then) or as a Bearer header
  --allow-host NAME     a Host name besides addresses and localhost the proxy answers (repeatable)
  --allow-destructive   forward reboot, power-off and factory reset (held back and answered failure otherwise)
Ctrl-C (SIGINT/SIGTERM) writes the recording; then: serve --from DIR, import DIR, fidelity DIR --target T.`;

export const USAGE = `usage: routerlab <command> [options]

commands:
  serve      run the emulated router: goform API, control API, cloud channel (and the AT modem on request)
  fleet      run N routers in one process: routerlab fleet --count N [--seed S] [--shard k/K] [--profile mix]
  load       HTTP load in k6's shape: routerlab load PROFILE --target T [--duration D] [--summary json:F,junit:F]
  ports      list serial ports; ZTE devices (USB vendor 0x19d2) are probed with AT
  run        run scenarios: routerlab run PATH... --target T [--seed N] [--report junit:F,json:F,html:F] [--grep TAG]
  record     record a device: routerlab record --target T --out DIR (scrubbed goform reads and AT transcript)
  proxy      record what a real app does: routerlab proxy --target router:http://DEVICE --out DIR [--port P]
  import     turn a recording into a scenario: routerlab import DIR --out scenarios/suites/field/NAME.yaml
  diff       run scenarios on two targets and compare: routerlab diff PATH --target A --target B
  fidelity   compare a recording with a target: routerlab fidelity DIR [--target T] (default: an emulator from DIR)
  profiles   list the device profiles
  help       show this text

serve options:
  --profile NAME    device profile (default mf79u; see 'routerlab profiles')
  --host HOST       address to bind (default 127.0.0.1)
  --port PORT       the device's web API port, goform or ubus by profile (default 8080; 0 picks a free one)
  --https-port PORT also serve the web API over TLS on PORT (ubus clients default to https; 0 picks a free one)
  --tls-cert FILE   PEM certificate for --https-port (default: a self-signed one generated at start)
  --tls-key FILE    PEM private key for --tls-cert
  --acs URL         be a TR-069 CPE of the ACS at URL (BOOTSTRAP, periodic informs, connection requests)
  --acs-username U  CPE username toward the ACS (Basic or Digest, as the ACS asks)
  --acs-password P  its password (or ROUTERLAB_ACS_PASSWORD)
  --cr-port PORT    connection-request listener on loopback (default 7547; 0 picks a free one)
  --periodic-inform S  PeriodicInformInterval in seconds until the ACS sets one (default 86400)
  --usp URL         be a TR-369 USP Agent on the MQTT 5 broker at URL (mqtt://; Mosquitto, not aedes)
  --usp-endpoint-id ID   the agent's Endpoint ID (default os::<OUI>-<serial>)
  --usp-topic T     the topic the agent takes requests on (default /usp/endpoint, usp-js's)
  --usp-controller ID    the Controller's Endpoint ID (default proto::interop-usp-controller, usp-js's)
  --usp-controller-topic T   the Controller's topic (default /usp/controller)
  --usp-username U  the agent's MQTT username
  --usp-password P  the agent's MQTT password (or ROUTERLAB_USP_PASSWORD)
  --usp-onboard     send an OnBoardRequest after connecting, until the Controller answers
  --seed N          seed for identities and random behaviour (default 1)
  --speed X         virtual seconds per wall second (default 1)
  --paused          start with the virtual clock paused
  --password PW     web login password (default: the profile's, admin)
  --share-dir DIR   folder for shared files (default: a temporary folder)
  --from DIR        start from a recording (profile, identity, radio, battery, SMS as recorded)
  --webui DIR       serve a stock web UI folder (extracted from your own device's firmware) on the goform port
  --modem-pty PATH  also offer the AT modem as a pseudo-terminal at PATH (needs socat)
  --modem-unix PATH also offer the AT modem as one serial line on a UNIX socket at PATH (ModemManager)
  --modem-tcp PORT  also offer the AT modem on TCP PORT (0 picks a free one)
  --modem-host HOST address for --modem-tcp (default 127.0.0.1; others need --modem-allow-remote)
  --modem-allow-remote  let --modem-host be a non-loopback address (the AT port has no authentication)
  --control-port P  control API port (default 8081; 0 picks a free one)
  --control-host H  control API address (default 127.0.0.1; others need a token)
  --control-token T bearer token the control API requires (or ROUTERLAB_CONTROL_TOKEN; empty is refused)
  --control-allow-host NAME  a Host name besides loopback the control API answers (repeatable)
  --journal-size N  journal ring size in entries (default 10000)
  --device-id ID    device id (default dev-0; lowercase letters, digits, dashes)
  --verbose         print stack traces of errors

${CLOUD_USAGE}

${FLEET_USAGE}

${LOAD_USAGE}

${PROXY_USAGE}
`;

/**
 * Each flag's value name and meaning, read from the usage texts above (one place to write them): `--flag VALUE  text`
 * lines, a later section's line winning for a flag several sections describe.
 */
function flagsOf(...texts: string[]): Record<string, { value?: string; text: string }> {
  const out: Record<string, { value?: string; text: string }> = {};
  for (const text of texts) {
    let last: string[] = [];
    for (const line of text.split('\n')) {
      // A deeper-indented line without a flag continues the meaning of the flags above it.
      if (/^ {4,}\S/.test(line) && !line.trimStart().startsWith('--')) {
        for (const flag of last) out[flag]!.text += ` ${line.trim()}`;
        continue;
      }
      last = [];
      if (!line.startsWith('  --')) continue;
      // One or more `--flag [VALUE]` at the start (`--mqtt-ca FILE --mqtt-cert FILE`), then the meaning.
      const flags: [string, string | undefined][] = [];
      let rest = line.trim();
      for (let m = /^--([a-z0-9-]+)(?: (?!--)([A-Z][A-Za-z0-9:/._|,-]*|router:URL|P\[,P\.\.\.\]\|mix))?\s*/.exec(rest); m; m = /^--([a-z0-9-]+)(?: (?!--)([A-Z][A-Za-z0-9:/._|,-]*|router:URL))?\s*/.exec(rest)) {
        flags.push([m[1]!, m[2]]);
        rest = rest.slice(m[0].length);
      }
      for (const [flag, value] of flags) out[flag] = { ...(value ? { value } : {}), text: rest };
      last = flags.map(([flag]) => flag);
    }
  }
  return out;
}

/** One section of a usage text: from its heading to the next empty line. */
function section(text: string, heading: string): string {
  const start = text.indexOf(heading);
  return start < 0 ? '' : text.slice(start, text.indexOf('\n\n', start) < 0 ? undefined : text.indexOf('\n\n', start));
}

const COMMON = `  --target T        the target: emulator[:profile], emulator:<control url>, router:<url>?password=..., modem:<path>, or a .json config
  --seed N          seed for the emulator and the scenario's random choices
  --report S        reports to write: junit:FILE,json:FILE,html:FILE
  --grep TAG        only scenarios with this tag or name part
  --out DIR         where to write (a folder for recordings, a file for import)
  --name NAME       the scenario's name
  --verbose         print stack traces of errors`;

/** Flag descriptions for --help, per command. */
export const FLAGS = {
  serve: flagsOf(section(USAGE, 'serve options:'), CLOUD_USAGE),
  fleet: flagsOf(COMMON, CLOUD_USAGE, FLEET_USAGE),
  load: flagsOf(COMMON, LOAD_USAGE),
  proxy: flagsOf(COMMON, PROXY_USAGE),
  other: flagsOf(COMMON),
};

/** What `routerlab CMD --help` adds to the options of each command: a summary and examples. */
export const COMMAND_HELP: Record<string, CommandHelp> = {
  serve: {
    summary: 'Run the emulated router: goform API, control API, cloud channel (and the AT modem on request).',
    examples: ['routerlab serve', 'routerlab serve --profile mc888 --seed 3 --port 8080 --modem-tcp 7777', 'routerlab serve --from fixtures/recordings/field-bug-42 --paused', 'routerlab serve --no-cloud --modem-unix /tmp/zte.sock'],
    more: 'Cloud options are described in `routerlab help`. Stops cleanly on SIGINT/SIGTERM (exit 0).',
  },
  fleet: {
    summary: 'Run N emulated routers in one process on one virtual clock.',
    examples: ['routerlab fleet --count 100 --seed 7', 'routerlab fleet --count 1000 --shard 2/4 --profile mf79u:3,mc888:1'],
  },
  load: {
    summary: 'HTTP load in k6\'s shape against a target; exit 99 when a threshold fails, 130 when stopped.',
    arguments: 'PROFILE',
    examples: ['routerlab load scenarios/load/smoke.yaml --target emulator --duration 10s', 'routerlab load scenarios/load/smoke.yaml --target fleet:50 --summary json:out/load.json,junit:out/load.xml'],
  },
  ports: {
    summary: 'List serial ports; ZTE devices (USB vendor 0x19d2) are probed with AT.',
    examples: ['routerlab ports'],
  },
  run: {
    summary: 'Run scenario files or folders against a target; exit 0 only when every scenario passed, 130 when stopped.',
    arguments: 'PATH...',
    examples: ['routerlab run scenarios/suites --target emulator --report junit:out/junit.xml,html:out/report.html', 'routerlab run scenarios/suites/sms --target \'router:http://192.168.0.1?password=...\' --grep smoke', 'routerlab run scenarios/suites --target emulator:http://127.0.0.1:8081'],
  },
  record: {
    summary: 'Record a device (scrubbed goform reads and AT transcript) to DIR/recording.json.',
    examples: ['routerlab record --target \'router:http://192.168.0.1?password=...\' --out fixtures/recordings/field-bug-42'],
  },
  proxy: {
    summary: 'Record what a real app or web UI does with a real router, by standing between them.',
    examples: ['routerlab proxy --target router:http://192.168.0.1 --out fixtures/recordings/app-bug-7 --port 8080'],
    more: 'Ctrl-C (SIGINT/SIGTERM) writes the recording; then: serve --from DIR, import DIR, fidelity DIR --target T.',
  },
  import: {
    summary: 'Turn a recording into a scenario.',
    arguments: 'DIR',
    examples: ['routerlab import fixtures/recordings/field-bug-42 --out scenarios/suites/field/field-bug-42.yaml'],
  },
  diff: {
    summary: 'Run the same scenarios on two targets and list the differences.',
    arguments: 'PATH...',
    examples: ['routerlab diff scenarios/suites/signal --target emulator --target \'router:http://192.168.0.1?password=...\''],
  },
  fidelity: {
    summary: 'Replay a recording against a target and report each key whose value or format differs.',
    arguments: 'DIR',
    examples: ['routerlab fidelity fixtures/recordings/field-bug-42', 'routerlab fidelity fixtures/recordings/app-bug-7 --target emulator:mf79u'],
  },
  profiles: {
    summary: 'List the device profiles: model, login, AD, session, web UI, class.',
    examples: ['routerlab profiles'],
  },
};

for (const [name, help] of Object.entries(COMMAND_HELP)) help.flags = (FLAGS as Record<string, CommandHelp['flags']>)[name] ?? FLAGS.other;
