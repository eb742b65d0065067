// Gradient kernels the `wasm` backend lacks (Conv2DBackpropFilter and both depthwise backprops) or
// runs as a scalar loop (Conv2DBackpropInput), expressed through wasm's own kernels so that CNNs
// train on it:
// - a filter gradient is a convolution of the input (channels as batch) with the output gradient
//   (batch as channels), dilated by the stride;
// - an input gradient is a convolution (depthwise for depthwise) of the stride-upsampled output
//   gradient with the flipped filter;
// - the depthwise filter gradient sums, per filter tap, the strided input slice times the output gradient.
import * as tf from '@tensorflow/tfjs-core';
import { convInfoFromAttrs, type Pair } from './conv-attrs.js';

const WASM = 'wasm';

/** Runs wasm kernels and frees every intermediate result once the gradient is computed. */
class KernelRunner {
  private readonly temps: tf.TensorInfo[] = [];
  constructor(private readonly backend: tf.KernelBackend) {}

  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const kernel = tf.getKernel(name, WASM);
    if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as tf.TensorInfo;
    this.temps.push(out);
    return out;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  pad(x: tf.TensorInfo, paddings: Array<[number, number]>): tf.TensorInfo {
    return paddings.every(([b, a]) => b === 0 && a === 0)
      ? x
      : this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return size.every((s, i) => s === x.shape[i] && begin[i] === 0)
      ? x
      : this.run('Slice', { x }, { begin, size });
  }

  /** Returns `result` and frees every other intermediate. */
  finish(result: tf.TensorInfo): tf.TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: tf.KernelBackend;
}

/**
 * `x` zero-padded by the convolution's top/left padding, and at the bottom/right so that every tap
 * of every output window lies inside the padded input.
 */
function padForWindows(k: KernelRunner, x: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const effH = (info.filterHeight - 1) * info.dilationHeight + 1;
  const effW = (info.filterWidth - 1) * info.dilationWidth + 1;
  const bottom = Math.max(
    0,
    (info.outHeight - 1) * info.strideHeight + effH - info.inHeight - info.padInfo.top,
  );
  const right = Math.max(0, (info.outWidth - 1) * info.strideWidth + effW - info.inWidth - info.padInfo.left);
  return k.pad(x, [
    [0, 0],
    [info.padInfo.top, bottom],
    [info.padInfo.left, right],
    [0, 0],
  ]);
}

function conv2DBackpropFilter({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const filterShape = attrs.filterShape as number[];
  const info = convInfoFromAttrs(x.shape, filterShape, attrs, false);
  const k = new KernelRunner(backend);
  const xp = padForWindows(k, x, info);
  // (C, Hp, Wp, N) convolved with (OH, OW, N, OC), dilated by the stride → (C, ≥KH, ≥KW, OC).
  const xt = k.transpose(xp, [3, 1, 2, 0]);
  const dyt = k.transpose(dy, [1, 2, 0, 3]);
  const full = k.run(
    'Conv2D',
    { x: xt, filter: dyt },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth] },
  );
  const [kh, kw, c, oc] = filterShape;
  const cut = k.slice(full, [0, 0, 0, 0], [c, kh, kw, oc]);
  return k.finish(k.transpose(cut, [1, 2, 0, 3]));
}

/**
 * The input gradient of a convolution: the stride-upsampled output gradient, padded for a full
 * correlation, convolved with the flipped filter (`filter` must already be flipped and laid out for
 * `kernel`, with `channels` input channels to the correlation).
 */
