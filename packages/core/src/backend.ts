/**
 * Backend selection.
 *
 * Node:    tensorflow (CUDA, from @tensorflow/tfjs-node-gpu) → tensorflow (CPU, from
 *          @tensorflow/tfjs-node) → wasm → cpu.
 * Browser: webgpu → webgl → wasm → cpu.
 *
 * The native Node bindings are optional peer dependencies: they download libtensorflow at
 * install time, which fails without internet access, so they are only ever loaded with a
 * dynamic import. An explicit `backend` overrides the order; asking for one that cannot load
 * fails with an error that says how to install it.
 */
import * as tf from '@tensorflow/tfjs';
import { registerCoreKernels } from './ops/kernels.ts';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu' | 'webgpu' | 'webgl';

export const NODE_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
export const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

const INSTALL_HINT: Record<BackendName, string> = {
  'tensorflow-gpu':
    'install it with `pnpm add @tensorflow/tfjs-node-gpu@4.22.0` (needs CUDA and internet access at install time)',
  tensorflow:
    'install it with `pnpm add @tensorflow/tfjs-node@4.22.0` (needs internet access at install time)',
  wasm: 'install it with `pnpm add @tensorflow/tfjs-backend-wasm@4.22.0`',
  cpu: 'it ships with @tensorflow/tfjs; reinstall dependencies',
  webgpu: 'install `@tensorflow/tfjs-backend-webgpu@4.22.0` and run in a browser with WebGPU',
  webgl: 'it ships with @tensorflow/tfjs; it needs a browser (or headless Chromium) with WebGL',
};

/** The module each backend needs, and the tfjs backend name it registers. */
const MODULES: Record<BackendName, { module: string | null; tfName: string }> = {
  'tensorflow-gpu': { module: '@tensorflow/tfjs-node-gpu', tfName: 'tensorflow' },
  tensorflow: { module: '@tensorflow/tfjs-node', tfName: 'tensorflow' },
  wasm: { module: '@tensorflow/tfjs-backend-wasm', tfName: 'wasm' },
  cpu: { module: null, tfName: 'cpu' },
  webgpu: { module: '@tensorflow/tfjs-backend-webgpu', tfName: 'webgpu' },
  webgl: { module: null, tfName: 'webgl' },
};

export type ModuleImporter = (specifier: string) => Promise<unknown>;

export interface BackendOptions {
  /** Force a backend; throws with an install hint if it cannot load. */
  readonly backend?: BackendName;
  /** Override the environment detection (default: Node when `process.versions.node` exists). */
  readonly environment?: 'node' | 'browser';
  /** Module loader, replaceable in tests. Default: dynamic `import()`. */
  readonly importer?: ModuleImporter;
  /** Activate the chosen backend in tfjs (default true). Tests of the selection logic pass false. */
  readonly activate?: boolean;
}

export interface BackendChoice {
  readonly name: BackendName;
  /** The name tfjs knows it by (`tf.getBackend()`). */
  readonly tfName: string;
  /** Why earlier candidates were skipped. */
  readonly skipped: readonly { name: BackendName; reason: string }[];
}

/**
 * Installed backends are imported by literal specifier so bundlers (Vite) include them in a
 * browser build; the optional native Node bindings stay fully dynamic so a bundle never needs
 * them.
 */
const defaultImporter: ModuleImporter = (s) => {
  switch (s) {
    case '@tensorflow/tfjs-backend-wasm':
      return import('@tensorflow/tfjs-backend-wasm');
    case '@tensorflow/tfjs-backend-webgpu':
      return import('@tensorflow/tfjs-backend-webgpu');
    default:
      return import(/* @vite-ignore */ s);
  }
};

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    reason: string,
  ) {
    super(`backend '${backend}' is not available (${reason}); ${INSTALL_HINT[backend]}`);
    this.name = 'BackendUnavailableError';
  }
}

async function tryLoad(
  name: BackendName,
  importer: ModuleImporter,
  activate: boolean,
): Promise<string | null> {
  const { module } = MODULES[name];
  try {
    if (module) await importer(module);
    if (name === 'webgl' && typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') {
      return 'no canvas in this environment';
    }
    if (name === 'webgpu' && !(typeof navigator !== 'undefined' && 'gpu' in navigator)) {
      return 'navigator.gpu is missing';
    }
    if (activate) {
      registerCoreKernels();
      const ok = await tf.setBackend(MODULES[name].tfName);
      if (!ok) return `tf.setBackend('${MODULES[name].tfName}') failed`;
      await tf.ready();
    }
    return null;
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

/**
 * Pick and activate the best available backend.
 *
 * @example const { name } = await initBackend(); // 'wasm' on a plain Node install
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const importer = options.importer ?? defaultImporter;
  const activate = options.activate ?? true;
  const env = options.environment ?? (isNode() ? 'node' : 'browser');
  if (options.backend) {
    if (!(options.backend in MODULES)) {
      throw new Error(
        `initBackend: 'backend' must be one of ${Object.keys(MODULES).join(', ')}, got '${options.backend}'`,
      );
    }
    const reason = await tryLoad(options.backend, importer, activate);
    if (reason !== null) throw new BackendUnavailableError(options.backend, reason);
    return { name: options.backend, tfName: MODULES[options.backend].tfName, skipped: [] };
  }
  const order = env === 'node' ? NODE_ORDER : BROWSER_ORDER;
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of order) {
    const reason = await tryLoad(name, importer, activate);
    if (reason === null) return { name, tfName: MODULES[name].tfName, skipped };
    skipped.push({ name, reason });
  }
  throw new Error(
    `initBackend: no backend could load: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`,
  );
}

/** Environment variable PINNATE_BACKEND overrides the default order in scripts and tests. */
export async function initBackendFromEnv(): Promise<BackendChoice> {
  const forced = typeof process !== 'undefined' ? process.env?.PINNATE_BACKEND : undefined;
  return initBackend(forced ? { backend: forced as BackendName } : {});
}

/**
 * Browser: where the wasm backend fetches its `.wasm` binaries (a URL prefix ending in '/',
 * serving tfjs-backend-wasm.wasm, -simd.wasm and -threaded-simd.wasm). Call before
 * `initBackend`. Node finds them next to the package and needs no call.
 */
export async function setWasmBinaryPrefix(prefix: string): Promise<void> {
  if (typeof prefix !== 'string' || !prefix.endsWith('/')) {
    throw new Error(
      `setWasmBinaryPrefix: 'prefix' must be a URL prefix ending in '/', got ${String(prefix)}`,
    );
  }
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(prefix);
}
