// bench/at-throughput: (1) AT commands per second through the engine in-process; (2) round-trip latency of
// AT+CSQ over the modem's socat PTY versus a socat echo (cat) over the same kind of PTY, in the same run.
// Prints `at cmds/s: N` (goal >= 100000) and `pty rtt ratio: X` = emulator p50 / echo p50 (goal <= 3).
// Env: BENCH_SECONDS (3) for the engine loop, BENCH_RTT_COUNT (2000) round trips per side.
import { spawn } from 'node:child_process';
import { existsSync, openSync, writeSync, closeSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { createEmulator } from '../emulator/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rttCount = Number(process.env.BENCH_RTT_COUNT ?? 2000);

const emulator = createEmulator({ clockMode: 'paused', seed: 1, onUnhandled: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'routerlab-at-bench-'));

try {
  // (1) In-process engine throughput: a realistic mix of reads, one command per line, echo off.
  const mix = ['AT+CSQ\r', 'AT+CREG?\r', 'AT+CGSN\r', 'AT+COPS?\r', 'AT+CESQ\r', 'AT+CPMS?\r', 'AT+ZPAS?\r', 'AT+CBC\r'];
  let bytes = 0;
  const port = emulator.modem.openPort((t) => (bytes += t.length));
  port.write('ATE0\r');
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const cmd of mix) port.write(cmd);
    count += mix.length;
  }
  const rate = count / seconds;
  console.log(`engine: ${count} commands in ${seconds}s (${bytes} bytes out)`);
  console.log(`at cmds/s: ${Math.round(rate)}`);
  port.close();

  // (2) PTY round trips: the emulator behind socat, and socat + cat as the echo baseline.
  const modemLink = join(dir, 'ttyZTE0');
  await emulator.openModemPty(modemLink);
  const echoLink = join(dir, 'ttyECHO0');
  const echo = spawn('socat', [`pty,raw,echo=0,link=${echoLink}`, 'EXEC:cat'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(echoLink); i++) await new Promise((r) => setTimeout(r, 20));
  try {
    const modemP50 = await roundTrips(modemLink, 'AT+CSQ\r', 'OK\r\n', true);
    const echoP50 = await roundTrips(echoLink, 'AT+CSQ\r', 'AT+CSQ\r', false);
    console.log(`pty rtt p50/p99: emulator ${modemP50.p50.toFixed(3)}/${modemP50.p99.toFixed(3)} ms, echo ${echoP50.p50.toFixed(3)}/${echoP50.p99.toFixed(3)} ms`);
    console.log(`pty rtt ratio: ${(modemP50.p50 / echoP50.p50).toFixed(2)}`);
  } finally {
    echo.kill();
  }
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Sequential round trips over a PTY: write `request`, wait for `until`; returns latency percentiles in ms. */
async function roundTrips(link: string, request: string, until: string, echoOff: boolean): Promise<{ p50: number; p99: number }> {
  const fd = openSync(link, constants.O_RDWR | constants.O_NOCTTY);
  const stream = new ReadStream(fd);
  stream.setRawMode(true);
  let buffer = '';
  let waiter: (() => void) | null = null;
  stream.on('data', (d: Buffer) => {
    buffer += d.toString('latin1');
    if (waiter && buffer.includes(until)) waiter();
  });
  const once = (text: string): Promise<number> =>
    new Promise((resolve) => {
      buffer = '';
      const t0 = performance.now();
      waiter = () => {
        waiter = null;
        resolve(performance.now() - t0);
      };
      writeSync(fd, text);
    });
  if (echoOff) await once('ATE0\r');
  for (let i = 0; i < 50; i++) await once(request); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < rttCount; i++) samples.push(await once(request));
  stream.destroy();
  try {
    closeSync(fd);
  } catch (e) {
    // The stream may already have closed the descriptor.
    if ((e as NodeJS.ErrnoException).code !== 'EBADF') throw e;
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}
