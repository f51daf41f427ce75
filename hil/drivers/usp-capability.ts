import { randomBytes } from 'node:crypto';
import { UspController } from '../clients/usp-controller.js';
import { BenchError } from '../errors.js';
import type { UspCapability } from '../target.js';

// The usp capability of a target: a Controller on the broker of the device's USP Agent. One place for the
// emulator and real routers; on hardware, Device.Reboot() and Device.FactoryReset() are refused unless allowed.

export interface UspTargetOptions {
  /** mqtt://host:port of the MQTT 5 broker the agent uses. */
  url: string;
  /** The agent's Endpoint ID. */
  endpointId: string;
  /** The topic the agent takes requests on (its Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured). */
  agentTopic: string;
  /** The Controller the agent knows (its Device.LocalAgent.Controller.{i}.EndpointID) and that Controller's topic. */
  controllerEndpointId?: string | undefined;
  controllerTopic?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

const DESTRUCTIVE = ['Device.Reboot()', 'Device.FactoryReset()'];

/** A scenario Controller's own topic: unique per run so two runs on one broker do not read each other's answers. */
export function scenarioControllerTopic(): string {
  return `routerlab/controller/${randomBytes(6).toString('hex')}`;
}

export async function connectUsp(options: UspTargetOptions, allowDestructive: boolean): Promise<UspCapability & { close(): Promise<void> }> {
  const controller = await UspController.connect({
    url: options.url,
    endpointId: options.controllerEndpointId ?? 'proto::interop-usp-controller',
    topic: options.controllerTopic ?? scenarioControllerTopic(),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  });
  controller.learnAgent(options.endpointId, options.agentTopic);
  if (!allowDestructive) {
    const operate = controller.operate.bind(controller);
    controller.operate = (toId, command, args, key) => {
      if (DESTRUCTIVE.includes(command)) return Promise.reject(new BenchError('INVALID_ARGUMENT', `[hil:usp] ${command} on a real router needs allowDestructive: true in the target config`));
      return operate(toId, command, args, key);
    };
  }
  return { endpointId: options.endpointId, controller, close: () => controller.close() };
}
