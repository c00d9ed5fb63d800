import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, initBackend, type ModuleImporter } from './backend.ts';

/** An importer where only the listed modules load. */
function importerWith(available: string[]): ModuleImporter & { calls: string[] } {
  const calls: string[] = [];
  const f = (async (s: string) => {
    calls.push(s);
    if (!available.includes(s)) throw new Error(`Cannot find package '${s}'`);
    return {};
  }) as ModuleImporter & { calls: string[] };
  f.calls = calls;
  return f;
}

describe('backend selection', () => {
  it('prefers tfjs-node-gpu, then tfjs-node, then wasm in Node', async () => {
    const all = importerWith([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-backend-wasm',
    ]);
    expect((await initBackend({ environment: 'node', importer: all, activate: false })).name).toBe(
      'tensorflow-gpu',
    );
    const cpuNode = importerWith(['@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm']);
    const r = await initBackend({ environment: 'node', importer: cpuNode, activate: false });
    expect(r.name).toBe('tensorflow');
    expect(r.tfName).toBe('tensorflow');
    expect(r.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu']);
    const none = importerWith(['@tensorflow/tfjs-backend-wasm']);
    const w = await initBackend({ environment: 'node', importer: none, activate: false });
    expect(w.name).toBe('wasm');
    expect(none.calls).toEqual([
      '@tensorflow/tfjs-node-gpu',
      '@tensorflow/tfjs-node',
      '@tensorflow/tfjs-backend-wasm',
    ]);
  });

  it('falls back to cpu when nothing optional loads', async () => {
    const r = await initBackend({ environment: 'node', importer: importerWith([]), activate: false });
    expect(r.name).toBe('cpu');
  });

  it('in a browser tries webgpu, webgl, wasm, cpu (no GPU in Node → wasm)', async () => {
    const imp = importerWith(['@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm']);
    const r = await initBackend({ environment: 'browser', importer: imp, activate: false });
    expect(r.skipped.map((s) => s.name)).toEqual(['webgpu', 'webgl']);
    expect(r.name).toBe('wasm');
  });

  it('an explicit backend that cannot load names it and says how to install it', async () => {
    const err = await initBackend({
      backend: 'tensorflow',
      importer: importerWith([]),
      activate: false,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toMatch(/backend 'tensorflow' is not available/);
    expect(err.message).toMatch(/pnpm add @tensorflow\/tfjs-node@4\.22\.0/);
    const gpu = await initBackend({ backend: 'tensorflow-gpu', activate: false }).catch((e) => e);
    expect(gpu.message).toMatch(/tfjs-node-gpu/);
  });

  it('rejects unknown backend names', async () => {
    await expect(initBackend({ backend: 'cuda' as never })).rejects.toThrow(/'backend' must be one of/);
  });

  it('really activates wasm and cpu here', async () => {
    const tf = await import('@tensorflow/tfjs');
    expect((await initBackend({ backend: 'wasm' })).name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect((await initBackend({ backend: 'cpu' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // With no optional package installed, the default in Node is wasm.
    expect((await initBackend()).name).toBe('wasm');
  });
});
