import { Derivatives, inputJet } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';
import { derivative, type MathNode, parse } from 'mathjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileExpression,
  ExpressionError,
  evalFloat64,
  evalJet,
  evalTensor,
  substituteExact,
} from '../src/expr.ts';
import { useWasm } from './setup.ts';

const table = {
  inputs: ['x', 't'],
  fields: ['u', 'v'],
  constants: { nu: 0.5 },
  parameters: ['lambda1'],
};

describe('compileExpression: symbol checks', () => {
  it('collects derivatives, parameters and folds constants', () => {
    const e = compileExpression('u_t + lambda1*u*u_x - nu*u_xx + 2*pi*v', table);
    expect(e.derivatives.map((d) => d.name).sort()).toEqual(['u', 'u_t', 'u_x', 'u_xx', 'v']);
    expect(e.derivatives.find((d) => d.name === 'u_xx')?.inputs).toEqual(['x', 'x']);
    expect(e.parameters).toEqual(['lambda1']);
  });

  it('names an unknown symbol and lists what is known', () => {
    expect(() => compileExpression('u_t + mu*u_xx', table)).toThrow(
      /unknown symbol 'mu'.*inputs x, t.*fields u, v.*constants pi, e, nu.*parameters lambda1/,
    );
  });

  it('names a derivative of an undeclared field or variable, and an order above 4', () => {
    expect(() => compileExpression('w_x', table)).toThrow(
      /'w_x' is a derivative of 'w', which is not a declared field/,
    );
    expect(() => compileExpression('u_xz', table)).toThrow(
      /'u_xz' differentiates by 'z', which is not an input/,
    );
    expect(() => compileExpression('u_xxxxx', table)).toThrow(
      /'u_xxxxx' is a derivative of order 5; the maximum is 4/,
    );
    expect(() => compileExpression('u_xxxx', table)).not.toThrow();
  });

  it('never evaluates code: assignments, definitions, imports, indexing, matrices, strings are rejected', () => {
    for (const bad of [
      'a = 1',
      'f(x) = x^2',
      'import("fs")',
      'evaluate("1+1")',
      'u[1]',
      '[1, 2]',
      '"s"',
      'x > 0 ? u : v',
      'u.x',
      '1:3',
    ]) {
      expect(() => compileExpression(bad, table), bad).toThrow(ExpressionError);
    }
    expect(() => compileExpression('', table)).toThrow(/non-empty string/);
    expect(() => compileExpression('u +', table)).toThrow(/cannot parse/);
  });

  it('rejects lap() of a non-field', () => {
    expect(() => compileExpression('lap(x)', table)).toThrow(/lap\(\) takes one field name/);
  });
});

describe('evaluators agree', () => {
  beforeAll(useWasm);
  const src =
    'sin(pi*x)*t^2 / (1 + x^2) + sqrt(2 + x) - log(3 + t) + exp(-x*t) + cosh(x)/2 + tan(x/2) + (1+t)^1.5';
  const xs = Float64Array.from({ length: 32 }, (_, i) => -0.9 + (1.8 * i) / 31);
  const ts = Float64Array.from({ length: 32 }, (_, i) => 0.05 + (0.9 * ((i * 7) % 32)) / 31);
  const e = compileExpression(src, { inputs: ['x', 't'] });

  it('float64 matches mathjs numerically, tensor matches float64 in float32', () => {
    const f = evalFloat64(e, { n: 32, input: (i) => (i === 0 ? xs : ts) });
    const compiled = parse(src).compile();
    for (let i = 0; i < 32; i++)
      expect(f[i]).toBeCloseTo(compiled.evaluate({ x: xs[i], t: ts[i] }) as number, 12);
    const tv = tf.tidy(() => {
      const cols = [tf.tensor2d(Float32Array.from(xs), [32, 1]), tf.tensor2d(Float32Array.from(ts), [32, 1])];
      return evalTensor(e, {
        n: 32,
        input: (i) => cols[i],
        deriv: () => tf.zeros([32, 1]),
        param: () => tf.scalar(0),
        aux: () => tf.zeros([32, 1]),
      }).dataSync();
    });
    for (let i = 0; i < 32; i++) expect(Math.abs(tv[i] - f[i])).toBeLessThan(2e-5 * (1 + Math.abs(f[i])));
  });

  it('jets give the symbolic derivatives (mathjs derivative) to order 3', () => {
    const d = new Derivatives({
      inputs: ['x', 't'],
      outputs: ['u'],
      requests: ['u', 'u_x', 'u_xx', 'u_t', 'u_xt', 'u_xxt'],
    });
    const out = tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(Array.from(xs).flatMap((v, i) => [v, ts[i]])), [32, 2]);
      const jet = evalJet(e, inputJet(x, d.plan));
      const r = d.extract(jet);
      return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.dataSync()]));
    });
    const node = parse(src);
    const sym: Record<string, MathNode> = {
      u: node,
      u_x: derivative(node, 'x'),
      u_t: derivative(node, 't'),
    };
    sym.u_xx = derivative(sym.u_x, 'x');
    sym.u_xt = derivative(sym.u_x, 't');
    sym.u_xxt = derivative(sym.u_xx, 't');
    for (const [k, n] of Object.entries(sym)) {
      const c = n.compile();
      for (let i = 0; i < 32; i++) {
        const want = c.evaluate({ x: xs[i], t: ts[i] }) as number;
        expect(Math.abs(out[k][i] - want), `${k} at ${i}`).toBeLessThan(5e-4 * (1 + Math.abs(want)));
      }
    }
  });
});

describe('substituteExact', () => {
  it('derives the forcing of a manufactured solution', () => {
    const f = substituteExact('u_t + u*u_x - nu*u_xx', { u: 'sin(x)*exp(-t)', v: '0' }, table);
    const c = f.compile();
    const x = 0.3;
    const t = 0.7;
    const u = Math.sin(x) * Math.exp(-t);
    const want = -u + u * Math.cos(x) * Math.exp(-t) + 0.5 * u;
    expect(c.evaluate({ x, t, nu: 0.5 })).toBeCloseTo(want, 12);
  });
});
