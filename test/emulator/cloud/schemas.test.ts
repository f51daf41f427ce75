import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cloudJsonSchemas } from '../../../emulator/cloud/json-schema.js';
import { commandSchema } from '../../../emulator/cloud/messages.js';

describe('cloud payload schemas', () => {
  it('ships schemas/cloud/*.schema.json equal to the ones generated from zod (npm run schema)', () => {
    const generated = cloudJsonSchemas();
    expect(Object.keys(generated).sort()).toEqual(['command.schema.json', 'event.schema.json', 'response.schema.json', 'telemetry.schema.json']);
    for (const [name, schema] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(`schemas/cloud/${name}`, 'utf8')), name).toEqual(schema);
    }
  });

  it('describes every command the device accepts', () => {
    const commands = (cloudJsonSchemas()['command.schema.json'] as { oneOf?: { properties: { command: { const: string } } }[]; anyOf?: { properties: { command: { const: string } } }[] });
    const names = (commands.oneOf ?? commands.anyOf ?? []).map((c) => c.properties.command.const);
    expect(names).toEqual(['bind', 'unbind', 'info', 'set-wifi', 'set-preferences', 'block-station', 'unblock-station', 'start-fota', 'reboot']);
    expect(commandSchema.safeParse({ id: 'r1', command: 'reboot' }).success).toBe(true);
    expect(commandSchema.safeParse({ id: 'r1', command: 'bind', args: { account: 'a', token: 'short' } }).success).toBe(false);
  });
});
