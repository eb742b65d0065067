import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { defineModel, L, modelSpec } from './layer-factory.js';
import { VisionlabError } from '../errors.js';
import { applyPooling, classifier } from './heads.js';
import type { ResolvedOptions } from './options.js';

type Sym = tfl.SymbolicTensor;

/** Filter counts of one Inception module, as in table 1 of Szegedy et al. (2014). */
export interface InceptionFilters {
  f1x1: number;
  f3x3Reduce: number;
  f3x3: number;
  f5x5Reduce: number;
  f5x5: number;
  poolProj: number;
  /** Prefix of the module's layer names, e.g. `inception_3a`; automatic names when absent. */
  name?: string;
}

/** Loss weights of the outputs of the training model: main classifier, auxiliary after 4a, after 4d. */
export const GOOGLENET_LOSS_WEIGHTS: readonly [number, number, number] = [1, 0.3, 0.3];

function conv(x: Sym, filters: number, kernelSize: number, name?: string, strides = 1): Sym {
  return tfl.layers
    .conv2d({ filters, kernelSize, strides, padding: 'same', activation: 'relu', name })
    .apply(x) as Sym;
}

function maxPool(x: Sym, name: string, strides = 2): Sym {
  return L.maxPooling2d({ poolSize: 3, strides, padding: 'same', name }).apply(x) as Sym;
}

/**
 * One Inception module: 1×1, 1×1→3×3, 1×1→5×5 and 3×3 max-pool→1×1 branches, concatenated along
 * the channels. Every convolution has a bias and a ReLU.
 */
export function inception(x: Sym, filters: InceptionFilters): Sym {
  const n = (suffix: string): string | undefined => (filters.name ? `${filters.name}_${suffix}` : undefined);
  const b1 = conv(x, filters.f1x1, 1, n('1x1'));
  const b3 = conv(conv(x, filters.f3x3Reduce, 1, n('3x3_reduce')), filters.f3x3, 3, n('3x3'));
  const b5 = conv(conv(x, filters.f5x5Reduce, 1, n('5x5_reduce')), filters.f5x5, 5, n('5x5'));
  const pooled = tfl.layers
    .maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: n('pool') })
    .apply(x) as Sym;
  const bp = conv(pooled, filters.poolProj, 1, n('pool_proj'));
  return L.concatenate({ axis: -1, name: n('output') }).apply([b1, b3, b5, bp]) as Sym;
}

/** The auxiliary classifier: 5×5/3 average pool, 1×1 conv 128, dense 1024, dropout 0.7, classifier. */
function auxiliaryClassifier(x: Sym, opts: ResolvedOptions, prefix: string): Sym {
  let y = tfl.layers
    .averagePooling2d({ poolSize: 5, strides: 3, padding: 'valid', name: `${prefix}_ave_pool` })
    .apply(x) as Sym;
  y = conv(y, 128, 1, `${prefix}_conv`);
  y = L.flatten({ name: `${prefix}_flatten` }).apply(y) as Sym;
  y = L.dense({ units: 1024, activation: 'relu', name: `${prefix}_fc` }).apply(y) as Sym;
  y = L.dropout({ rate: 0.7, name: `${prefix}_dropout` }).apply(y) as Sym;
  return classifier(y, opts, `${prefix}_predictions`);
}

const MODULES: Record<string, Omit<InceptionFilters, 'name'>> = {
  '3a': { f1x1: 64, f3x3Reduce: 96, f3x3: 128, f5x5Reduce: 16, f5x5: 32, poolProj: 32 },
  '3b': { f1x1: 128, f3x3Reduce: 128, f3x3: 192, f5x5Reduce: 32, f5x5: 96, poolProj: 64 },
  '4a': { f1x1: 192, f3x3Reduce: 96, f3x3: 208, f5x5Reduce: 16, f5x5: 48, poolProj: 64 },
  '4b': { f1x1: 160, f3x3Reduce: 112, f3x3: 224, f5x5Reduce: 24, f5x5: 64, poolProj: 64 },
  '4c': { f1x1: 128, f3x3Reduce: 128, f3x3: 256, f5x5Reduce: 24, f5x5: 64, poolProj: 64 },
  '4d': { f1x1: 112, f3x3Reduce: 144, f3x3: 288, f5x5Reduce: 32, f5x5: 64, poolProj: 64 },
  '4e': { f1x1: 256, f3x3Reduce: 160, f3x3: 320, f5x5Reduce: 32, f5x5: 128, poolProj: 128 },
  '5a': { f1x1: 256, f3x3Reduce: 160, f3x3: 320, f5x5Reduce: 32, f5x5: 128, poolProj: 128 },
  '5b': { f1x1: 384, f3x3Reduce: 192, f3x3: 384, f5x5Reduce: 48, f5x5: 128, poolProj: 128 },
};

/** Table 1 of the paper; exported so users can read or reuse the configuration. */
export const GOOGLENET_MODULES: Readonly<Record<string, Readonly<Omit<InceptionFilters, 'name'>>>> = MODULES;

