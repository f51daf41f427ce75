// Writes schemas/recording.schema.json from the zod schema (npm run schema). A test keeps the shipped file current.
import { mkdirSync, writeFileSync } from 'node:fs';
import { recordingJsonSchema } from './json-schema.js';

mkdirSync(new URL('../../schemas/', import.meta.url), { recursive: true });
writeFileSync(new URL('../../schemas/recording.schema.json', import.meta.url), `${JSON.stringify(recordingJsonSchema(), null, 2)}\n`);
