import type { Emulator } from '../../emulator/index.js';
import type { ModemPort as AtPort } from '../../emulator/modem/modem-context.js';

/** An in-process AT port that records everything the modem writes. */
export class AtProbe {
  readonly port: AtPort;
  out = '';

  constructor(readonly emulator: Emulator) {
    this.port = emulator.modem.openPort((t) => (this.out += t));
  }

  /** Writes `text` and returns what the modem wrote in answer (synchronously produced). */
  send(text: string): string {
    this.out = '';
    this.port.write(text);
    return this.out;
  }

  /** Sends `AT<cmd>\r` with echo off and returns the answer. */
  at(cmd: string): string {
    return this.send(`AT${cmd}\r`);
  }

  /** Information lines of an answer, without framing and the final result. */
  static lines(answer: string): string[] {
    return answer.split('\r\n').filter((l) => l !== '' && l !== 'OK');
  }

  close(): void {
    this.port.close();
  }
}
