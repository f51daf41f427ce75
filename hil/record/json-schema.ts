import { z } from 'zod';
import { recordingSchema } from './recording.js';

/** The JSON Schema of recording.json (docs/recording-format.md); schemas/recording.schema.json is generated from it. */
export function recordingJsonSchema(): Record<string, unknown> {
  return { $id: 'https://routerlab.dev/schemas/recording.schema.json', title: 'routerlab recording', ...z.toJSONSchema(recordingSchema, { io: 'input', unrepresentable: 'any' }) };
}
