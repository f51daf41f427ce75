import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referenceDocs } from '../scripts/reference-docs.js';

// docs/reference/*.md are made from the code's own tables; a table that changes without `npm run docs` fails here.

describe('generated reference docs', () => {
  for (const [file, text] of Object.entries(referenceDocs())) {
    it(`${file} is current (npm run docs)`, () => {
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  }

  it('name every stimulus, goformId and AT command the code has', async () => {
    const { STIMULI } = await import('../emulator/control/stimuli.js');
    const { SET_HANDLERS } = await import('../emulator/http/set/index.js');
    const docs = referenceDocs();
    for (const s of STIMULI) expect(docs['docs/reference/stimuli.md']).toContain(`## \`${s.path}\``);
    for (const id of SET_HANDLERS.keys()) expect(docs['docs/reference/goform.md']).toContain(`| \`${id}\` |`);
    expect(docs['docs/reference/at-commands.md']).toContain('| `+CMGS` |');
  });

  it('fill every "meaning" column (a stimulus parameter or scenario field without one is a gap in the docs)', () => {
    for (const [file, text] of Object.entries(referenceDocs())) {
      let meaningTable = false;
      for (const line of text.split('\n')) {
        if (!line.startsWith('|')) meaningTable = false;
        else if (/\| meaning \|$/.test(line)) meaningTable = true;
        else if (meaningTable && !line.startsWith('| ---')) expect(line, `${file}: ${line}`).not.toMatch(/\|\s*\|$/);
      }
    }
  });

  it('README links only inside the repository', () => {
    const readme = readFileSync('README.md', 'utf8');
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!).filter((l) => !/^https?:|^#/.test(l));
    for (const l of links) expect(() => readFileSync(l.split('#')[0]!), l).not.toThrow();
    expect(readme).not.toMatch(/\.\.\/shared/);
  });
});
