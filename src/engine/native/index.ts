import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers' Node bundle registers TF.js's gradient functions (tfjs-core's Node bundle lacks them).
import '@tensorflow/tfjs-layers';
import { loadAddon } from './addon.js';
import { NATIVE } from './kernel-utils.js';
import { registerNativeKernels } from './register.js';

export type NativeRegistration =
  { ok: true; details: Record<string, string> } | { ok: false; reason: string };

let registration: NativeRegistration | undefined;

/** Registers the `native` backend when its addon is built; reports why not otherwise. */
export async function registerNativeBackend(): Promise<NativeRegistration> {
  if (registration) return registration;
  const { addon, error } = loadAddon();
  if (!addon) {
    registration = { ok: false, reason: error ?? 'the native addon is unavailable' };
    return registration;
  }
  if (!tf.findBackendFactory(NATIVE)) registerNativeKernels(addon);
  const info = addon.info();
  registration = {
    ok: true,
    details: {
      onednn: `${info.onednn} (${info.onednnRuntime})`,
      isa: info.isa,
      openblas: info.openblas,
      threads: String(info.threads),
    },
  };
  return registration;
}

export { NativeBackend, NATIVE_KERNELS, nativeKernelCounts } from './register.js';
