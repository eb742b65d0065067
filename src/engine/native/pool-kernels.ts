import { MaxPool, AvgPool, MaxPoolGrad, AvgPoolGrad } from '@tensorflow/tfjs-core';
import { allFloat32, floatsOf, sizeOf, type NativeKernel } from './kernel-utils.js';
import { outputFloats } from './buffer-pool.js';
import { poolParams } from './pool-params.js';

function poolForward(max: boolean): NativeKernel {
  return ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs;
    if (!allFloat32(backend, x) || x.shape.length !== 4) return null;
    const plan = poolParams(x.shape, attrs);
    if (!plan) return null;
    const y = outputFloats(sizeOf(plan.out));
    addon.poolForward(max, floatsOf(backend, x), y, plan.params);
    return backend.makeTensorInfo(plan.out, 'float32', y);
  };
}

/**
 * MaxPoolGrad (dy, input, output) and AvgPoolGrad (dy, input). Average pooling's gradient divides by
 * the number of in-bounds pixels, as its forward pass does (TF semantics).
 */
function poolBackward(max: boolean): NativeKernel {
  return ({ inputs, attrs, backend, addon }) => {
    const { dy, input } = inputs;
    if (!allFloat32(backend, dy, input) || input.shape.length !== 4) return null;
    const plan = poolParams(input.shape, attrs);
    if (!plan) return null;
    const dx = outputFloats(sizeOf(input.shape));
    addon.poolBackward(max, floatsOf(backend, input), floatsOf(backend, dy), dx, plan.params);
    return backend.makeTensorInfo([...input.shape], 'float32', dx);
  };
}

export const poolKernels: Record<string, NativeKernel> = {
  [MaxPool]: poolForward(true),
  [AvgPool]: poolForward(false),
  [MaxPoolGrad]: poolBackward(true),
  [AvgPoolGrad]: poolBackward(false),
};
