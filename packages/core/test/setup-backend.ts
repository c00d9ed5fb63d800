import * as tf from '@tensorflow/tfjs';
import { type BackendName, initBackend } from '../src/backend.ts';

/** Backends the core tests run on in Node (PINNATE_TEST_BACKENDS=cpu,wasm overrides). */
export const TEST_BACKENDS: BackendName[] = (process.env.PINNATE_TEST_BACKENDS ?? 'wasm,cpu')
  .split(',')
  .map((s) => s.trim() as BackendName);

export async function useBackend(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  await initBackend({ backend: name });
}
