import { describe, expect, it } from 'vitest';
import { ConcatAssembler, MAX_PENDING_MESSAGES } from '../../../emulator/modem/concat-assembler.js';

describe('ConcatAssembler', () => {
  it('joins the parts in sequence order, whatever order they come in', () => {
    const a = new ConcatAssembler();
    expect(a.add('+1', { ref: 7, total: 3, seq: 2, refBits: 8 }, 'b')).toBeNull();
    expect(a.add('+1', { ref: 7, total: 3, seq: 3, refBits: 8 }, 'c')).toBeNull();
    expect(a.add('+1', { ref: 7, total: 3, seq: 1, refBits: 8 }, 'a')).toBe('abc');
    expect(a.pending).toBe(0);
  });

  it('keeps at most MAX_PENDING_MESSAGES unfinished messages, the oldest giving way', () => {
    const a = new ConcatAssembler();
    for (let i = 0; i < MAX_PENDING_MESSAGES + 10; i++) a.add(`+${i}`, { ref: 1, total: 2, seq: 1, refBits: 8 }, 'x');
    expect(a.pending).toBe(MAX_PENDING_MESSAGES);
    // The oldest was dropped: its second part starts a new message instead of completing it.
    expect(a.add('+0', { ref: 1, total: 2, seq: 2, refBits: 8 }, 'y')).toBeNull();
    // A recent one still completes.
    expect(a.add(`+${MAX_PENDING_MESSAGES + 9}`, { ref: 1, total: 2, seq: 2, refBits: 8 }, 'y')).toBe('xy');
  });
});
