import { describe, expect, it } from 'vitest';
import { parseFlags } from '../src/cli_flags.ts';

describe('parseFlags', () => {
  it('reads numbers, lists, choices, subsets, strings and bare flags', () => {
    const f = parseFlags('prog', 'usage: prog', [
      '--',
      '--steps',
      '30',
      '--bench-points',
      '100,1000',
      '--loss',
      'paper',
      '--variants',
      'hard,moe',
      '--out',
      'runs/x',
      '--quick',
    ]);
    expect(f.num('steps')).toBe(30);
    expect(f.num('absent')).toBeUndefined();
    expect(f.list('bench-points')).toEqual([100, 1000]);
    expect(f.choice('loss', ['ms', 'paper'], 'ms')).toBe('paper');
    expect(f.choice('split', ['x', 't'], 'x')).toBe('x');
    expect(f.subset('variants', ['soft', 'hard', 'moe'], ['soft'])).toEqual(['hard', 'moe']);
    expect(f.str('out')).toBe('runs/x');
    expect(f.has('quick')).toBe(true);
    expect(() => f.finish()).not.toThrow();
  });

  it('names the program, the flag and the value in its errors; unknown flags are rejected', () => {
    const f = parseFlags('prog', 'usage: prog', [
      '--steps',
      'ten',
      '--loss',
      'l1',
      '--variants',
      'hard,x',
      '--pts',
      '1,,2',
      '--typo',
      '3',
      '--out',
    ]);
    expect(() => f.num('steps')).toThrow(/prog: '--steps' needs a number, got 'ten'/);
    expect(() => f.choice('loss', ['ms', 'paper'], 'ms')).toThrow(
      /'--loss' must be 'ms' or 'paper', got 'l1'/,
    );
    expect(() => f.subset('variants', ['soft', 'hard', 'moe'], [])).toThrow(
      /'--variants' takes soft, hard, moe.*got 'x'/,
    );
    expect(() => f.list('pts')).toThrow(/'--pts' needs comma-separated numbers/);
    expect(() => f.str('out')).toThrow(/'--out' needs a value/);
    expect(() => f.finish()).toThrow(/prog: unknown option '--typo'/);
    expect(() => parseFlags('prog', 'usage: prog', ['stray'])).toThrow(/unexpected argument 'stray'/);
    expect(() => parseFlags('prog', 'usage: prog', ['--help'])).toThrow(/^usage: prog$/);
  });
});
