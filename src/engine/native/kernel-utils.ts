import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { outputFloats } from './buffer-pool.js';

export const NATIVE = 'native';

/** What a native kernel receives; returning null hands the call to the `cpu` kernel. */
export interface NativeKernelArgs {
  /** Optional inputs (bias, prelu weights) may be missing despite the type: check them. */
  inputs: Record<string, tf.TensorInfo>;
  attrs: tf.NamedAttrMap;
  backend: MathBackendCPU;
  addon: NativeAddon;
}

export type NativeKernel = (args: NativeKernelArgs) => tf.TensorInfo | tf.TensorInfo[] | null;

/** The typed array behind a tensor of the CPU-style storage (zero copy). */
export function floatsOf(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  return backend.data.get(t.dataId).values as Float32Array;
}

/** True when every given tensor is float32 and held as a Float32Array (what the addon reads). */
export function allFloat32(backend: MathBackendCPU, ...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every(
    (t) =>
      t === undefined || (t.dtype === 'float32' && backend.data.get(t.dataId).values instanceof Float32Array),
  );
}

/** The addon's operation code for a kernel, from one of the tables it exports (kernel name → code). */
export function opCode(table: Readonly<Record<string, number>>, kernelName: string): number {
  const code = table[kernelName];
  if (code === undefined) {
    throw new Error(
      `the native addon has no operation code for ${kernelName}: rebuild it (npm rebuild visionlab)`,
    );
  }
  return code;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Runs a kernel of the `native` backend itself, e.g. an activation after a fused op. */
export function runOwnKernel(
  name: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: MathBackendCPU,
): tf.TensorInfo {
  const kernel = tf.getKernel(name, NATIVE);
  if (!kernel) throw new Error(`kernel ${name} is not registered for ${NATIVE}`);
  return kernel.kernelFunc({ inputs, attrs, backend }) as tf.TensorInfo;
}

/**
 * Registers a native kernel of two float32 inputs of one shape (a gradient and the tensor it is taken
 * at) whose output has that shape too: `compute` fills `out` from the two inputs' values.
 */
export function registerSameShapeKernel(
  kernelName: string,
  [firstName, secondName]: [string, string],
  compute: (first: Float32Array, second: Float32Array, out: Float32Array, shape: readonly number[]) => void,
): void {
  tf.registerKernel({
    kernelName,
    backendName: NATIVE,
    kernelFunc: ({ inputs, backend }) => {
      const cpu = backend as MathBackendCPU;
      const { [firstName]: first, [secondName]: second } = inputs as Record<string, tf.TensorInfo>;
      if (!allFloat32(cpu, first, second) || first.shape.join() !== second.shape.join()) {
        throw new Error(
          `${kernelName}: ${firstName} ${first.shape} and ${secondName} ${second.shape} must be float32 of one shape`,
        );
      }
      const out = outputFloats(sizeOf(second.shape));
      compute(floatsOf(cpu, first), floatsOf(cpu, second), out, second.shape);
      return cpu.makeTensorInfo([...second.shape], 'float32', out);
    },
  });
}
