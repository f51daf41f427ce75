import { z } from 'zod';
import { commandSchema, eventSchema, responseSchema, telemetrySchema } from './messages.js';

/** The cloud channel's payloads as JSON Schema files (schemas/cloud/*.schema.json), generated from the zod schemas. */
export function cloudJsonSchemas(): Record<string, Record<string, unknown>> {
  const one = (name: string, title: string, schema: z.ZodType, io: 'input' | 'output'): [string, Record<string, unknown>] => [
    `${name}.schema.json`,
    { $id: `https://routerlab.dev/schemas/cloud/${name}.schema.json`, title, ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }) },
  ];
  return Object.fromEntries([
    one('telemetry', 'routerlab telemetry (device -> cloud, dt/<prefix>/<device>/telemetry)', telemetrySchema, 'output'),
    one('event', 'routerlab event (device -> cloud, dt/<prefix>/<device>/event)', eventSchema, 'output'),
    one('command', 'routerlab command (cloud -> device, cmd/<prefix>/<device>/req)', commandSchema, 'input'),
    one('response', 'routerlab command response (device -> cloud, cmd/<prefix>/<device>/res)', responseSchema, 'output'),
  ]);
}
