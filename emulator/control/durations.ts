import { z } from 'zod';

/** A duration: milliseconds, or text such as "90s", "5m", "2h", "1d". */
export const durationSchema = z.union([
  z.number().int().min(0).max(366 * 86_400_000),
  z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a duration such as 500ms, 30s, 5m, 2h or 1d'),
]);

export function durationMs(d: z.infer<typeof durationSchema>): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d)!;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Math.round(Number(m[1]) * unit);
}
