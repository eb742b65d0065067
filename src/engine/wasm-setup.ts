import { createRequire } from 'node:module';
import path from 'node:path';

let prepared: Promise<void> | undefined;

/**
 * Loads the wasm backend, points it at its .wasm files inside node_modules and adds visionlab's
 * training kernels; done once, however many callers (backend selection, benchmarks) ask.
 */
export function prepareWasmBackend(): Promise<void> {
  prepared ??= (async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(dir + path.sep);
    const { registerWasmTrainingKernels } = await import('./wasm-training-kernels.js');
    registerWasmTrainingKernels();
  })();
  return prepared;
}
