import * as tfl from '@tensorflow/tfjs-layers';
import { poolingTop } from './heads.js';
import { defineModel, L, modelSpec } from './layer-factory.js';
import { batchNormalization } from '../layers/batch-normalization.js';
import { KERAS_APPLICATIONS_URL, kerasImagenetWeights } from './pretrained.js';

type Sym = tfl.SymbolicTensor;

/**
 * Keras' InceptionV3 leaves most layers unnamed, so a fresh Keras session calls them `conv2d`,
 * `conv2d_1`, …; these counters give the same names so that Keras weight files load by name.
 */
class AutoNames {
  private readonly counts = new Map<string, number>();
  next(base: string): string {
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }
}

function inceptionV3Graph(x: Sym): Sym {
  const names = new AutoNames();
  const convBn = (
    y: Sym,
    filters: number,
    rows: number,
    cols: number,
    padding: 'same' | 'valid' = 'same',
    strides = 1,
  ): Sym => {
    y = L.conv2d({
      filters,
      kernelSize: [rows, cols],
      strides,
      padding,
      useBias: false,
      name: names.next('conv2d'),
    }).apply(y) as Sym;
    y = batchNormalization({ axis: -1, scale: false, name: names.next('batch_normalization') }).apply(
      y,
    ) as Sym;
    return L.activation({ activation: 'relu', name: names.next('activation') }).apply(y) as Sym;
  };
  const avgPool = (y: Sym): Sym =>
    L.averagePooling2d({
      poolSize: 3,
      strides: 1,
      padding: 'same',
      name: names.next('average_pooling2d'),
    }).apply(y) as Sym;
  const maxPool = (y: Sym): Sym =>
    L.maxPooling2d({ poolSize: 3, strides: 2, name: names.next('max_pooling2d') }).apply(y) as Sym;
  const concat = (parts: Sym[], name?: string): Sym =>
    L.concatenate({ axis: -1, name: name ?? names.next('concatenate') }).apply(parts) as Sym;

  x = convBn(x, 32, 3, 3, 'valid', 2);
  x = convBn(x, 32, 3, 3, 'valid');
  x = convBn(x, 64, 3, 3);
  x = maxPool(x);
  x = convBn(x, 80, 1, 1, 'valid');
  x = convBn(x, 192, 3, 3, 'valid');
  x = maxPool(x);

  // mixed 0–2: 35 × 35
  for (const [i, poolFilters] of [32, 64, 64].entries()) {
    const b1 = convBn(x, 64, 1, 1);
    const b5 = convBn(convBn(x, 48, 1, 1), 64, 5, 5);
    const b3 = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = convBn(avgPool(x), poolFilters, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  }
  // mixed 3: 17 × 17
  {
    const b3 = convBn(x, 384, 3, 3, 'valid', 2);
    const b3d = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 'valid', 2);
    x = concat([b3, b3d, maxPool(x)], 'mixed3');
  }
  // mixed 4–7: 17 × 17 with factorised 7 × 7
  for (const [i, f] of [128, 160, 160, 192].entries()) {
    const b1 = convBn(x, 192, 1, 1);
    const b7 = convBn(convBn(convBn(x, f, 1, 1), f, 1, 7), 192, 7, 1);
    let b7d = convBn(convBn(x, f, 1, 1), f, 7, 1);
    b7d = convBn(convBn(convBn(b7d, f, 1, 7), f, 7, 1), 192, 1, 7);
    const bp = convBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b7, b7d, bp], `mixed${4 + i}`);
  }
  // mixed 8: 8 × 8
  {
    const b3 = convBn(convBn(x, 192, 1, 1), 320, 3, 3, 'valid', 2);
    let b7 = convBn(convBn(convBn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1);
    b7 = convBn(b7, 192, 3, 3, 'valid', 2);
    x = concat([b3, b7, maxPool(x)], 'mixed8');
  }
  // mixed 9–10: 8 × 8 with expanded filter banks
  for (let i = 0; i < 2; i++) {
    const b1 = convBn(x, 320, 1, 1);
    const b3 = convBn(x, 384, 1, 1);
    const b3Split = concat([convBn(b3, 384, 1, 3), convBn(b3, 384, 3, 1)], `mixed9_${i}`);
    const b3d = convBn(convBn(x, 448, 1, 1), 384, 3, 3);
    const b3dSplit = concat([convBn(b3d, 384, 1, 3), convBn(b3d, 384, 3, 1)]);
    const bp = convBn(avgPool(x), 192, 1, 1);
    x = concat([b1, b3Split, b3dSplit, bp], `mixed${9 + i}`);
  }
  return x;
}

/** InceptionV3 with the layer names and parameter counts of `keras.applications.InceptionV3`. */
export const buildInceptionV3 = defineModel(
  { name: 'inception_v3', inputShape: [299, 299, 3], minSize: 75 },
  (opts) => {
    const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
    const x = inceptionV3Graph(input);
    return tfl.model({ inputs: input, outputs: poolingTop(x, opts), name: opts.name });
  },
);

export const inceptionV3Spec = modelSpec(buildInceptionV3, {
  family: 'Inception',
  stats: { params: 23_851_784, flops: 11_477_867_088 },
  preprocessing: 'tf',
  description: 'Inception v3 (keras.applications.InceptionV3)',
  about: {
    paper:
      'Szegedy, Vanhoucke, Ioffe, Shlens & Wojna, "Rethinking the Inception Architecture for Computer Vision", arXiv 1512.00567',
    year: 2015,
    introduced:
      'Factorised convolutions: 5x5 as two 3x3, and n x n as 1 x n then n x 1, inside multi-branch Inception modules; batch normalisation throughout and label smoothing in training.',
    stages:
      'stem conv2d … conv2d_4 with two max-poolings; mixed0–mixed2 at 35x35, mixed3–mixed7 at 17x17, mixed8–mixed10 at 8x8',
  },
  // keras/src/applications/inception_v3.py: WEIGHTS_PATH_NO_TOP and its file_hash. Its layers are named
  // conv2d_1 … conv2d_94 (an older Keras' automatic names), so it loads by layer order, as in Keras.
  pretrained: [
    kerasImagenetWeights({
      url: `${KERAS_APPLICATIONS_URL}/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5`,
      hash: 'bcbd6486424b2319ff4ef7d526e38f63',
      preprocessing: 'tf',
      top1: 77.9,
      license: 'Apache-2.0 (Keras / TensorFlow)',
      params: 21_802_784,
      origin: 'Szegedy et al. (Google), trained and published by Keras',
    }),
  ],
});
