// npm run docs: writes docs/reference/*.md from the code (scripts/reference-docs.ts). A test keeps them current.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { referenceDocs } from './reference-docs.js';

for (const [file, text] of Object.entries(referenceDocs())) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
