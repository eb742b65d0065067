// Kernels of the fused ops in ../fused-ops.ts on the `native` backend: layer normalization over the
// last axis and the erf GELU, forward and backward (oneDNN primitives, native/src/norm.cc).
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './addon.js';
import { outputFloats } from './buffer-pool.js';
import { allFloat32, floatsOf, NATIVE, sizeOf } from './kernel-utils.js';

export const FUSED_KERNELS = {
  layerNorm: 'VisionlabLayerNorm',
  layerNormGrad: 'VisionlabLayerNormGrad',
  gelu: 'VisionlabGelu',
  geluGrad: 'VisionlabGeluGrad',
} as const;

type Kernel = (
  inputs: Record<string, tf.TensorInfo>,
  attrs: tf.NamedAttrMap,
  backend: MathBackendCPU,
  addon: NativeAddon,
) => tf.TensorInfo | tf.TensorInfo[];

function rowsAndCols(x: tf.TensorInfo): [number, number] {
  const cols = x.shape[x.shape.length - 1] ?? 1;
  return [cols === 0 ? 0 : sizeOf(x.shape) / cols, cols];
}

/**
 * Calls a layer-norm function of the addon as (inputs…, outputs…, rows, cols, epsilon), over the last
 * axis of the first input, and returns its outputs (shaped by `outputShapes(rows, cols)`) as tensors.
 */
function runLayerNorm(
  backend: MathBackendCPU,
  run: (args: Array<Float32Array | number>) => void,
  inputs: tf.TensorInfo[],
  attrs: tf.NamedAttrMap,
  outputShapes: (rows: number, cols: number) => number[][],
): tf.TensorInfo[] {
  const [rows, cols] = rowsAndCols(inputs[0]);
  const shapes = outputShapes(rows, cols);
  const outputs = shapes.map((shape) => outputFloats(sizeOf(shape)));
  run([...inputs.map((t) => floatsOf(backend, t)), ...outputs, rows, cols, attrs.epsilon as number]);
  return outputs.map((values, i) => backend.makeTensorInfo(shapes[i], 'float32', values));
}

// Outputs: y, and the mean and variance of each row.
const layerNorm: Kernel = ({ x, gamma, beta }, attrs, backend, addon) =>
  runLayerNorm(
    backend,
    (args) => addon.layerNorm(...(args as Parameters<NativeAddon['layerNorm']>)),
    [x, gamma, beta],
    attrs,
    (rows) => [[...x.shape], [rows], [rows]],
  );

// Outputs: dx, and the gradients of gamma and beta (one value per column).
const layerNormGrad: Kernel = ({ x, gamma, mean, variance, dy }, attrs, backend, addon) =>
  runLayerNorm(
    backend,
    (args) => addon.layerNormBackward(...(args as Parameters<NativeAddon['layerNormBackward']>)),
    [x, gamma, mean, variance, dy],
    attrs,
    (_rows, cols) => [[...x.shape], [cols], [cols]],
  );

const gelu: Kernel = ({ x }, _attrs, backend, addon) => {
  const y = outputFloats(sizeOf(x.shape));
  if (y.length > 0) addon.gelu(floatsOf(backend, x), y);
  return backend.makeTensorInfo([...x.shape], 'float32', y);
};

const geluGrad: Kernel = ({ x, dy }, _attrs, backend, addon) => {
  const dx = outputFloats(sizeOf(x.shape));
  if (dx.length > 0) addon.geluBackward(floatsOf(backend, x), floatsOf(backend, dy), dx);
  return backend.makeTensorInfo([...x.shape], 'float32', dx);
};

const KERNELS: Record<string, Kernel> = {
  [FUSED_KERNELS.layerNorm]: layerNorm,
  [FUSED_KERNELS.layerNormGrad]: layerNormGrad,
  [FUSED_KERNELS.gelu]: gelu,
  [FUSED_KERNELS.geluGrad]: geluGrad,
};

/** Registers the fused kernels for `native` (float32 only; the ops check before calling them). */
export function registerNormKernels(addon: NativeAddon): void {
  for (const [kernelName, kernel] of Object.entries(KERNELS)) {
    tf.registerKernel({
      kernelName,
      backendName: NATIVE,
      kernelFunc: ({ inputs, attrs, backend }) => {
        const cpu = backend as MathBackendCPU;
        const tensors = inputs as Record<string, tf.TensorInfo>;
        if (!allFloat32(cpu, ...Object.values(tensors)))
          throw new Error(`${kernelName} takes float32 tensors only`);
        return kernel(tensors, attrs ?? {}, cpu, addon);
      },
    });
  }
}
