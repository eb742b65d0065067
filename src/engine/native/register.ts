import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { installFusedAdam } from './adam.js';
import { bufferPool } from './buffer-pool.js';
import type { NativeAddon } from './addon.js';
import { compareKernels } from './compare-kernels.js';
import { convKernels } from './conv-kernels.js';
import { eltwiseKernels } from './eltwise-kernels.js';
import { NATIVE, type NativeKernel } from './kernel-utils.js';
import { matmulKernels } from './matmul-kernels.js';
import { registerNormKernels } from './norm-kernels.js';
import { poolKernels } from './pool-kernels.js';

type DataId = Parameters<MathBackendCPU['readSync']>[0];
type BackendValues = Parameters<MathBackendCPU['write']>[0];

/**
 * The CPU backend with its tensor storage; the hot kernels registered under `native` call the addon.
 * It tells the buffer pool which arrays tensors hold, so kernel outputs are recycled on dispose.
 */
export class NativeBackend extends MathBackendCPU {
  override write(values: BackendValues, shape: number[], dtype: tf.DataType): DataId {
    bufferPool.hold(values);
    return super.write(values, shape, dtype);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) bufferPool.release(values);
    return released;
  }

  override readSync(dataId: DataId): BackendValues {
    bufferPool.expose(this.data.get(dataId).values);
    return super.readSync(dataId);
  }
}

export const NATIVE_KERNELS: Record<string, NativeKernel> = {
  ...convKernels,
  ...poolKernels,
  ...matmulKernels,
  ...eltwiseKernels,
  ...compareKernels,
};

/** How often each overridden kernel ran natively or handed over to its `cpu` version (for tests and profiling). */
export const nativeKernelCounts = { native: new Map<string, number>(), fallback: new Map<string, number>() };

function count(map: Map<string, number>, name: string): void {
  map.set(name, (map.get(name) ?? 0) + 1);
}

/** Registers the backend and every `cpu` kernel under `native`, the native ones in front. */
export function registerNativeKernels(addon: NativeAddon): void {
  tf.registerBackend(NATIVE, () => new NativeBackend(), 3);
  for (const config of tf.getKernelsForBackend('cpu')) {
    const native = NATIVE_KERNELS[config.kernelName];
    if (!native) {
      tf.registerKernel({ ...config, backendName: NATIVE });
      continue;
    }
    const fallback = config.kernelFunc;
    tf.registerKernel({
      kernelName: config.kernelName,
      backendName: NATIVE,
      kernelFunc: (args) => {
        const backend = args.backend as MathBackendCPU;
        const inputs = args.inputs as Record<string, tf.TensorInfo>;
        const out = native({ inputs, attrs: args.attrs ?? {}, backend, addon });
        if (out) {
          count(nativeKernelCounts.native, config.kernelName);
          return out;
        }
        count(nativeKernelCounts.fallback, config.kernelName);
        return fallback(args);
      },
    });
  }
  registerNormKernels(addon);
  installFusedAdam(addon);
}
