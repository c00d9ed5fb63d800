/** Versions recorded in run.json and the report: Node, tfjs, vega, and the Pinnate packages. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PLOT_VERSIONS } from '@pinnate/core';
import * as tf from '@tensorflow/tfjs';

async function packageVersion(url: URL): Promise<string> {
  try {
    return (JSON.parse(await readFile(fileURLToPath(url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

let cached: Record<string, string> | undefined;

export async function versions(): Promise<Record<string, string>> {
  if (cached) return cached;
  cached = {
    node: process.version,
    '@tensorflow/tfjs': tf.version.tfjs,
    // The CLI runs from the workspace sources: core sits next to it.
    '@pinnate/core': await packageVersion(new URL('../../core/package.json', import.meta.url)),
    '@pinnate/cli': await packageVersion(new URL('../package.json', import.meta.url)),
    ...PLOT_VERSIONS,
  };
  return cached;
}
