import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../test/setup-backend.ts';
import { FourierFeatures, PeriodicEmbedding } from '../nn/embeddings.ts';
import { Mlp } from '../nn/mlp.ts';
import { apply, disposeModule } from '../nn/module.ts';
import { Sequential } from '../nn/sequential.ts';
import { Rng } from '../rng.ts';
import { loadModel, saveModel } from './model.ts';
import { readNpzFile } from './npz.ts';

describe('model save/load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinnate-model-'));
  beforeAll(async () => {
    await useBackend('wasm');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips architecture and weights exactly; params.npz is plain NumPy', async () => {
    const rng = new Rng(3);
    const model = new Sequential([
      new FourierFeatures({ inSize: 2, features: 3, sigma: 2 }, rng.split()),
      new Mlp({ sizes: [6, 8, 1], activation: 'gelu', factorization: { mean: 0.5 } }, rng.split()),
    ]);
    await saveModel(join(dir, 'm'), model, { note: 'test' });
    const { module, manifest } = await loadModel(join(dir, 'm'));
    expect(manifest.metadata).toEqual({ note: 'test' });
    const x = tf.randomUniform([5, 2]) as tf.Tensor2D;
    expect(apply(module, x).arraySync()).toEqual(apply(model, x).arraySync());
    const npz = await readNpzFile(join(dir, 'm', 'params.npz'));
    expect([...npz.keys()]).toEqual(model.parameters().map((p) => p.name));
    expect(npz.get('1.layers.0.w')!.shape).toEqual([6, 8]);
  });

  it('building then disposing a model leaves no tensors (Dense with RWF, Fourier features, periodic)', () => {
    const before = tf.memory().numTensors;
    const rng = new Rng(1);
    const model = new Sequential([
      new FourierFeatures({ inSize: 2, features: 8, sigma: 1 }, rng.split()),
      new Mlp({ sizes: [16, 8, 1], factorization: { mean: 1, std: 0.1 } }, rng.split()),
    ]);
    disposeModule(model);
    const periodic = new Sequential([
      new PeriodicEmbedding({ periods: [2, null], harmonics: 2 }),
      new Mlp({ sizes: [5, 4, 1] }, rng.split()),
    ]);
    tf.tidy(() => {
      apply(periodic, tf.zeros([3, 2]) as tf.Tensor2D);
    });
    disposeModule(periodic);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses wrong formats, versions and shapes with clear errors', async () => {
    await expect(loadModel(join(dir, 'missing'))).rejects.toThrow(/no model at/);
    const m = new Mlp({ sizes: [2, 4, 1] }, new Rng(1));
    await saveModel(join(dir, 'v'), m);
    const man = JSON.parse(require('node:fs').readFileSync(join(dir, 'v', 'model.json'), 'utf8'));
    writeFileSync(join(dir, 'v', 'model.json'), JSON.stringify({ ...man, version: 99 }));
    await expect(loadModel(join(dir, 'v'))).rejects.toThrow(/format version 99/);
    writeFileSync(
      join(dir, 'v', 'model.json'),
      JSON.stringify({ ...man, config: { ...man.config, sizes: [2, 5, 1] } }),
    );
    await expect(loadModel(join(dir, 'v'))).rejects.toThrow(
      /shape \[2,4\] in the file, the model expects \[2,5\]/,
    );
    writeFileSync(join(dir, 'v', 'model.json'), JSON.stringify({ ...man, config: { type: 'Nope' } }));
    await expect(loadModel(join(dir, 'v'))).rejects.toThrow(
      /unknown module type 'Nope'; known types are Dense/,
    );
  });
});
