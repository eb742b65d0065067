import * as tfl from '@tensorflow/tfjs-layers';
import '../layers/gelu-activation.js';
import { LayerNormalizationLastAxis } from '../layers/layer-normalization-last-axis.js';
import { tokenSelfAttention } from './davit/attention.js';
import { defineBuilder, L } from './layer-factory.js';
import { ClassToken, FirstToken } from '../layers/class-token.js';
import { PositionalEmbedding } from '../layers/positional-embedding.js';
import { resolveOptions } from './options.js';
import type { BuildOptions, ModelSpec } from './types.js';

type Sym = tfl.SymbolicTensor;

export interface VitArchitecture {
  embedDim: number;
  depth: number;
  numHeads: number;
  patchSize: number;
}

/** ViT-S/16 and ViT-B/16 (Dosovitskiy et al.; the Small size from DeiT, Touvron et al.). */
export const VIT_ARCHITECTURES = {
  vit_s16: { embedDim: 384, depth: 12, numHeads: 6, patchSize: 16 },
  vit_b16: { embedDim: 768, depth: 12, numHeads: 12, patchSize: 16 },
} as const satisfies Record<string, VitArchitecture>;

const EPSILON = 1e-6;
const layerNorm = (x: Sym, name: string): Sym =>
  new LayerNormalizationLastAxis({ epsilon: EPSILON, name }).apply(x) as Sym;

/** keras_cv_attention_models' `attention_mlp_block` as ViT uses it (no layer scale): pre-norm attention and MLP, each added back. */
function encoderBlock(x: Sym, arch: VitArchitecture, name: string): Sym {
  const attention = tokenSelfAttention(layerNorm(x, `${name}attn_ln`), arch.numHeads, `${name}attn_`);
  const attnOut = L.add({ name: `${name}attn_out` }).apply([x, attention]) as Sym;
  let mlp = layerNorm(attnOut, `${name}mlp_ln`);
  mlp = L.dense({ units: 4 * arch.embedDim, name: `${name}mlp_dense_1` }).apply(mlp) as Sym;
  mlp = L.activation({ activation: 'gelu', name: `${name}mlp_gelu` }).apply(mlp) as Sym;
  mlp = L.dense({ units: arch.embedDim, name: `${name}mlp_dense_2` }).apply(mlp) as Sym;
  return L.add({ name: `${name}mlp_output` }).apply([attnOut, mlp]) as Sym;
}

/**
 * A Vision Transformer with the layer and weight names of keras_cv_attention_models' `beit/vit.py`
 * (`stem_conv`, `cls_token`, `positional_embedding`, `block<i>_attn_qkv` …, `out_ln`, `predictions`).
 * With a top, the [CLS] token after `out_ln` feeds the classifier; headless, the model ends at `out_ln`
 * with every token ([batch, 1 + patches, channels]), or pools the tokens (`pooling`).
 */
export function buildVit(arch: VitArchitecture, options: BuildOptions, modelName: string): tfl.LayersModel {
  const opts = resolveOptions(options, {
    name: modelName,
    inputShape: [224, 224, 3],
    minSize: arch.patchSize,
  });
  const [h, w] = opts.inputShape;
  const patches = Math.floor(h / arch.patchSize) * Math.floor(w / arch.patchSize);
  const input = tfl.input({ shape: opts.inputShape, name: 'input_1' });
  let x = L.conv2d({
    filters: arch.embedDim,
    kernelSize: arch.patchSize,
    strides: arch.patchSize,
    padding: 'valid',
    name: 'stem_conv',
  }).apply(input) as Sym;
  x = L.reshape({ targetShape: [patches, arch.embedDim], name: 'stem_reshape' }).apply(x) as Sym;
  x = new ClassToken({ name: 'cls_token' }).apply(x) as Sym;
  x = new PositionalEmbedding({ name: 'positional_embedding' }).apply(x) as Sym;
  for (let i = 0; i < arch.depth; i++) x = encoderBlock(x, arch, `block${i}_`);
  x = layerNorm(x, 'out_ln');
  if (opts.includeTop) {
    x = new FirstToken({ name: 'cls_token_out' }).apply(x) as Sym;
    x = L.dense({
      units: opts.classes,
      activation: opts.classifierActivation ?? 'linear',
      name: 'predictions',
    }).apply(x) as Sym;
  } else if (opts.pooling === 'avg') {
    x = L.globalAveragePooling1d({ name: 'avg_pool' }).apply(x) as Sym;
  } else if (opts.pooling === 'max') {
    x = L.globalMaxPooling1d({ name: 'max_pool' }).apply(x) as Sym;
  }
  return tfl.model({ inputs: input, outputs: x, name: opts.name });
}

export const buildVitS16 = defineBuilder((o: BuildOptions) =>
  buildVit(VIT_ARCHITECTURES.vit_s16, o, 'vit_small_patch16'),
);
export const buildVitB16 = defineBuilder((o: BuildOptions) =>
  buildVit(VIT_ARCHITECTURES.vit_b16, o, 'vit_base_patch16'),
);

const WEIGHTS_NOTE =
  "keras_cv_attention_models publishes no ImageNet weights for plain ViT (beit.py's PRETRAINED_DICT has no vit_* entry); " +
  "its keras_model_load_weights_from_pytorch_model converts timm's vit_small_patch16_224 / vit_base_patch16_224 into a .h5 that loads here by name.";

const about = {
  paper:
    'Dosovitskiy et al., "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale", arXiv 2010.11929',
  year: 2020,
  introduced:
    'A plain Transformer encoder on image patches: the image is cut into 16x16 patches, each projected to a token, a learned [CLS] token and position embeddings added; no convolutions after the patch projection. Needs large-scale pre-training to beat CNNs.',
  stages:
    'stem_conv (patch projection), cls_token, positional_embedding; block0_ … block11_ (attn_ln, attn_qkv, attn_output, mlp_ln, mlp_dense_1/2); out_ln',
};

function vitSpec(name: string, size: string, build: ModelSpec['build']): ModelSpec {
  return {
    name,
    family: 'ViT',
    build,
    defaultInputShape: [224, 224, 3],
    preprocessing: 'tf',
    description: `ViT-${size[0]}/16, Vision Transformer ${size}, 16x16 patches (keras_cv_attention_models layer names)`,
    about,
    pretrainedNote: WEIGHTS_NOTE,
  };
}

/** No recorded `stats`: `modelStats` counts them from the built model, attention products included. */
export const vitSpecs: ModelSpec[] = [
  vitSpec('vit_s16', 'Small', buildVitS16),
  vitSpec('vit_b16', 'Base', buildVitB16),
];
