// A convolution whose windows tile its input exactly (filter = stride, no padding, no dilation), as
// DaViT's and ConvNeXt's patch-merging layers are: each output pixel is one kh×kw patch times the
// filter, so the whole convolution is one matrix product of the input's patches [pixels, kh·kw·C] with
// the filter [kh·kw·C, O] (already laid out that way), and its gradients are two more. oneDNN's
// direct convolution ran these shapes at a half to a third of its matmul's throughput on AVX2.
import type * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { outputFloats, outputPool } from './buffer-pool.js';

export interface PatchGeometry {
  /** Output pixels (batch × outHeight × outWidth): the product's rows. */
  pixels: number;
  /** kh · kw · C: a patch's values, the product's inner dimension. */
  patch: number;
  outChannels: number;
  /** The input as [N, OH, kh, OW, kw·C], whose axes 2 and 3 swap to give the patches. */
  blocks: Int32Array;
  /** The patches as [N, OH, OW, kh, kw·C], whose axes 2 and 3 swap back to give the input. */
  patches: Int32Array;
}

const SWAP_2_3 = Int32Array.from([0, 1, 3, 2, 4]);

/** The geometry when the convolution's windows tile its input, else null. */
export function patchGeometry(info: tf.backend_util.Conv2DInfo): PatchGeometry | null {
  const { filterHeight: kh, filterWidth: kw, padInfo: p } = info;
  if (info.strideHeight !== kh || info.strideWidth !== kw) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || p.top || p.left || p.bottom || p.right)
    return null;
  if (info.inHeight !== info.outHeight * kh || info.inWidth !== info.outWidth * kw) return null;
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: c } = info;
  return {
    pixels: n * oh * ow,
    patch: kh * kw * c,
    outChannels: info.outChannels,
    blocks: Int32Array.from([n, oh, kh, ow, kw * c]),
    patches: Int32Array.from([n, oh, ow, kh, kw * c]),
  };
}

function patchesOf(addon: NativeAddon, g: PatchGeometry, x: Float32Array): Float32Array {
  const patches = outputFloats(g.pixels * g.patch);
  addon.transpose(x, patches, g.blocks, SWAP_2_3);
  return patches;
}

function matmulParams(m: number, n: number, k: number, transposeA: boolean, transposeB: boolean): Int32Array {
  return Int32Array.from([1, 1, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0]);
}

/** y [pixels, O] = patches(x) · filter (+ bias, ReLU when act is 1). */
export function patchConvForward(
  addon: NativeAddon,
  g: PatchGeometry,
  x: Float32Array,
  filter: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  act: number,
  bf16: boolean,
): void {
  const patches = g.patch === g.blocks[4] ? x : patchesOf(addon, g, x);
  addon.matmul(
    patches,
    filter,
    y,
    matmulParams(g.pixels, g.outChannels, g.patch, false, false),
    bias,
    act,
    bf16,
  );
  if (patches !== x) outputPool.release(patches);
}

/** dx = the patches of dy · filterᵀ put back in place. */
export function patchConvBackwardData(
  addon: NativeAddon,
  g: PatchGeometry,
  dy: Float32Array,
  filter: Float32Array,
  dx: Float32Array,
  bf16: boolean,
): void {
  const inPlace = g.patch === g.blocks[4];
  const dPatches = inPlace ? dx : outputFloats(g.pixels * g.patch);
  addon.matmul(
    dy,
    filter,
    dPatches,
    matmulParams(g.pixels, g.patch, g.outChannels, false, true),
    null,
    0,
    bf16,
  );
  if (inPlace) return;
  addon.transpose(dPatches, dx, g.patches, SWAP_2_3);
  outputPool.release(dPatches);
}

/** dfilter [patch, O] = patches(x)ᵀ · dy. */
export function patchConvBackwardFilter(
  addon: NativeAddon,
  g: PatchGeometry,
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
  bf16: boolean,
): void {
  const patches = g.patch === g.blocks[4] ? x : patchesOf(addon, g, x);
  addon.matmul(patches, dy, dw, matmulParams(g.patch, g.outChannels, g.pixels, true, false), null, 0, bf16);
  if (patches !== x) outputPool.release(patches);
}
