import * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../../errors.js';
import { davitBlock } from './block.js';
import { call, dims, layerNorm, torchUniform, type Sym } from './graph.js';

export interface DavitArchitecture {
  depths: number[];
  widths: number[];
  heads: number[];
}

/** DaViT variants (arXiv 2204.03645), as in keras_cv_attention_models. */
export const DAVIT_ARCHITECTURES = {
  davit_t: { depths: [2, 2, 6, 2], widths: [96, 192, 384, 768], heads: [3, 6, 12, 24] },
  davit_s: { depths: [2, 2, 18, 2], widths: [96, 192, 384, 768], heads: [3, 6, 12, 24] },
  davit_b: { depths: [2, 2, 18, 2], widths: [128, 256, 512, 1024], heads: [4, 8, 16, 32] },
} as const satisfies Record<string, DavitArchitecture>;

export type DavitName = keyof typeof DAVIT_ARCHITECTURES;

export interface DavitOptions {
  /** Height, width, channels; any size ≥ 32 (sizes not divisible by 32 are padded inside). Default 224×224×3. */
  inputShape?: [number, number, number];
  /** Classes of the ImageNet-style head (`avg_pool → predictions`); 0 leaves the model headless at `pre_output_ln`. */
  numClasses?: number;
  classifierActivation?: 'softmax' | 'sigmoid' | 'linear';
  /** For a headless model: global pooling after `pre_output_ln` (Keras' `pooling`), default `none`. */
  pooling?: 'avg' | 'max' | 'none';
  /** Dropout before the classifier (`head_drop`), 0 for none. */
  dropout?: number;
  mlpRatio?: number;
  /** The window is ceil(input / windowRatio) on each side. */
  windowRatio?: number;
}

function stem(input: Sym, width: number): Sym {
  const padded = call(tfl.layers.zeroPadding2d({ padding: 3, name: 'stem_pad' }), input);
  const conv = call(
    tfl.layers.conv2d({
      filters: width,
      kernelSize: 7,
      strides: 4,
      padding: 'valid',
      useBias: true,
      kernelInitializer: torchUniform(dims(input)[2] * 49),
      name: 'stem_conv',
    }),
    padded,
  );
  return layerNorm(conv, 'stem_ln');
}

function downsample(x: Sym, width: number, name: string): Sym {
  const normed = layerNorm(x, `${name}ln`);
  return call(
    tfl.layers.conv2d({
      filters: width,
      kernelSize: 2,
      strides: 2,
      padding: 'same',
      useBias: true,
      kernelInitializer: torchUniform(dims(x)[2] * 4),
      name: `${name}conv`,
    }),
    normed,
  );
}

/** Builds a DaViT with the layer and weight names of keras_cv_attention_models, so its `.h5` weights load. */
export function buildDavit(
  architecture: DavitArchitecture,
  options: DavitOptions = {},
  modelName = 'davit',
): tfl.LayersModel {
  const {
    inputShape = [224, 224, 3],
    numClasses = 1000,
    classifierActivation = 'softmax',
    dropout = 0,
    mlpRatio = 4,
    windowRatio = 32,
    pooling = 'none',
  } = options;
  if (inputShape[0] < 32 || inputShape[1] < 32) {
    throw new VisionlabError(
      `DaViT input ${inputShape.join('×')} is too small.`,
      'Use an input of at least 32×32 (the network downsamples by 32).',
    );
  }
  const windowSize: [number, number] = [
    Math.ceil(inputShape[0] / windowRatio),
    Math.ceil(inputShape[1] / windowRatio),
  ];
  const input = tfl.input({ shape: inputShape, name: 'input_1' });
  let nn = stem(input, architecture.widths[0]);
  architecture.depths.forEach((depth, stackId) => {
    const stackName = `stack${stackId + 1}_`;
    if (stackId > 0) nn = downsample(nn, architecture.widths[stackId], `${stackName}downsample_`);
    for (let blockId = 0; blockId < depth; blockId++) {
      nn = davitBlock(nn, {
        windowSize,
        numHeads: architecture.heads[stackId],
        useChannelAttention: blockId % 2 === 1,
        mlpRatio,
        name: `${stackName}block${blockId + 1}_`,
      });
    }
  });
  nn = layerNorm(nn, 'pre_output_ln');
  if (numClasses > 0) {
    nn = call(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), nn);
    if (dropout > 0) nn = call(tfl.layers.dropout({ rate: dropout, name: 'head_drop' }), nn);
    nn = call(
      tfl.layers.dense({ units: numClasses, activation: classifierActivation, name: 'predictions' }),
      nn,
    );
  } else if (pooling === 'avg') {
    nn = call(tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }), nn);
  } else if (pooling === 'max') {
    nn = call(tfl.layers.globalMaxPooling2d({ name: 'max_pool' }), nn);
  }
  return tfl.model({ inputs: input, outputs: nn, name: modelName });
}

export function davitT(options: DavitOptions = {}): tfl.LayersModel {
  return buildDavit(DAVIT_ARCHITECTURES.davit_t, options, 'davit_t');
}

export function davitS(options: DavitOptions = {}): tfl.LayersModel {
  return buildDavit(DAVIT_ARCHITECTURES.davit_s, options, 'davit_s');
}

export function davitB(options: DavitOptions = {}): tfl.LayersModel {
  return buildDavit(DAVIT_ARCHITECTURES.davit_b, options, 'davit_b');
}

/** DaViT's `preprocess_input` in keras_cv_attention_models is the `torch` mode (ImageNet mean/std on [0, 1]). */
export const DAVIT_PREPROCESS_MODE = 'torch';
