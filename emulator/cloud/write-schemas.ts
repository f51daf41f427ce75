// Writes schemas/cloud/*.schema.json from the zod schemas (npm run schema). A test keeps the shipped files current.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cloudJsonSchemas } from './json-schema.js';

const dir = new URL('../../schemas/cloud/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const [name, schema] of Object.entries(cloudJsonSchemas())) writeFileSync(new URL(name, dir), `${JSON.stringify(schema, null, 2)}\n`);
