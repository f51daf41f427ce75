import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type CliIo } from '../../cli/main.js';
import { UspController } from '../../hil/clients/usp-controller.js';
import { MOSQUITTO, startMosquitto } from '../helpers/mosquitto.js';

// `serve --usp` and `fleet --usp` as a user runs them, against Debian's Mosquitto and a controller.

describe.skipIf(!existsSync(MOSQUITTO))('serve --usp and fleet --usp (needs the Debian package mosquitto)', () => {
  it('serve --usp makes the router a USP Agent a controller can read, and fleet --usp connects every router', async () => {
    const broker = await startMosquitto();
    const ctl = await UspController.connect({ url: broker.url, endpointId: 'proto::qa-controller', topic: 'qa/controller' });
    try {
      const out: string[] = [];
      let stop!: () => void;
      const stopped = new Promise<string>((r) => (stop = () => r('SIGINT')));
      const io: CliIo = { out: (l) => out.push(l), err: () => undefined, stopSignal: () => stopped };
      const run = main(['serve', '--port', '0', '--control-port', '0', '--no-cloud', '--usp', broker.url, '--usp-controller', 'proto::qa-controller', '--usp-controller-topic', 'qa/controller', '--usp-endpoint-id', 'os::000000-LAB1'], io);
      const boot = await ctl.waitForNotification((n) => n.type === 'event' && n.body.event_name === 'Boot!');
      expect(boot.from).toBe('os::000000-LAB1');
      expect(await ctl.get('os::000000-LAB1', ['Device.LocalAgent.EndpointID'])).toEqual({ 'Device.LocalAgent.EndpointID': 'os::000000-LAB1' });
      stop();
      expect(await run).toBe(EXIT.OK);
      expect(out).toContainEqual(`usp agent os::000000-LAB1 connected to ${broker.url} (requests on /usp/endpoint, controller proto::qa-controller on qa/controller)`);

      const fout: string[] = [];
      const fio: CliIo = { out: (l) => fout.push(l), err: () => undefined, stopSignal: () => new Promise(() => undefined) };
      expect(await main(['fleet', '--count', '3', '--control-port', '0', '--no-cloud', '--usp', broker.url, '--usp-controller', 'proto::qa-controller', '--usp-controller-topic', 'qa/controller', '--duration', '500ms', '--status-every', '0'], fio)).toBe(EXIT.OK);
      expect(fout).toContainEqual(`usp: 3 of 3 agents connected to ${broker.url} (requests on usp/agent/<serial>)`);
      const fleetBoots = new Set(ctl.notifications.filter((n) => n.type === 'event' && n.from !== 'os::000000-LAB1').map((n) => n.from));
      expect(fleetBoots.size).toBe(3);
    } finally {
      await ctl.close();
      await broker.close();
    }
  }, 60_000);
});
