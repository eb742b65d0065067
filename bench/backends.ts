import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerNativeBackend } from '../src/engine/native/index.js';
import { registerWasmTrainingKernels } from '../src/engine/wasm-training-kernels.js';

let wasmReady = false;

async function prepareWasm(): Promise<void> {
  if (wasmReady) return;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(
    path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep,
  );
  registerWasmTrainingKernels();
  wasmReady = true;
}

let nativeDetails: Record<string, string> | undefined;
let nativeReason: string | undefined;

/** Switches TF.js to `name`; returns false (with the reason logged by the caller) when it cannot. */
export async function useBackend(name: 'native' | 'cpu' | 'wasm'): Promise<{ ok: boolean; reason?: string }> {
  if (name === 'wasm') await prepareWasm();
  if (name === 'native' && !nativeDetails) {
    if (nativeReason) return { ok: false, reason: nativeReason };
    const reg = await registerNativeBackend();
    if (!reg.ok) {
      nativeReason = reg.reason;
      return { ok: false, reason: reg.reason };
    }
    nativeDetails = reg.details;
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok ? { ok } : { ok, reason: `tf.setBackend('${name}') failed` };
}

export function nativeBackendDetails(): Record<string, string> | undefined {
  return nativeDetails;
}
