import { describe, expect, it } from 'vitest';
import { ConfigError, parseRunConfig } from './config.ts';

const message = (input: unknown): string => {
  try {
    parseRunConfig(input, 'run.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
};

describe('run config', () => {
  it('fills defaults', () => {
    const c = parseRunConfig({ problem: { type: 'heat1d' }, training: { steps: 5 } });
    expect(c.problem).toEqual({
      type: 'heat1d',
      nu: 0.1,
      T: 1,
      points: { interior: 512, boundary: 64, initial: 64 },
    });
    expect(c.model).toEqual({ hidden: [32, 32], activation: 'tanh' });
    expect(c.training).toMatchObject({ steps: 5, lr: 1e-3, seed: 0, checkpointEvery: 100, metricsEvery: 10 });
    expect(c.evaluation.points).toBe(101);
  });

  it('names the field, the expected value and what it got', () => {
    expect(message({ problem: { type: 'ode' }, training: { steps: 0 } })).toBe(
      "run.json: 'training.steps' must be an integer ≥ 1 (got 0)",
    );
    expect(message({ problem: { type: 'heat2d' }, training: { steps: 1 } })).toBe(
      `run.json: 'problem.type' must be one of "ode", "poisson1d", "heat1d", "burgers" (got "heat2d")`,
    );
    expect(message({ training: { steps: 1 } })).toBe("run.json: 'problem' must be an object (got nothing)");
    expect(message({ problem: { type: 'ode' }, training: { steps: 1, lr: -1 } })).toBe(
      "run.json: 'training.lr' must be a number > 0 (got -1)",
    );
    expect(
      message({ problem: { type: 'ode' }, training: { steps: 1 }, model: { activation: 'relu6' } }),
    ).toMatch(/^run.json: 'model.activation' must be one of "tanh", .* \(got "relu6"\)$/);
    expect(message({ problem: { type: 'ode' }, training: { steps: 1 }, model: { hidden: [] } })).toBe(
      "run.json: 'model.hidden' must be an array with at least 1 entry (got [])",
    );
    expect(message({ problem: { type: 'ode', lambda: 'fast' }, training: { steps: 1 } })).toBe(
      `run.json: 'problem.lambda' must be a number (got "fast")`,
    );
    expect(message({ problem: { type: 'ode' }, training: { steps: 1, stepz: 2 } })).toBe(
      "run.json: 'training' has unknown field 'training.stepz'",
    );
    expect(message({ problem: { type: 'ode' }, training: { steps: 1, weights: { bc: 2 } } })).toBe(
      "run.json: 'training.weights' names unknown loss term 'bc'; the ode problem has 'residual', 'initial'",
    );
  });

  it('lists every problem at once', () => {
    const m = message({ problem: { type: 'poisson1d', k: 0.5 }, training: { steps: 2.5 }, backend: 'gpu' });
    expect(
      m
        .split('\n')
        .slice(1)
        .map((l) => l.trim()),
    ).toEqual([
      `'backend' must be one of "tensorflow-gpu", "tensorflow", "wasm", "cpu" (got "gpu")`,
      "'problem.k' must be an integer (got 0.5)",
      "'training.steps' must be an integer (got 2.5)",
    ]);
  });
});
