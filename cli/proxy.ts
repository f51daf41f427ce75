import { BenchError, startProxy } from '../hil/index.js';
import { EXIT, intOption, parseCli, type CliIo } from './args.js';
import { COMMAND_HELP } from './usage.js';

// `routerlab proxy`: record what the real app or web UI does with a real router (hil/record/proxy.ts).


export async function proxyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCli(args, {
    target: { type: 'string' },
    out: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
    'allow-destructive': { type: 'boolean' },
    verbose: { type: 'boolean' },
  }, false, 'proxy', COMMAND_HELP.proxy);
  if (!values.target || !values.out) throw new BenchError('INVALID_ARGUMENT', 'proxy needs --target router:http://DEVICE and --out DIR');
  const spec = values.target.replace(/^router:/, '');
  if (!/^https?:\/\//.test(spec)) throw new BenchError('INVALID_ARGUMENT', `proxy --target ${values.target}: give the router as router:http://DEVICE`);
  const device = new URL(spec);
  // A password in the target is never used or written: the proxied client logs in itself.
  device.search = '';
  const stop = io.stopSignal();
  const proxy = await startProxy({
    target: device.origin,
    out: values.out,
    port: intOption('--port', values.port, 8080, 0, 65535),
    host: values.host,
    token: values.token ?? process.env.ROUTERLAB_PROXY_TOKEN,
    allowHosts: values['allow-host'],
    allowDestructive: values['allow-destructive'] === true,
    log: (line) => io.err(line),
  });
  io.out(`proxy listening on ${proxy.url} -> ${device.origin}; recording to ${values.out} (Ctrl-C writes it)`);
  await stop;
  const recording = await proxy.close();
  const blocked = recording.exchanges.filter((x) => x.blocked).length;
  io.out(`recorded ${recording.exchanges.length} exchange(s) (${recording.goform.length} goform reads${blocked ? `, ${blocked} destructive write(s) held back` : ''}) to ${values.out}/recording.json`);
  return EXIT.OK;
}
