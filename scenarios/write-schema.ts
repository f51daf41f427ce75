// Writes scenarios/scenario.schema.json from the zod schema (npm run schema). A test keeps the shipped file current.
import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from './engine/json-schema.js';

writeFileSync(new URL('./scenario.schema.json', import.meta.url), `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