function correlateUpsampled(
  k: KernelRunner,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  inShape: number[],
  kernel: 'Conv2D' | 'DepthwiseConv2dNative',
  flipped: tf.TensorInfo,
): tf.TensorInfo {
  const [n, h, w] = inShape;
  const ch = dy.shape[3];
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  // Upsample dy by the stride: zeros between the rows and columns.
  let up = dy;
  if (sh > 1 || sw > 1) {
    const oh = info.outHeight;
    const ow = info.outWidth;
    const spaced = k.pad(k.reshape(dy, [n, oh, 1, ow, 1, ch]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    up = k.slice(
      k.reshape(spaced, [n, oh * sh, ow * sw, ch]),
      [0, 0, 0, 0],
      [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, ch],
    );
  }
  // Full correlation: pad so that output row i reads dy rows i + top - tap.
  const effH = (info.filterHeight - 1) * dh + 1;
  const effW = (info.filterWidth - 1) * dw + 1;
  const top = effH - 1 - info.padInfo.top;
  const left = effW - 1 - info.padInfo.left;
  if (top < 0 || left < 0) throw new Error('wasm convolution gradient: padding larger than the filter');
  const bottom = h + effH - 1 - top - up.shape[1];
  const right = w + effW - 1 - left - up.shape[2];
  const cropped = k.slice(
    up,
    [0, 0, 0, 0],
    [n, up.shape[1] + Math.min(0, bottom), up.shape[2] + Math.min(0, right), ch],
  );
  const padded = k.pad(cropped, [
    [0, 0],
    [top, Math.max(0, bottom)],
    [left, Math.max(0, right)],
    [0, 0],
  ]);
  return k.run(
    kernel,
    { x: padded, filter: flipped },
    { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [dh, dw] },
  );
}

/** wasm has Conv2DBackpropInput, but as a scalar loop; this one runs on its (XNNPACK) convolution. */
function conv2DBackpropInput({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const inShape = attrs.inputShape as number[];
  const info = convInfoFromAttrs(inShape, filter.shape, attrs, false);
  const k = new KernelRunner(backend);
  // [KH, KW, C, OC] → flipped taps, [KH, KW, OC, C].
  const flipped = k.transpose(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
  return k.finish(correlateUpsampled(k, dy, info, inShape, 'Conv2D', flipped));
}

function depthwiseBackpropInput({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const inShape = attrs.inputShape as number[];
  const info = convInfoFromAttrs(inShape, filter.shape, attrs, true);
  const k = new KernelRunner(backend);
  const [n, h, w, c] = inShape;
  const [kh, kw, , m] = filter.shape;
  // Each of the C·M output channels correlates with its own flipped tap; the M of a channel add up.
  const flipped = k.reshape(k.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, c * m, 1]);
  const dx = correlateUpsampled(k, dy, info, inShape, 'DepthwiseConv2dNative', flipped);
  if (m === 1) return k.finish(dx);
  return k.finish(k.run('Sum', { x: k.reshape(dx, [n, h, w, c, m]) }, { axis: [4], keepDims: false }));
}

function depthwiseBackpropFilter({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const filterShape = attrs.filterShape as number[];
  const info = convInfoFromAttrs(x.shape, filterShape, attrs, true);
  const k = new KernelRunner(backend);
  const [n, , , c] = x.shape;
  const [kh, kw, , m] = filterShape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const xp = padForWindows(k, x, info);
  const dy5 = k.reshape(dy, [n, oh, ow, c, m]);
  const taps: tf.TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const r0 = i * info.dilationHeight;
      const c0 = j * info.dilationWidth;
      const window = k.run(
        'StridedSlice',
        { x: xp },
        {
          begin: [0, r0, c0, 0],
          end: [n, r0 + (oh - 1) * sh + 1, c0 + (ow - 1) * sw + 1, c],
          strides: [1, sh, sw, 1],
          beginMask: 0,
          endMask: 0,
          ellipsisMask: 0,
          newAxisMask: 0,
          shrinkAxisMask: 0,
        },
      );
      const product = k.run('Multiply', { a: k.reshape(window, [n, oh, ow, c, 1]), b: dy5 });
      taps.push(k.run('Sum', { x: product }, { axis: [0, 1, 2], keepDims: false }));
    }
  }
  const stacked =
    taps.length === 1 ? taps[0] : k.run('Pack', taps as unknown as tf.NamedTensorInfoMap, { axis: 0 });
  return k.finish(k.reshape(stacked, [kh, kw, c, m]));
}

const KERNELS: Record<string, (args: KernelArgs) => tf.TensorInfo> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
};

/**
 * wasm's (XNNPACK) forward convolutions return zeros for some strided `same` convolutions; padding
 * explicitly and convolving `valid` gives the right result.
 */
function explicitSamePadding(kernelName: string, depthwise: boolean): void {
  const original = tf.getKernel(kernelName, WASM);
  if (!original) return;
  tf.unregisterKernel(kernelName, WASM);
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const attrs = args.attrs ?? {};
      const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const strides = attrs.strides as Pair;
      const strided = typeof strides === 'number' ? strides > 1 : strides.some((v) => v > 1);
      if (attrs.pad !== 'same' || !strided) return original.kernelFunc(args);
      const info = convInfoFromAttrs(x.shape, filter.shape, attrs, depthwise);
      const k = new KernelRunner(args.backend as tf.KernelBackend);
      const padded = padForWindows(k, x, info);
      const out = original.kernelFunc({
        ...args,
        inputs: { ...args.inputs, x: padded },
        attrs: { ...attrs, pad: 'valid' },
      }) as tf.TensorInfo;
      return k.finish(out);
    },
  });
}

let registered = false;

/** Registers, for the `wasm` backend, the gradient kernels it lacks (or runs slowly) so that it trains CNNs. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  for (const [kernelName, fn] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, WASM)) tf.unregisterKernel(kernelName, WASM);
    tf.registerKernel({
      kernelName,
      backendName: WASM,
      kernelFunc: (args) =>
        fn({ inputs: args.inputs, attrs: args.attrs ?? {}, backend: args.backend as tf.KernelBackend }),
    });
  }
  explicitSamePadding('Conv2D', false);
  explicitSamePadding('FusedConv2D', false);
  explicitSamePadding('DepthwiseConv2dNative', true);
  explicitSamePadding('FusedDepthwiseConv2D', true);
}
