import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/** The JSON Schema editors use (`# yaml-language-server: $schema=../scenario.schema.json`). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return { $id: 'https://routerlab.dev/scenario.schema.json', title: 'routerlab scenario', ...z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) };
}
