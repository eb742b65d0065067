import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerNativeBackend } from '../src/engine/native/index.js';
import { prepareWasmBackend } from '../src/engine/wasm-setup.js';

let nativeDetails: Record<string, string> | undefined;
let nativeReason: string | undefined;

/** Switches TF.js to `name`; returns false (with the reason logged by the caller) when it cannot. */
export async function useBackend(name: 'native' | 'cpu' | 'wasm'): Promise<{ ok: boolean; reason?: string }> {
  if (name === 'wasm') await prepareWasmBackend();
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
