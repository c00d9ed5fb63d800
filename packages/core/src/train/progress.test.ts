import { describe, expect, it } from 'vitest';
import { formatDuration, formatProgress, Progress } from './progress.ts';

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(9.4)).toBe('9s');
    expect(formatDuration(75)).toBe('1m15s');
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('?');
  });

  it('shows loss, terms and the ETA from the remaining steps', () => {
    const { bar, line } = formatProgress({
      phase: 'adam',
      step: 250,
      total: 1000,
      loss: 0.5,
      terms: { pde: 0.25 },
      msPerStep: 80,
    });
    expect(line).toBe('adam 250/1000 loss 5.000e-1 (pde 2.500e-1) 80.0 ms/step ETA 1m00s');
    expect(bar).toBe(`[${'='.repeat(5)}>${' '.repeat(18)}]`);
    expect(
      formatProgress({ phase: 'adam', step: 10, total: 10, loss: 1, terms: {}, msPerStep: 5 }).line,
    ).not.toContain('ETA');
  });

  it('redraws one line on a TTY and prints lines otherwise', () => {
    const out: string[] = [];
    const p = { phase: 'adam', step: 1, total: 2, loss: 1, terms: {}, msPerStep: 1 };
    new Progress('auto', { write: (s) => out.push(s), isTTY: true }).update(p);
    expect(out[0].startsWith('\r\x1b[2K[')).toBe(true);
    out.length = 0;
    new Progress('auto', { write: (s) => out.push(s), isTTY: false }).update(p);
    expect(out[0]).toMatch(/^adam 1\/2 .* ETA 0s\n$/);
  });
});
