// A convolution whose windows tile its input (filter = stride, no dilation, padding at most at the
// bottom and right, as 'same' adds to odd sizes), as DaViT's and ConvNeXt's patch-merging layers are:
// each output pixel is one kh×kw patch times the filter, so the whole convolution is one matrix product
// of the input's patches [pixels, kh·kw·C] with the filter [kh·kw·C, O] (already laid out that way),
// and its gradients are two more. oneDNN's direct convolution ran these shapes at a half to a third of
// its matmul's throughput on AVX2, and its padded weight gradient (35² → 18²) at a tenth.
// VISIONLAB_PATCH_CONV=0 sends them to oneDNN's convolution instead (for comparisons).
import type * as tf from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { outputFloats, outputPool } from './buffer-pool.js';

export interface PatchGeometry {
  /** Output pixels (batch × outHeight × outWidth): the product's rows. */
  pixels: number;
  /** kh · kw · C: a patch's values, the product's inner dimension. */
  patch: number;
  outChannels: number;
  /** The input's shape [N, H, W, C]. */
  input: Int32Array;
  /** Zeros the windows read past the input's bottom and right edges ([0, bottom, right, 0]), or null. */
  padding: Int32Array | null;
  /** The input with those zeros: [N, OH·kh, OW·kw, C]. */
  padded: Int32Array;
  /** The (padded) input as [N, OH, kh, OW, kw·C], whose axes 2 and 3 swap to give the patches. */
  blocks: Int32Array;
  /** The patches as [N, OH, OW, kh, kw·C], whose axes 2 and 3 swap back to give the input. */
  patches: Int32Array;
}

const SWAP_2_3 = Int32Array.from([0, 1, 3, 2, 4]);

/** The geometry when the convolution's windows tile its input, else null. */
export function patchGeometry(info: tf.backend_util.Conv2DInfo): PatchGeometry | null {
  if (process.env.VISIONLAB_PATCH_CONV === '0') return null;
  const { filterHeight: kh, filterWidth: kw, padInfo: p } = info;
  if (info.strideHeight !== kh || info.strideWidth !== kw) return null;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1 || p.top || p.left) return null;
  const { batchSize: n, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, inChannels: c } = info;
  const bottom = oh * kh - h;
  const right = ow * kw - w;
  if (bottom < 0 || bottom >= kh || right < 0 || right >= kw) return null;
  return {
    pixels: n * oh * ow,
    patch: kh * kw * c,
    outChannels: info.outChannels,
    input: Int32Array.from([n, h, w, c]),
    padding: bottom || right ? Int32Array.from([0, bottom, right, 0]) : null,
    padded: Int32Array.from([n, oh * kh, ow * kw, c]),
    blocks: Int32Array.from([n, oh, kh, ow, kw * c]),
    patches: Int32Array.from([n, oh, ow, kh, kw * c]),
  };
}

const NO_PADDING = Int32Array.from([0, 0, 0, 0]);

/** The patches of x: x itself when they are its rows already (kh = 1, nothing padded), else a pooled copy. */
function patchesOf(addon: NativeAddon, g: PatchGeometry, x: Float32Array): Float32Array {
  if (inPlace(g)) return x;
  let source = x;
  if (g.padding) {
    source = outputFloats(g.pixels * g.patch);
    addon.pad(x, source, g.input, NO_PADDING, g.padding, 0);
  }
  const patches = outputFloats(g.pixels * g.patch);
  addon.transpose(source, patches, g.blocks, SWAP_2_3);
  if (source !== x) outputPool.release(source);
  return patches;
}

function inPlace(g: PatchGeometry): boolean {
  return g.patch === g.blocks[4] && !g.padding;
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
  const patches = patchesOf(addon, g, x);
  const p = matmulParams(g.pixels, g.outChannels, g.patch, false, false);
  addon.matmul(patches, filter, y, p, bias, act, bf16);
  if (patches !== x) outputPool.release(patches);
}

/** dx = the patches of dy · filterᵀ put back in place (and cropped to the input where it was padded). */
export function patchConvBackwardData(
  addon: NativeAddon,
  g: PatchGeometry,
  dy: Float32Array,
  filter: Float32Array,
  dx: Float32Array,
  bf16: boolean,
): void {
  const dPatches = inPlace(g) ? dx : outputFloats(g.pixels * g.patch);
  const p = matmulParams(g.pixels, g.patch, g.outChannels, false, true);
  addon.matmul(dy, filter, dPatches, p, null, 0, bf16);
  if (dPatches === dx) return;
  const dPadded = g.padding ? outputFloats(g.pixels * g.patch) : dx;
  addon.transpose(dPatches, dPadded, g.patches, SWAP_2_3);
  outputPool.release(dPatches);
  if (dPadded === dx) return;
  addon.slice(dPadded, dx, g.padded, NO_PADDING, g.input);
  outputPool.release(dPadded);
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
  const patches = patchesOf(addon, g, x);
  addon.matmul(patches, dy, dw, matmulParams(g.patch, g.outChannels, g.pixels, true, false), null, 0, bf16);
  if (patches !== x) outputPool.release(patches);
}
