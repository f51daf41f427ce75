// The routerlab command: parse argv, call the library, map errors to exit codes (cli/commands.ts). This entry loads
// only the usage text until a command needs more, so `routerlab help` starts fast (bench/startup).
import { EXIT, type CliIo } from './args.js';
import { USAGE } from './usage.js';

export { EXIT, type CliIo } from './args.js';

export async function main(argv: string[], io?: CliIo): Promise<number> {
  const command = argv[0];
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const out = io ? io.out : (line: string): void => void process.stdout.write(`${line}\n`);
    out(USAGE);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const commands = await import('./commands.js');
  return io ? commands.main(argv, io) : commands.main(argv);
}
