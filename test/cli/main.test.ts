import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type CliIo } from '../../cli/main.js';
import { createEmulator } from '../../emulator/index.js';
import { TestAcs } from '../helpers/acs.js';

const BIN = fileURLToPath(new URL('../../bin/routerlab.js', import.meta.url));

/** POST over https to a self-signed server (what ZWRT clients do: verification off, ubus-api.md §2.5). */
function httpsPost(url: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', rejectUnauthorized: false, headers: { Referer: url, 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function capture(): { out: string[]; err: string[]; io: CliIo } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l), stopSignal: () => Promise.resolve() } };
}

describe('routerlab CLI', () => {
  it('serve prints one ready line and stops cleanly when signalled', async () => {
    const { out, io } = capture();
    const code = await main(['serve', '--port', '0', '--control-port', '0', '--mqtt-port', '0', '--seed', '3', '--speed', '60', '--profile', 'mc888'], io);
    expect(code).toBe(EXIT.OK);
    expect(out[0]).toMatch(/^goform listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(out[1]).toMatch(/^control api listening on http:\/\/127\.0\.0\.1:\d+\/api\/v1 \(docs: /);
    expect(out[2]).toMatch(/^cloud channel connected to mqtt:\/\/127\.0\.0\.1:\d+ \(telemetry on dt\/routerlab\/dev-0\/telemetry, commands on cmd\/routerlab\/dev-0\/req\)$/);
  });

  it('serve refuses an empty control token (an unset CI secret) with one line, before listening', async () => {
    for (const [args, env] of [[['--control-token', ''], undefined], [[], '']] as const) {
      const { out, err, io } = capture();
      const before = process.env.ROUTERLAB_CONTROL_TOKEN;
      if (env !== undefined) process.env.ROUTERLAB_CONTROL_TOKEN = env;
      try {
        expect(await main(['serve', '--port', '0', '--control-port', '0', '--no-cloud', ...args], io)).toBe(EXIT.USAGE);
      } finally {
        if (before === undefined) delete process.env.ROUTERLAB_CONTROL_TOKEN;
        else process.env.ROUTERLAB_CONTROL_TOKEN = before;
      }
      expect(out).toEqual([]);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/control token is empty/);
    }
    const { err, io } = capture();
    expect(await main(['serve', '--port', '0', '--control-port', '0', '--no-cloud', '--modem-tcp', '0', '--modem-host', '0.0.0.0'], io)).toBe(EXIT.USAGE);
    expect(err.join('\n')).toMatch(/--modem-allow-remote/);
  });

  it('serve --profile g5ts --https-port serves ubus over TLS with a generated certificate and says so', async () => {
    const out: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<string>((r) => (stop = () => r('SIGINT')));
    let answer: Promise<string> | null = null;
    const io: CliIo = {
      out(line) {
        out.push(line);
        const tls = /^ubus listening on (https:\/\/\S+) \(TLS\)$/.exec(line);
        if (tls) answer = httpsPost(`${tls[1]}/ubus/?t=1`, '[{"jsonrpc":"2.0","id":1,"method":"call","params":["00000000000000000000000000000000","zwrt_web","web_login_info",{}]}]').finally(stop);
      },
      err: () => undefined,
      stopSignal: () => stopped,
    };
    expect(await main(['serve', '--profile', 'g5ts', '--port', '0', '--https-port', '0', '--control-port', '0', '--no-cloud'], io)).toBe(EXIT.OK);
    expect(out[0]).toMatch(/^ubus listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(out[1]).toMatch(/^ubus listening on https:\/\/127\.0\.0\.1:\d+ \(TLS\)$/);
    expect(JSON.parse(await answer!)).toMatchObject([{ id: 1, result: [0, { login_fail_num: 5 }] }]);
    const { err, io: io2 } = capture();
    expect(await main(['serve', '--port', '0', '--https-port', '0', '--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key', '--control-port', '0', '--no-cloud'], io2)).toBe(EXIT.USAGE);
    expect(err.join('\n')).toMatch(/cannot read the TLS certificate/);
  });

  it('serve --acs and fleet --acs make TR-069 CPEs that inform the ACS and say where connection requests go', async () => {
    const acs = new TestAcs();
    await acs.start();
    try {
      const out: string[] = [];
      let stop!: () => void;
      const stopped = new Promise<string>((r) => (stop = () => r('SIGINT')));
      const io: CliIo = { out: (l) => out.push(l), err: () => undefined, stopSignal: () => stopped };
      const run = main(['serve', '--port', '0', '--control-port', '0', '--no-cloud', '--acs', acs.url, '--cr-port', '0'], io);
      await acs.until(() => acs.informs.length === 1);
      stop();
      expect(await run).toBe(EXIT.OK);
      expect(out.at(-1)).toMatch(/^cwmp cpe of http:\/\/127\.0\.0\.1:\d+\/ \(connection requests on http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\)$/);
      expect(acs.informs[0]!.events.map((e) => e.code)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
      const { out: fout, io: fio } = capture();
      expect(await main(['fleet', '--count', '3', '--control-port', '0', '--no-cloud', '--acs', acs.url, '--cr-port', '0', '--duration', '10ms', '--status-every', '0'], fio)).toBe(EXIT.OK);
      expect(fout).toContainEqual(expect.stringMatching(/^cwmp: 3 CPEs of http:\/\/127\.0\.0\.1:\d+\/ \(connection requests on http:\/\/127\.0\.0\.1:\d+\/<path>\)$/));
    } finally {
      await acs.close();
    }
  });

  it('serve refuses USP flags without --usp, half a Controller, and a broker URL that is not mqtt://', async () => {
    for (const args of [['--usp-controller', 'x', '--usp-controller-topic', 't'], ['--usp', 'mqtt://127.0.0.1:1', '--usp-controller', 'x'], ['--usp', 'http://127.0.0.1:1']]) {
      const { err, io } = capture();
      expect(await main(['serve', '--port', '0', '--control-port', '0', '--no-cloud', ...args], io)).toBe(EXIT.USAGE);
      expect(err.join('\n')).toMatch(/--usp/);
    }
  });

  it('run writes its reports into folders it makes, and says on the console why a run is partial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-cli-out-'));
    try {
      const file = join(dir, 'partial.yaml');
      writeFileSync(file, 'name: partial\nrequires: [usp]\nsteps:\n  - usp: { op: get, path: Device.DeviceInfo.SerialNumber }\n');
      const out: string[] = [];
      const io: CliIo = { out: (l) => out.push(l), err: () => undefined, stopSignal: () => new Promise(() => undefined) };
      const report = join(dir, 'new', 'deeper', 'junit.xml');
      // A partial run is not a pass (exit 1), and its report is written all the same.
      expect(await main(['run', file, '--report', `junit:${report}`], io)).toBe(EXIT.FAILURE);
      expect(readFileSync(report, 'utf8')).toContain('<testsuites');
      expect(out).toContainEqual(expect.stringMatching(/^PARTIAL partial .* -- step 0 skipped: target emulator:mf79u has no usp capability \(it offers /));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run and load refuse an output path they cannot write before doing any work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-cli-out-'));
    try {
      const blocker = join(dir, 'a-file');
      writeFileSync(blocker, 'x');
      for (const args of [['run', 'scenarios/suites/signal', '--report', `json:${join(blocker, 'r.json')}`], ['load', 'scenarios/load/smoke.yaml', '--summary', `json:${join(blocker, 's.json')}`]]) {
        const { err, io } = capture();
        expect(await main(args, io)).toBe(EXIT.USAGE);
        expect(err.join('\n')).toMatch(/: cannot write there \(E(EXIST|NOTDIR)/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve --no-cloud runs without a broker', async () => {
    const { out, io } = capture();
    expect(await main(['serve', '--port', '0', '--control-port', '0', '--no-cloud'], io)).toBe(EXIT.OK);
    expect(out).toHaveLength(2);
  });

  it('fleet runs a shard, lists its devices and stops by itself', async () => {
    const { out, io } = capture();
    expect(await main(['fleet', '--count', '10', '--shard', '1/2', '--control-port', '0', '--mqtt-port', '0', '--paused', '--duration', '10ms', '--status-every', '0'], io)).toBe(EXIT.OK);
    expect(out[0]).toBe('fleet shard [5, 10) of 10: rl-000005 .. rl-000009');
    expect(out[2]).toMatch(/^cloud: 5 devices started against mqtt:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serve --modem-tcp also prints where the modem listens', async () => {
    const { out, io } = capture();
    expect(await main(['serve', '--port', '0', '--control-port', '0', '--mqtt-port', '0', '--modem-tcp', '0'], io)).toBe(EXIT.OK);
    expect(out).toEqual([expect.stringMatching(/^goform listening on /), expect.stringMatching(/^control api listening on /), expect.stringMatching(/^modem tcp listening on 127\.0\.0\.1:\d+$/), expect.stringMatching(/^cloud channel /)]);
  });

  it('ports lists this machine\'s serial ports (or says there are none) and exits 0', async () => {
    const { out, io } = capture();
    expect(await main(['ports'], io)).toBe(EXIT.OK);
    expect(out[0]).toMatch(/^(PATH\tVENDOR:PRODUCT\tMANUFACTURER\tZTE\tAT|no serial ports found)/);
  });

  it('record, fidelity and serve --from: a recorded device comes back as an emulator that matches it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-rec-'));
    try {
      const rec = capture();
      expect(await main(['record', '--target', 'emulator:mc888', '--out', dir], rec.io)).toBe(EXIT.OK);
      expect(rec.out[0]).toMatch(/^recorded emulator:mc888 to .*recording\.json \(identifiers scrubbed\)$/);
      const ok = capture();
      expect(await main(['fidelity', dir], ok.io)).toBe(EXIT.OK);
      expect(ok.out.at(-1)).toMatch(/^0 difference\(s\)/);
      const file = join(dir, 'recording.json');
      const recording = JSON.parse(readFileSync(file, 'utf8')) as { goform: { cmd: string; response: Record<string, string> }[] };
      const imei = recording.goform.find((e) => e.cmd.startsWith('imei'))!.response.imei;
      recording.goform.find((e) => e.cmd.startsWith('signalbar'))!.response.lte_band = '99';
      writeFileSync(file, JSON.stringify(recording));
      const bad = capture();
      expect(await main(['fidelity', dir, '--target', 'emulator:mc888'], bad.io)).toBe(EXIT.FAILURE);
      expect(bad.out.some((l) => /\tlte_band\tvalue\trecorded=99/.test(l))).toBe(true);
      const served = capture();
      let release!: () => void;
      const running = main(['serve', '--port', '0', '--control-port', '0', '--mqtt-port', '0', '--from', dir], { ...served.io, stopSignal: () => new Promise((r) => (release = r)) });
      await expect.poll(() => served.out.length).toBe(3);
      const url = /on (\S+)$/.exec(served.out[0]!)![1]!;
      const login = await fetch(`${url}/goform/goform_get_cmd_process?cmd=LD`);
      expect(login.status).toBe(200);
      const control = /on (\S+)\/api\/v1/.exec(served.out[1]!)![1]!;
      const state = (await (await fetch(`${control}/api/v1/devices/dev-0/state`)).json()) as { identity: { imei: string }; profile: string };
      expect(state).toMatchObject({ profile: 'mc888', identity: { imei } });
      release();
      expect(await running).toBe(EXIT.OK);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['record', '--target', 'emulator'], /record needs --target T and --out DIR/],
    [['fidelity'], /fidelity needs the recording folder/],
    [['fidelity', '/nonexistent'], /no readable recording\.json in \/nonexistent/],
    [['serve', '--modem-tcp', '70000'], /--modem-tcp 70000 is not a whole number/],
    [['serve', '--port', '0', '--control-port', '0', '--mqtt-port', '0', '--control-host', '0.0.0.0'], /binding the control API to 0\.0\.0\.0 needs a token/],
    [['serve', '--port', 'eighty'], /--port eighty is not a whole number/],
    [['serve', '--speed=-2'], /--speed -2 is not a positive number/],
    [['serve', '--speed', '0'], /--speed 0 is not a positive number/],
    [['serve', '--profile', 'nope'], /no profiles fixture "nope"; known: g5ts, g5ultra, mc7510, mc801a, mc888, mf266, mf286d, mf286r, mf297d, mf761, mf79u, mf823, mu5001, u60pro/],
    [['serve', '--bogus'], /^routerlab: serve: unknown option '--bogus'; run 'routerlab serve --help'$/],
    [['ports', '--bogus'], /^routerlab: ports: unknown option '--bogus'; run 'routerlab ports --help'$/],
    [['serve', '--port'], /^routerlab: serve: option '--port <port>' argument missing; run 'routerlab serve --help'$/],
    [['run', 'scenarios/suites/signal', '--report', 'pdf:out.pdf'], /^routerlab: run --report: unknown report kind "pdf"; use junit:FILE, json:FILE or html:FILE$/],
    [['profiles', 'extra'], /^routerlab: profiles: too many arguments/],
    [['launch'], /unknown command "launch"/],
    [['serve', '--mqtt', 'ftp://x'], /--mqtt ftp:\/\/x must be a URL like mqtt:\/\/127\.0\.0\.1:1883/],
    [['serve', '--mqtt-protocol', '4'], /--mqtt-protocol 4 must be 3\.1\.1 or 5/],
    [['serve', '--mqtt-cert', '/nonexistent.pem'], /--mqtt-cert \/nonexistent\.pem: cannot read \(ENOENT\)/],
    [['serve', '--telemetry-interval', 'soon'], /--telemetry-interval soon is not a duration/],
    [['fleet'], /fleet needs --count N/],
    [['fleet', '--count', '10', '--shard', '3/2'], /shard must be k\/K with 0 <= k < K, got 3\/2/],
    [['fleet', '--count', '10', '--shard', '/2'], /no k given and JOB_COMPLETION_INDEX is not set/],
    [['fleet', '--count', '10', '--tick', '1500ms'], /--tick\) must be whole seconds from 1s to 1h, got 1500 ms/],
  ])('%j fails with a one-line message and exit code 2', async (argv, message) => {
    const { err, io } = capture();
    expect(await main(argv, io)).toBe(EXIT.USAGE);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(message);
  });

  it.each(['serve', 'fleet', 'load', 'ports', 'run', 'record', 'proxy', 'import', 'diff', 'fidelity', 'profiles'])('%s --help shows its options and examples and exits 0 without doing anything', async (command) => {
    const { out, err, io } = capture();
    expect(await main([command, '--help'], io)).toBe(EXIT.OK);
    expect(err).toEqual([]);
    const text = out.join('\n');
    expect(text).toMatch(new RegExp(`^Usage: routerlab ${command} \\[options\\]`));
    expect(text).toMatch(/\nOptions:\n/);
    expect(text).toMatch(new RegExp(`\nExamples:\n  routerlab ${command}`));
    // Every option once, each with a meaning of its own (two flags never share one text, a value name is a name).
    const options = text.slice(text.indexOf('\nOptions:\n'), text.indexOf('\n\n', text.indexOf('\nOptions:\n') + 2));
    const rows = [...options.matchAll(/^ {2}(?:-\w, )?--([a-z0-9-]+)(?: <([^>]*)>)? *(.*)$/gm)];
    expect(rows.length).toBeGreaterThan(0);
    for (const [, flag, value, meaning] of rows) {
      if (flag === 'help') continue;
      expect(text.split(`\n  --${flag!} `).length + text.split(`\n  --${flag!}\n`).length - 2, `--${flag!} shown once`).toBe(1);
      expect(meaning, `--${flag!} has a meaning`).not.toBe('');
      if (value !== undefined) expect(value, `--${flag!} value name`).toMatch(/^[a-z][a-z0-9:/._,-]*$/);
    }
    const meanings = rows.map((r) => r[3]).filter((m) => m !== 'print stack traces of errors');
    expect(new Set(meanings).size, 'two options share a meaning').toBe(meanings.length);
  });

  it('reports a port in use as one line with exit code 2', async () => {
    const first = capture();
    let release!: () => void;
    const running = main(['serve', '--port', '0', '--control-port', '0', '--mqtt-port', '0'], { ...first.io, stopSignal: () => new Promise((r) => (release = r)) });
    await expect.poll(() => first.out.length).toBe(3);
    const port = /:(\d+)$/.exec(first.out[0]!)![1]!;
    const second = capture();
    expect(await main(['serve', '--port', port, '--control-port', '0'], second.io)).toBe(EXIT.USAGE);
    expect(second.err[0]).toMatch(/cannot listen for goform on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    release();
    expect(await running).toBe(EXIT.OK);
  });

  it('proxy records what a client did through it and writes the recording on SIGINT and on SIGTERM', async () => {
    const emu = createEmulator({ clockMode: 'paused' });
    const device = await emu.listen({ port: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-cli-proxy-'));
    try {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const out = join(dir, signal);
        const child = spawn(process.execPath, [BIN, 'proxy', '--target', `router:${device}?password=admin`, '--out', out, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
        const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
        const url = /^proxy listening on (\S+) -> /.exec(chunk.toString())![1]!;
        const res = await fetch(`${url}/goform/goform_get_cmd_process?isTest=false&cmd=Language,modem_main_state&multi_data=1`, { headers: { Referer: `${url}/` } });
        expect(JSON.parse(await res.text())).toEqual({ Language: 'en', modem_main_state: 'modem_init_complete' });
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.kill(signal);
        const [code] = (await once(child, 'exit')) as [number];
        expect(code, signal).toBe(0);
        expect(stdout).toMatch(/^recorded 1 exchange\(s\) \(1 goform reads\) to /);
        const recording = JSON.parse(readFileSync(join(out, 'recording.json'), 'utf8')) as { _meta: { source: string }; exchanges: { name: string }[] };
        expect(recording.exchanges.map((x) => x.name)).toEqual(['Language,modem_main_state']);
        expect(recording._meta.source).not.toContain('password');
      }
    } finally {
      await emu.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('proxy refuses an unreachable router and a missing --out with one line each', async () => {
    const a = capture();
    expect(await main(['proxy', '--target', 'router:http://127.0.0.1:9'], a.io)).toBe(EXIT.USAGE);
    expect(a.err).toEqual(['routerlab: proxy needs --target router:http://DEVICE and --out DIR']);
    const dir = mkdtempSync(join(tmpdir(), 'routerlab-cli-proxy-'));
    try {
      // A port nothing listens on: take one and give it back.
      const emu = createEmulator({ clockMode: 'paused' });
      const port = new URL(await emu.listen({ port: 0 })).port;
      await emu.close();
      const b = capture();
      expect(await main(['proxy', '--target', `router:http://127.0.0.1:${port}`, '--out', dir, '--port', '0'], b.io)).toBe(EXIT.FAILURE);
      expect(b.err).toEqual([expect.stringMatching(new RegExp(`^routerlab: \\[proxy\\] cannot reach http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); is the router on`))]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the installed bin serves real HTTP and exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--control-port', '0', '--mqtt-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const url = /goform listening on (\S+)/.exec(chunk.toString())![1]!;
    const res = await fetch(`${url}/goform/goform_get_cmd_process?cmd=Language,modem_main_state&multi_data=1`, { headers: { Referer: `${url}/` } });
    expect(JSON.parse(await res.text())).toEqual({ Language: 'en', modem_main_state: 'modem_init_complete' });
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});