const block = (x: Sym, id: string): Sym => inception(x, { ...MODULES[id], name: `inception_${id}` });

/**
 * GoogLeNet (Inception v1). With `auxiliaryOutputs: true` it returns the training model whose outputs
 * are `[predictions, aux1_predictions (after 4a), aux2_predictions (after 4d)]`; train it with
 * {@link googlenetLosses} (weights 1, 0.3, 0.3) and use {@link googlenetInferenceModel} for
 * evaluation, prediction and export. The final 7×7 average pool is a global average pool, which is
 * the same at 224×224 and lets smaller inputs work. Local response normalisation is left out.
 */
export const buildGoogLeNet = defineModel({ name: 'googlenet', inputShape: [224, 224, 3] }, (opts) => {
  const withAux = opts.auxiliaryOutputs && opts.includeTop;
  if (withAux && (Math.ceil(opts.inputShape[0] / 16) < 5 || Math.ceil(opts.inputShape[1] / 16) < 5)) {
    throw new VisionlabError(
      `GoogLeNet's auxiliary classifiers need an input of at least 65x65 (got ${opts.inputShape[0]}x${opts.inputShape[1]}).`,
      'Use a larger input, or build without auxiliaryOutputs.',
    );
  }
  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  let x = conv(input, 64, 7, 'conv1_7x7_s2', 2);
  x = maxPool(x, 'pool1_3x3_s2');
  x = conv(x, 64, 1, 'conv2_3x3_reduce');
  x = conv(x, 192, 3, 'conv2_3x3');
  x = maxPool(x, 'pool2_3x3_s2');
  x = block(x, '3a');
  x = block(x, '3b');
  x = maxPool(x, 'pool3_3x3_s2');
  x = block(x, '4a');
  const aux1 = withAux ? auxiliaryClassifier(x, opts, 'aux1') : undefined;
  x = block(x, '4b');
  x = block(x, '4c');
  x = block(x, '4d');
  const aux2 = withAux ? auxiliaryClassifier(x, opts, 'aux2') : undefined;
  x = block(x, '4e');
  x = maxPool(x, 'pool4_3x3_s2');
  x = block(x, '5a');
  x = block(x, '5b');
  if (!opts.includeTop)
    return tfl.model({ inputs: input, outputs: applyPooling(x, opts.pooling), name: opts.name });
  x = L.globalAveragePooling2d({ name: 'pool5_7x7_s1' }).apply(x) as Sym;
  x = L.dropout({ rate: 0.4, name: 'pool5_drop_7x7_s1' }).apply(x) as Sym;
  const main = classifier(x, opts, 'predictions');
  const outputs = aux1 && aux2 ? [main, aux1, aux2] : main;
  return tfl.model({ inputs: input, outputs, name: opts.name });
});

/**
 * The evaluation / prediction / export model of a GoogLeNet training model: same input, main
 * output only. It shares the layers (and so the weights) of `trainingModel`.
 */
export function googlenetInferenceModel(trainingModel: tfl.LayersModel): tfl.LayersModel {
  if (trainingModel.outputs.length === 1) return trainingModel;
  return tfl.model({
    inputs: trainingModel.inputs,
    outputs: trainingModel.outputs[0],
    name: trainingModel.name,
  });
}

export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/**
 * One loss per output of the training model, each scaled by {@link GOOGLENET_LOSS_WEIGHTS}
 * (TF.js' `compile` has no `lossWeights`). `loss` is a function or `categoricalCrossentropy` /
 * `binaryCrossentropy`.
 */
export function googlenetLosses(
  loss: LossFn | 'categoricalCrossentropy' | 'binaryCrossentropy',
  weights: readonly number[] = GOOGLENET_LOSS_WEIGHTS,
): LossFn[] {
  const base: LossFn =
    typeof loss === 'function'
      ? loss
      : loss === 'categoricalCrossentropy'
        ? tfl.metrics.categoricalCrossentropy
        : tfl.metrics.binaryCrossentropy;
  return weights.map((w) =>
    w === 1 ? base : (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mul(base(yTrue, yPred), w),
  );
}

export const googlenetSpec = modelSpec(buildGoogLeNet, {
  stats: { params: 6_998_552, flops: 3_184_605_488 },
  family: 'Inception',
  preprocessing: 'tf',
  description: 'GoogLeNet / Inception v1 (2014), optional auxiliary classifiers after 4a and 4d',
  about: {
    paper: 'Szegedy et al., "Going Deeper with Convolutions", arXiv 1409.4842',
    year: 2014,
    introduced:
      'The Inception module: parallel 1x1, 3x3 and 5x5 convolutions and a pooling branch, with 1x1 convolutions reducing channels first, concatenated. Auxiliary classifiers help the gradient reach early layers.',
    stages:
      'stem (7x7 conv, pools, 3x3 conv); inception_3a–3b, inception_4a–4e, inception_5a–5b; auxiliary heads after 4a and 4d',
  },
});
