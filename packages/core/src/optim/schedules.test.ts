import { describe, expect, it } from 'vitest';
import {
  constantLr,
  cosineDecay,
  exponentialDecay,
  type LrScheduleConfig,
  makeSchedule,
  warmup,
} from './schedules.ts';

describe('learning-rate schedules', () => {
  it('constant', () => {
    const s = constantLr(0.01);
    expect([s(0), s(1000)]).toEqual([0.01, 0.01]);
  });

  it('exponential decay, smooth and staircase', () => {
    const s = exponentialDecay({ lr: 1, decayRate: 0.5, decaySteps: 10 });
    expect(s(0)).toBe(1);
    expect(s(10)).toBeCloseTo(0.5, 15);
    expect(s(5)).toBeCloseTo(Math.SQRT1_2, 15);
    const st = exponentialDecay({ lr: 1, decayRate: 0.5, decaySteps: 10, staircase: true });
    expect([st(0), st(9), st(10), st(19), st(20)]).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('cosine decay reaches minLr and stays there', () => {
    const s = cosineDecay({ lr: 1, steps: 100, minLr: 0.1 });
    expect(s(0)).toBe(1);
    expect(s(50)).toBeCloseTo(0.55, 15);
    expect(s(100)).toBe(0.1);
    expect(s(1000)).toBe(0.1);
    expect(cosineDecay({ lr: 2, steps: 4 })(4)).toBe(0);
  });

  it('warmup ramps linearly to the schedule, which then starts from its step 0', () => {
    const s = warmup(cosineDecay({ lr: 1, steps: 100 }), 4);
    expect([0, 1, 2, 3].map(s)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(s(4)).toBe(1);
    expect(s(54)).toBeCloseTo(0.5, 15);
    expect(s(104)).toBe(0);
    const base = constantLr(3);
    expect(warmup(base, 0)).toBe(base);
  });

  it('makeSchedule builds every kind from a JSON round trip', () => {
    const config: LrScheduleConfig = {
      kind: 'warmup',
      warmupSteps: 10,
      schedule: { kind: 'exponential', lr: 1e-3, decayRate: 0.9, decaySteps: 1000, staircase: true },
    };
    const s = makeSchedule(JSON.parse(JSON.stringify(config)));
    expect(s(0)).toBeCloseTo(1e-4, 18);
    expect(s(1010)).toBeCloseTo(0.9e-3, 18);
    expect(makeSchedule(0.5)(7)).toBe(0.5);
    expect(makeSchedule({ kind: 'constant', lr: 2 })(7)).toBe(2);
    expect(makeSchedule({ kind: 'cosine', lr: 2, steps: 2 })(1)).toBeCloseTo(1, 15);
  });

  it('rejects bad arguments with a message naming them', () => {
    expect(() => constantLr(0)).toThrow(/'lr' must be a finite number > 0, got 0/);
    expect(() => makeSchedule(-1)).toThrow(/'lr'/);
    expect(() => exponentialDecay({ lr: 1, decayRate: 0.5, decaySteps: 0 })).toThrow(/'decaySteps'/);
    expect(() => cosineDecay({ lr: 1, steps: 10, minLr: 2 })).toThrow(/'minLr' \(=2\) must not exceed 'lr'/);
    expect(() => warmup(constantLr(1), 1.5)).toThrow(/'warmupSteps' must be an integer/);
    expect(() => makeSchedule({ kind: 'linear', lr: 1 } as unknown as LrScheduleConfig)).toThrow(
      /unknown 'kind' "linear"/,
    );
  });
});
