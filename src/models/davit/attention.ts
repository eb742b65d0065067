import * as tfl from '@tensorflow/tfjs-layers';
import { BatchMatMul } from '../../layers/batch-matmul.js';
import { BatchReshape } from '../../layers/batch-reshape.js';
import { ScaleByConstant } from '../../layers/scale-by-constant.js';
import { SplitLastAxis } from '../../layers/split-last-axis.js';
import { call, dims, type Sym } from './graph.js';

const reshape = (x: Sym, targetShape: number[]): Sym => call(new BatchReshape({ targetShape }), x);
/** `perm` includes the batch axis (always 0), as the Keras source writes it. */
const transpose = (x: Sym, perm: number[]): Sym => call(tfl.layers.permute({ dims: perm.slice(1) }), x);
const matmul = (a: Sym, b: Sym): Sym => call(new BatchMatMul(), [a, b]);

/** Splits rows into heads: [b, n, heads * d] -> [b, n, heads, d] -> transposed by `perm`. */
function heads(x: Sym, numHeads: number, perm: number[]): Sym {
  const [n, c] = dims(x);
  return transpose(reshape(x, [n, numHeads, c / numHeads]), perm);
}

function scaledSoftmax(scores: Sym, scale: number, name: string): Sym {
  const scaled = call(new ScaleByConstant({ scale }), scores);
  return call(tfl.layers.softmax({ axis: -1, name: `${name}attention_scores` }), scaled);
}

/**
 * Multi-head self-attention over a token sequence [b, n, c] with one `qkv` projection, as ViT and
 * DaViT's windows use it; the heads' outputs come back as `outShape` (default [n, c]) before the
 * output projection.
 */
export function tokenSelfAttention(tokens: Sym, numHeads: number, name: string, outShape?: number[]): Sym {
  const [n, c] = dims(tokens);
  const keyDim = c / numHeads;
  const qkv = call(tfl.layers.dense({ units: 3 * c, useBias: true, name: `${name}qkv` }), tokens);
  const [query, key, value] = new SplitLastAxis({ numSplits: 3 }).apply(qkv) as Sym[];
  const q = heads(query, numHeads, [0, 2, 1, 3]); // [b, heads, n, d]
  const k = heads(key, numHeads, [0, 2, 3, 1]); // [b, heads, d, n]
  const v = heads(value, numHeads, [0, 2, 1, 3]); // [b, heads, n, d]
  const attention = scaledSoftmax(matmul(q, k), 1 / Math.sqrt(keyDim), name);
  const out = reshape(transpose(matmul(attention, v), [0, 2, 1, 3]), outShape ?? [n, c]);
  return call(tfl.layers.dense({ units: c, useBias: true, name: `${name}output` }), out);
}

/** Spatial multi-head self-attention inside each window: tokens attend to tokens. */
export function windowSelfAttention(x: Sym, numHeads: number, name: string): Sym {
  const [h, w, c] = dims(x);
  return tokenSelfAttention(reshape(x, [h * w, c]), numHeads, name, [h, w, c]);
}

/** DaViT's channel attention: channel groups attend to each other over all positions. */
export function channelSelfAttention(x: Sym, numHeads: number, name: string): Sym {
  const [h, w, c] = dims(x);
  const keyDim = c / numHeads;
  const tokens = reshape(x, [h * w, c]);
  const qkv = call(tfl.layers.dense({ units: 3 * c, useBias: true, name: `${name}qkv` }), tokens);
  // The source model's weights (from PyTorch) put value first.
  const [value, query, key] = new SplitLastAxis({ numSplits: 3 }).apply(qkv) as Sym[];
  const q = heads(query, numHeads, [0, 2, 3, 1]); // [b, heads, d, n]
  const k = heads(key, numHeads, [0, 2, 1, 3]); // [b, heads, n, d]
  const v = heads(value, numHeads, [0, 2, 3, 1]); // [b, heads, d, n]
  const attention = scaledSoftmax(matmul(q, k), 1 / Math.sqrt(keyDim), name); // [b, heads, d, d]
  const out = reshape(transpose(matmul(attention, v), [0, 3, 1, 2]), [h, w, c]);
  return call(tfl.layers.dense({ units: c, useBias: true, name: `${name}output` }), out);
}

/**
 * Pads the map to a multiple of the window, folds windows into the batch, attends, unfolds and crops.
 * A window larger than the map shrinks to the map.
 */
export function windowAttention(x: Sym, windowSize: [number, number], numHeads: number, name: string): Sym {
  const [height, width, c] = dims(x);
  const wh = Math.min(windowSize[0], height);
  const ww = Math.min(windowSize[1], width);
  const ph = Math.ceil(height / wh);
  const pw = Math.ceil(width / ww);
  const padH = ph * wh - height;
  const padW = pw * ww - width;
  // Padded at the bottom and right to whole windows, and cropped back after the attention.
  const margins: [[number, number], [number, number]] = [
    [0, padH],
    [0, padW],
  ];
  let nn = x;
  if (padH || padW) nn = call(tfl.layers.zeroPadding2d({ padding: margins }), nn);
  const single = ph === 1 && pw === 1;
  if (!single) {
    nn = reshape(nn, [wh, pw, ww * c]);
    nn = transpose(nn, [0, 2, 1, 3]);
    nn = reshape(nn, [wh, ww, c]);
  }
  nn = windowSelfAttention(nn, numHeads, name);
  if (single) {
    nn = reshape(nn, [ph * wh, pw * ww, c]);
  } else {
    nn = reshape(nn, [pw, wh, ww * c]);
    nn = transpose(nn, [0, 2, 1, 3]);
    nn = reshape(nn, [ph * wh, pw * ww, c]);
  }
  if (padH || padW) nn = call(tfl.layers.cropping2D({ cropping: margins }), nn);
  return nn;
}
