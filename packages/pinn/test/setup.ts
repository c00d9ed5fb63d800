import { initBackend } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

/** The pinn tests run on wasm (the default Node backend); PINNATE_TEST_BACKEND overrides. */
export async function useWasm(): Promise<void> {
  const name = (process.env.PINNATE_TEST_BACKEND ?? 'wasm') as 'wasm' | 'cpu';
  if (tf.getBackend() !== name) await initBackend({ backend: name });
}
