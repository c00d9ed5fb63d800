/**
 * Vite config of the live-training page. The wasm backend's binaries ship inside
 * @tensorflow/tfjs-backend-wasm (a dependency of @pinnate/core); this plugin serves them under
 * /wasm/ in dev and emits them into the build, so the page calls setWasmBinaryPrefix('/wasm/').
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const coreRequire = createRequire(join(here, '../../../packages/core/package.json'));
const wasmDir = join(dirname(coreRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const WASM_FILES = [
  'tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm',
];

function tfjsWasmBinaries(): Plugin {
  return {
    name: 'pinnate-tfjs-wasm-binaries',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.startsWith('/wasm/') ? req.url.slice(6).split('?')[0] : '';
        if (!WASM_FILES.includes(name)) return next();
        res.setHeader('Content-Type', 'application/wasm');
        res.end(readFileSync(join(wasmDir, name)));
      });
    },
    generateBundle() {
      for (const name of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: readFileSync(join(wasmDir, name)) });
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [tfjsWasmBinaries()],
  build: { outDir: join(here, 'dist'), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 },
  server: { port: 5173 },
});
