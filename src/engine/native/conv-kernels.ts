import * as tf from '@tensorflow/tfjs-core';
import {
  Conv2D,
  FusedConv2D,
  DepthwiseConv2dNative,
  FusedDepthwiseConv2D,
  Conv2DBackpropInput,
  Conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  DepthwiseConv2dNativeBackpropFilter,
  Relu6,
  Elu,
  Sigmoid,
  LeakyRelu,
  Prelu,
} from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { allFloat32, floatsOf, runOwnKernel, sizeOf, type NativeKernel } from './kernel-utils.js';
import { outputFloats } from './buffer-pool.js';
import { convInfoFromAttrs } from '../conv-attrs.js';
import { ACT_NONE, ACT_RELU, convParams } from './conv-params.js';
import { bf16Compute } from '../precision.js';
import {
  patchConvBackwardData,
  patchConvBackwardFilter,
  patchConvForward,
  patchGeometry,
} from './patch-conv.js';

function dataFormatOf(attrs: tf.NamedAttrMap): 'channelsFirst' | 'channelsLast' | null {
  const f = attrs.dataFormat as string | undefined;
  if (f === undefined || f === 'NHWC' || f === 'channelsLast') return 'channelsLast';
  return null;
}

/** TF.js' geometry of a channels-last convolution (forward or either gradient); null for channels-first. */
function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.NamedAttrMap,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo | null {
  return dataFormatOf(attrs) ? convInfoFromAttrs(xShape, filterShape, attrs, depthwise) : null;
}

