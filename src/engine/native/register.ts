import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { installFusedAdam } from './adam.js';
import type { NativeAddon } from './addon.js';
import { outputPool } from './buffer-pool.js';
import { compareKernels } from './compare-kernels.js';
import { convKernels } from './conv-kernels.js';
import { eltwiseKernels } from './eltwise-kernels.js';
import { NATIVE, type NativeKernel } from './kernel-utils.js';
import { matmulKernels } from './matmul-kernels.js';
import { registerNormKernels } from './norm-kernels.js';
import { poolKernels } from './pool-kernels.js';
import { installReleasingGradients } from './releasing-gradients.js';
import { installSoftmaxGrad } from './softmax-grad.js';
import { installReluGrad } from './relu-grad.js';

type DataId = object;

/**
 * The CPU backend with its tensor storage; the hot kernels registered under `native` call the addon.
 * A disposed tensor's array goes back to the kernels' output pool; one read out goes to its reader.
 */
export class NativeBackend extends MathBackendCPU {
  override disposeData(dataId: DataId, force = false): boolean {
    const values = this.data.get(dataId)?.values;
    const disposed = super.disposeData(dataId, force);
    if (disposed && values) outputPool.release(values);
    return disposed;
  }

  override readSync(dataId: DataId): tf.backend_util.BackendValues {
    outputPool.disown(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override read(dataId: DataId): Promise<tf.backend_util.BackendValues> {
    outputPool.disown(this.data.get(dataId)?.values);
    return super.read(dataId);
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

/**
 * A `cpu` kernel may return a view of an input's array (a simple slice) or the array itself under a
 * new id: from then on two tensors share that memory, which is then never recycled.
 */
function disownSharedInputs(
  backend: MathBackendCPU,
  inputs: tf.NamedTensorInfoMap,
  out: tf.TensorInfo | tf.TensorInfo[],
): void {
  for (const o of Array.isArray(out) ? out : [out]) {
    const values = backend.data.get(o.dataId)?.values;
    if (!ArrayBuffer.isView(values)) continue;
    for (const input of Object.values(inputs)) {
      if (!input || input.dataId === o.dataId) continue;
      const held = backend.data.get(input.dataId)?.values;
      if (ArrayBuffer.isView(held) && held.buffer === values.buffer) outputPool.disown(held);
    }
  }
}

/** Registers the backend and every `cpu` kernel under `native`, the native ones in front. */
export function registerNativeKernels(addon: NativeAddon): void {
  tf.registerBackend(NATIVE, () => new NativeBackend(), 3);
  for (const config of tf.getKernelsForBackend('cpu')) {
    const native = NATIVE_KERNELS[config.kernelName];
    const cpuKernel = config.kernelFunc;
    const fallback: tf.KernelFunc = (args) => {
      const out = cpuKernel(args) as tf.TensorInfo | tf.TensorInfo[];
      disownSharedInputs(args.backend as MathBackendCPU, args.inputs, out);
      return out;
    };
    if (!native) {
      tf.registerKernel({ ...config, backendName: NATIVE, kernelFunc: fallback });
      continue;
    }
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
  installReluGrad(addon);
  installSoftmaxGrad(addon);
  installReleasingGradients();
}
