import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { type Evaluation, LbfgsMemory, type LbfgsResult, lbfgs, lbfgsAsync } from './lbfgs.ts';
import { leastSquares, maxRelErr, rosenbrock, rosenStart } from './testing.ts';

const distToOnes = (x: Float64Array) => Math.max(...Array.from(x, (v) => Math.abs(v - 1)));

/** Wraps fg so values and gradients are rounded to float32, as a tfjs loss would be. */
function float32(fg: (x: Float64Array) => Evaluation) {
  return (x: Float64Array): Evaluation => {
    const e = fg(x);
    return { value: Math.fround(e.value), grad: Float32Array.from(e.grad) };
  };
}
const snap32 = (x: Float64Array) => {
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i]);
};

const CLEAN_STOPS = ['gradTol', 'fTol', 'lineSearch'];

function logRun(name: string, r: LbfgsResult) {
  const g = Math.max(...Array.from(r.grad, Math.abs));
  console.log(
    `${name}: ${r.iterations} it, ${r.evaluations} evals, f = ${r.value}, |g| = ${g}, ${r.reason}: ${r.message}`,
  );
}

describe('lbfgs (float64)', () => {
  it('minimizes 2-D Rosenbrock from (-1.2, 1)', () => {
    const r = lbfgs(rosenbrock, rosenStart(2), { gradTol: 1e-10, fTol: 0 });
    logRun('rosenbrock 2-D', r);
    expect(r.reason).toBe('gradTol');
    expect(distToOnes(r.x)).toBeLessThan(1e-6);
    expect(r.value).toBeLessThan(1e-12);
    expect(r.iterations).toBeLessThan(60);
  });

  it('minimizes 10-D Rosenbrock from (-1.2, 1, ...)', () => {
    const r = lbfgs(rosenbrock, rosenStart(10), { gradTol: 1e-10, fTol: 0 });
    logRun('rosenbrock 10-D', r);
    expect(r.reason).toBe('gradTol');
    expect(distToOnes(r.x)).toBeLessThan(1e-6);
    expect(r.iterations).toBeLessThan(150);
  });

  it('with default tolerances stops by gradTol/fTol close to the minimum', () => {
    const r = lbfgs(rosenbrock, rosenStart(10));
    expect(['gradTol', 'fTol']).toContain(r.reason);
    expect(distToOnes(r.x)).toBeLessThan(1e-6);
  });

  it('solves linear least squares to the closed form', () => {
    const { fg, xStar } = leastSquares(60, 12, 3);
    const r = lbfgs(fg, new Float64Array(12), { gradTol: 1e-8, fTol: 0 });
    logRun('least squares 60x12', r);
    expect(r.reason).toBe('gradTol');
    expect(r.iterations).toBeLessThan(30);
    expect(maxRelErr(r.x, xStar, Math.max(...xStar.map(Math.abs)))).toBeLessThan(1e-9);
  });

  it('terminates cleanly on float32-rounded Rosenbrock (offset so f is coarse at the minimum)', () => {
    const fg = float32((x) => {
      const e = rosenbrock(x);
      return { value: e.value + 1, grad: e.grad };
    });
    for (const [n, snap] of [
      [2, undefined],
      [10, undefined],
      [10, snap32],
    ] as const) {
      const r = lbfgs(fg, rosenStart(n), { gradTol: 0, fTol: 0, snap, maxIter: 500 });
      logRun(`float32 rosenbrock ${n}-D${snap ? ' snapped' : ''}`, r);
      expect(CLEAN_STOPS).toContain(r.reason);
      // f has ~6e-8 absolute resolution at 1, so |x - 1| ~ sqrt(6e-8 / curvature) is the limit.
      expect(distToOnes(r.x)).toBeLessThan(2e-3);
      expect(r.value).toBeLessThanOrEqual(1 + 1e-6);
    }
  });

  it('terminates cleanly with noisy values and gradients near the minimum', () => {
    const rng = new Rng(11);
    const { fg, xStar } = leastSquares(40, 10, 5);
    const noisy = (x: Float64Array): Evaluation => {
      const e = fg(x);
      return {
        value: e.value * (1 + 1e-6 * rng.normal()),
        grad: Array.from(e.grad, (g) => g + 1e-5 * rng.normal()),
      };
    };
    const start = Float64Array.from(xStar, (v, i) => v + 0.1 * Math.cos(i));
    const r = lbfgs(noisy, start, { gradTol: 0, fTol: 0, fNoise: 5e-6, maxIter: 2000 });
    logRun('noisy least squares', r);
    expect(CLEAN_STOPS).toContain(r.reason);
    expect(r.evaluations).toBeLessThan(500);
    expect(distToOnes(Float64Array.from(r.x, (v, i) => v - xStar[i] + 1))).toBeLessThan(1e-3);
  });

  it('terminates cleanly whatever the gradient noise (non-descent directions, bad pairs)', () => {
    const { fg, xStar } = leastSquares(30, 8, 9);
    const f0 = fg(new Float64Array(8)).value;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      for (const noise of [1e-3, 1e-1, 10]) {
        const rng = new Rng(seed);
        let bad = 0;
        const noisy = (x: Float64Array): Evaluation => {
          const e = fg(x);
          // Gradient noise proportional to its size: at 10 many directions are not descent ones.
          const scale = noise * Math.max(...Array.from(e.grad, Math.abs));
          const grad = Array.from(e.grad, (g) => g + scale * rng.normal());
          if (grad.reduce((a, g, i) => a + g * e.grad[i], 0) <= 0) bad++;
          return { value: e.value, grad };
        };
        const r = lbfgs(noisy, new Float64Array(8), { maxIter: 300 });
        expect(CLEAN_STOPS.concat('maxIter')).toContain(r.reason);
        expect(r.evaluations).toBeLessThanOrEqual(2 * 300 + 20);
        expect(r.value).toBeLessThanOrEqual(f0);
        expect(Number.isFinite(r.value) && r.x.every(Number.isFinite)).toBe(true);
        if (noise === 1e-3)
          expect(maxRelErr(r.x, xStar, Math.max(...xStar.map(Math.abs)))).toBeLessThan(1e-2);
        if (noise === 10) expect(bad).toBeGreaterThan(0);
      }
    }
  });

  it('shrinks the step out of a NaN region and still converges', () => {
    // Quadratic defined only on |x_i| <= 0.5; the first trial step lands outside.
    let nanCalls = 0;
    const a = [3, 1];
    const fg = (x: Float64Array): Evaluation => {
      if (x.some((v) => Math.abs(v) > 0.5)) {
        nanCalls++;
        return { value: Number.NaN, grad: [Number.NaN, Number.NaN] };
      }
      return { value: 0.5 * (a[0] * x[0] ** 2 + a[1] * x[1] ** 2), grad: [a[0] * x[0], a[1] * x[1]] };
    };
    const r = lbfgs(fg, Float64Array.of(0.4, 0.4), { gradTol: 1e-10 });
    expect(nanCalls).toBeGreaterThan(0);
    expect(r.reason).toBe('gradTol');
    expect(Math.abs(r.x[0]) + Math.abs(r.x[1])).toBeLessThan(1e-9);
    // Inf instead of NaN (e.g. a log barrier) works the same.
    const inf = (x: Float64Array): Evaluation => {
      const e = fg(x);
      return Number.isNaN(e.value) ? { value: Number.POSITIVE_INFINITY, grad: [0, 0] } : e;
    };
    expect(lbfgs(inf, Float64Array.of(0.4, 0.4), { gradTol: 1e-10 }).reason).toBe('gradTol');
  });

  it('respects maxIter, maxEval and a stopping callback', () => {
    const seen: number[] = [];
    const r = lbfgs(rosenbrock, rosenStart(2), {
      callback: ({ iteration, value }) => {
        seen.push(value);
        return iteration === 5;
      },
    });
    expect(r.reason).toBe('callback');
    expect(r.iterations).toBe(5);
    expect(seen).toHaveLength(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThan(seen[i - 1]);
    expect(r.value).toBe(seen[4]);
    expect(lbfgs(rosenbrock, rosenStart(2), { maxIter: 3 })).toMatchObject({
      reason: 'maxIter',
      iterations: 3,
    });
    const e = lbfgs(rosenbrock, rosenStart(2), { maxEval: 7 });
    expect(e.reason).toBe('maxEval');
    expect(e.evaluations).toBe(7);
  });

  it('lbfgsAsync gives the same result as lbfgs', async () => {
    const sync = lbfgs(rosenbrock, rosenStart(4));
    const asyncR = await lbfgsAsync(async (x) => rosenbrock(x), rosenStart(4));
    expect(asyncR).toEqual(sync);
  });

  it('rejects bad input with messages naming the argument', () => {
    expect(() => lbfgs(rosenbrock, Float64Array.of(1, Number.NaN))).toThrow(/'x0\[1\]' is NaN/);
    expect(() => lbfgs(rosenbrock, new Float64Array(0))).toThrow(/'x0' must be a non-empty/);
    expect(() => lbfgs(rosenbrock, rosenStart(2), { m: 0 })).toThrow(/'m' must be an integer >= 1/);
    expect(() => lbfgs(rosenbrock, rosenStart(2), { c1: 0.9, c2: 0.5 })).toThrow(/'c1' < 'c2'/);
    expect(() => lbfgs(() => ({ value: 1, grad: [1] }), rosenStart(2))).toThrow(
      /'grad' of length 1, expected 2/,
    );
    expect(() => lbfgs(() => ({ value: Number.NaN, grad: [0, 0] }), rosenStart(2))).toThrow(
      /not finite at 'x0'/,
    );
  });

  it('a shared LbfgsMemory makes runs in rounds retrace one uninterrupted run', () => {
    // Same start, same pairs and the same first step length (1, not the cold-start cap): the
    // round boundaries must be invisible. Cold rounds restart from steepest descent instead.
    const opts = { gradTol: 0, fTol: 0, m: 10 };
    const whole = lbfgs(rosenbrock, rosenStart(10), { ...opts, maxIter: 24 });
    const runRounds = (memory?: () => LbfgsMemory) => {
      const shared = memory?.();
      let x: Float64Array = Float64Array.from(rosenStart(10));
      for (let r = 0; r < 6; r++) x = lbfgs(rosenbrock, x, { ...opts, maxIter: 4, memory: shared }).x;
      return { x, shared };
    };
    const warm = runRounds(() => new LbfgsMemory());
    expect(Array.from(warm.x)).toEqual(Array.from(whole.x));
    expect(warm.shared?.size).toBe(10);
    const cold = runRounds();
    expect(Math.max(...cold.x.map((v, i) => Math.abs(v - whole.x[i])))).toBeGreaterThan(1e-3);
  });

  it('a memory keeps only the newest m pairs and refuses another parameter count', () => {
    const memory = new LbfgsMemory();
    lbfgs(rosenbrock, rosenStart(10), { maxIter: 8, m: 6, memory });
    expect(memory.size).toBe(6);
    lbfgs(rosenbrock, rosenStart(10), { maxIter: 1, m: 3, memory });
    expect(memory.size).toBeLessThanOrEqual(3);
    expect(() => lbfgs(rosenbrock, rosenStart(4), { memory })).toThrow(
      /'memory' holds pairs for 10 parameters but 'x0' has 4/,
    );
    memory.clear();
    expect(memory.size).toBe(0);
    expect(() => lbfgs(rosenbrock, rosenStart(2), { memory: {} as LbfgsMemory })).toThrow(
      /'memory' must be an LbfgsMemory/,
    );
  });
});
