import type { z } from 'zod';
import { STIMULI } from '../../emulator/control/stimuli.js';

// The emulator's stimuli, as their table has them (emulator/control/stimuli.ts): what a scenario's `stimulus:` step
// may name and the parameters each takes. Targets apply them through the control API, which validates with the
// same schemas.

export interface StimulusInfo {
  name: string;
  summary: string;
  /** Validates a step's `with:` (after ${var} substitution). */
  params: z.ZodType;
}

export function stimulusCatalog(): StimulusInfo[] {
  return STIMULI.map((s) => ({ name: s.path, summary: s.summary, params: s.body }));
}