function outShape(info: tf.backend_util.Conv2DInfo): number[] {
  return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

/** Activations that a fused op applies after the native convolution/product through our own kernels. */
export function applyActivation(
  backend: MathBackendCPU,
  y: tf.TensorInfo,
  activation: string,
  prelu: tf.TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): tf.TensorInfo {
  const run = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo => {
    const out = runOwnKernel(name, inputs, attrs, backend);
    backend.disposeIntermediateTensorInfo(y);
    return out;
  };
  switch (activation) {
    case 'linear':
    case 'relu':
      return y;
    case 'relu6':
      return run(Relu6, { x: y });
    case 'elu':
      return run(Elu, { x: y });
    case 'sigmoid':
      return run(Sigmoid, { x: y });
    case 'leakyrelu':
      return run(LeakyRelu, { x: y }, { alpha: leakyreluAlpha ?? 0.2 });
    case 'prelu':
      return run(Prelu, { x: y, alpha: prelu as tf.TensorInfo });
    default:
      throw new Error(`unknown fused activation ${activation}`);
  }
}

function convForward(depthwise: boolean, fused: boolean): NativeKernel {
  return ({ inputs, attrs, backend, addon }) => {
    const { x, filter } = inputs;
    const bias = inputs.bias as tf.TensorInfo | undefined;
    const preluActivationWeights = inputs.preluActivationWeights as tf.TensorInfo | undefined;
    if (!allFloat32(backend, x, filter, bias, preluActivationWeights)) return null;
    const info = convInfo(x.shape, filter.shape, attrs, depthwise);
    if (!info) return null;
    if (bias && sizeOf(bias.shape) !== info.outChannels) return null;
    const activation = fused ? ((attrs.activation as string | undefined) ?? 'linear') : 'linear';
    const params = convParams(info, depthwise, activation === 'relu' ? ACT_RELU : ACT_NONE, bf16Compute());
    if (!params) return null;
    const shape = outShape(info);
    const y = outputFloats(sizeOf(shape));
    const patches = depthwise ? null : patchGeometry(info);
    const biasValues = bias ? floatsOf(backend, bias) : null;
    if (patches) {
      const act = activation === 'relu' ? ACT_RELU : ACT_NONE;
      patchConvForward(
        addon,
        patches,
        floatsOf(backend, x),
        floatsOf(backend, filter),
        biasValues,
        y,
        act,
        bf16Compute(),
      );
    } else addon.conv2dForward(floatsOf(backend, x), floatsOf(backend, filter), biasValues, y, params);
    const out = backend.makeTensorInfo(shape, 'float32', y);
    return applyActivation(backend, out, activation, preluActivationWeights, attrs.leakyreluAlpha as number);
  };
}

/** The addon's parameters for a backward pass (no activation) and the patch geometry where it applies, or null to run the `cpu` kernel. */
function backwardParams(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap, depthwise: boolean) {
  const info = convInfo(xShape, filterShape, attrs, depthwise);
  const params = info && convParams(info, depthwise, ACT_NONE, bf16Compute());
  return params && info ? { params, patches: depthwise ? null : patchGeometry(info) } : null;
}

/** What differs between a convolution's two backward passes; everything else is shared by `convBackward`. */
interface BackwardPass {
  /** The kernel's two float inputs, in the order the addon takes them. */
  operands(inputs: tf.NamedTensorInfoMap): (tf.TensorInfo | undefined)[];
  /** The forward input's and the filter's shapes: one is an operand's shape, the other an attribute. */
  shapes(
    a: tf.TensorInfo,
    b: tf.TensorInfo,
    attrs: tf.NamedAttrMap,
  ): { xShape: number[]; filterShape: number[] };
  /** The gradient's shape: the forward input's (data) or the filter's (filter). */
  outShape(shapes: { xShape: number[]; filterShape: number[] }): number[];
  patch: typeof patchConvBackwardData;
  addonCall: 'conv2dBackwardData' | 'conv2dBackwardWeights';
}

/**
 * The two backward passes of a convolution. Data (Conv2DBackpropInput, DepthwiseConv2dNativeBackpropInput):
 * inputs dy and filter, out dx. Filter (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter): inputs x
 * and dy, out dw.
 */
const BACKWARD_PASSES: Record<'data' | 'filter', BackwardPass> = {
  data: {
    operands: (inputs) => [inputs.dy, inputs.filter],
    shapes: (_dy, filter, attrs) => ({ xShape: attrs.inputShape as number[], filterShape: filter.shape }),
    outShape: ({ xShape }) => xShape,
    patch: patchConvBackwardData,
    addonCall: 'conv2dBackwardData',
  },
  filter: {
    operands: (inputs) => [inputs.x, inputs.dy],
    shapes: (x, _dy, attrs) => ({ xShape: x.shape, filterShape: attrs.filterShape as number[] }),
    outShape: ({ filterShape }) => filterShape,
    patch: patchConvBackwardFilter,
    addonCall: 'conv2dBackwardWeights',
  },
};

function convBackward(depthwise: boolean, passName: 'data' | 'filter'): NativeKernel {
  const pass = BACKWARD_PASSES[passName];
  return ({ inputs, attrs, backend, addon }) => {
    const [a, b] = pass.operands(inputs);
    if (!a || !b || !allFloat32(backend, a, b)) return null;
    const shapes = pass.shapes(a, b, attrs);
    const backward = backwardParams(shapes.xShape, shapes.filterShape, attrs, depthwise);
    if (!backward) return null;
    const outShape = pass.outShape(shapes);
    const out = outputFloats(sizeOf(outShape));
    const [aValues, bValues] = [floatsOf(backend, a), floatsOf(backend, b)];
    if (backward.patches) pass.patch(addon, backward.patches, aValues, bValues, out, bf16Compute());
    else addon[pass.addonCall](aValues, bValues, out, backward.params);
    return backend.makeTensorInfo([...outShape], 'float32', out);
  };
}

export const convKernels: Record<string, NativeKernel> = {
  [Conv2D]: convForward(false, false),
  [FusedConv2D]: convForward(false, true),
  [DepthwiseConv2dNative]: convForward(true, false),
  [FusedDepthwiseConv2D]: convForward(true, true),
  [Conv2DBackpropInput]: convBackward(false, 'data'),
  [Conv2DBackpropFilter]: convBackward(false, 'filter'),
  [DepthwiseConv2dNativeBackpropInput]: convBackward(true, 'data'),
  [DepthwiseConv2dNativeBackpropFilter]: convBackward(true, 'filter'),
};
