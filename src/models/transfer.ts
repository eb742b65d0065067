import * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { ensurePretrainedFile, type EnsureWeightsOptions } from '../weights/download.js';
import { describeWeightImport, loadKerasWeights, type WeightImportReport } from '../weights/load-weights.js';
import { loadNsfwjsMobileNetV2, NSFWJS_MOBILENET_V2_ORIGIN } from '../weights/nsfwjs-mobilenet-v2.js';
import { pretrainedSource } from '../weights/sources.js';
import { getModel } from './registry.js';
import type { InputShape, PreprocessMode } from './types.js';

/** The backbone that ships pretrained inside the npm package nsfwjs (MIT): usable offline. */
export const NSFWJS_BACKBONE = 'mobilenet_v2_nsfwjs';

export interface TransferModelOptions {
  /** A zoo name (`davit_t`, `resnet50`, …), `mobilenet_v2_nsfwjs`, or a headless model of your own. */
  backbone: string | tfl.LayersModel;
  /** Height, width, channels; default the backbone's own (224×224×3). */
  inputShape?: InputShape;
  /**
   * `imagenet` (downloaded once into the cache, checksum-verified), the path of a Keras `.h5`,
   * `.weights.h5` or `.keras` file,
   * `nsfwjs` for `mobilenet_v2_nsfwjs`, or null/undefined for random weights.
   */
  pretrained?: string | null;
  /** Dropout rate between pooling and the new Dense layer (default 0.3). */
  dropout?: number;
  /** Units of the new Dense layer (default 1: binary). */
  units?: number;
  /** Its activation (default sigmoid for 1 unit, softmax otherwise). */
  activation?: 'sigmoid' | 'softmax' | 'linear';
  /** Freezes `model.layers[0 … freezeUntil-1]`, as `for layer in model.layers[:N]: layer.trainable = False`. */
  freezeUntil?: number;
  /** Also freezes every layer whose name matches, e.g. /^(stem|stack1|stack2)_/ for DaViT's stem and first two stages. */
  freezeNames?: RegExp | string;
  /**
   * For backbones with keras_cv_attention_models stage names (DaViT: `stem_`, `stack1_` … `stack4_`):
   * freezes the stem and the first N stages, e.g. 2 → /^(stem|stack1|stack2)_/.
   */
  freezeStages?: number;
  /** Download and cache options for `pretrained: 'imagenet'`. */
  download?: EnsureWeightsOptions;
  /** Name of the returned model (default `<backbone>_transfer`). */
  name?: string;
}

export interface TransferModel {
  /** backbone → GlobalAveragePooling2D → Dropout → Dense, one flat functional model (not yet compiled). */
  model: tfl.LayersModel;
  /** The preprocessing the backbone was trained with (apply it with `preprocessInput`). */
  preprocessing: PreprocessMode;
  /** Trainable weight variables (kernels, biases, …) before and after freezing, as Keras' `len(model.trainable_weights)`. */
  trainableVariablesBefore: number;
  trainableVariablesAfter: number;
  trainableParamsBefore: number;
  trainableParamsAfter: number;
  frozenLayers: string[];
  /** Where the backbone's weights came from: a file's import report, a bundled model, or random. */
  weights: { source: 'random' | 'h5' | 'bundled'; description: string; report?: WeightImportReport };
}

interface LoadedBackbone {
  backbone: tfl.LayersModel;
  preprocessing: PreprocessMode;
  weights: TransferModel['weights'];
}

async function loadBackbone(options: TransferModelOptions): Promise<LoadedBackbone> {
  const { backbone, pretrained } = options;
  if (typeof backbone !== 'string') {
    if (pretrained)
      throw new VisionlabError(
        '`pretrained` applies to a named backbone; load weights into your own model first.',
      );
    return {
      backbone,
      preprocessing: 'raw',
      weights: { source: 'random', description: 'the model as given' },
    };
  }
  const name = backbone.trim().toLowerCase().replace(/-/g, '_');
  if (name === NSFWJS_BACKBONE) {
    if (pretrained && pretrained !== 'nsfwjs') {
      throw new VisionlabError(
        `${NSFWJS_BACKBONE} has only its bundled weights.`,
        'Use pretrained: "nsfwjs", or null for random weights.',
      );
    }
    const model = await loadNsfwjsMobileNetV2(options.inputShape ?? [224, 224, 3], {
      weights: Boolean(pretrained),
    });
    const weights = pretrained
      ? { source: 'bundled' as const, description: NSFWJS_MOBILENET_V2_ORIGIN }
      : { source: 'random' as const, description: 'random initial weights' };
    return { backbone: model, preprocessing: 'raw', weights };
  }
  const spec = getModel(name);
  const model = spec.build({ inputShape: options.inputShape, classes: 0, includeTop: false });
  if (!pretrained)
    return {
      backbone: model,
      preprocessing: spec.preprocessing,
      weights: { source: 'random', description: 'random initial weights' },
    };
  const file = /\.(h5|keras)$/i.test(pretrained)
    ? pretrained
    : await ensurePretrainedFile(pretrainedSource(spec.name, pretrained), options.download);
  const report = await loadKerasWeights(model, file);
  return {
    backbone: model,
    preprocessing: spec.preprocessing,
    weights: { source: 'h5', description: describeWeightImport(report), report },
  };
}

const countParams = (vars: tfl.LayerVariable[]): number =>
  vars.reduce((n, v) => n + v.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);

/** The layer-name pattern of the stem and the first `stages` stages (`stem_`, `stack1_`, …). */
export function stageFreezePattern(stages: number): RegExp {
  if (!Number.isInteger(stages) || stages < 0) {
    throw new VisionlabError(`freezeStages=${stages} is not a number of stages.`, 'Pass 0, 1, 2, …');
  }
  const names = ['stem', ...Array.from({ length: stages }, (_, i) => `stack${i + 1}`)];
  return new RegExp(`^(${names.join('|')})_`);
}

/**
 * Freezes layers of a model by position and/or name; returns the names of the frozen layers.
 * Call before `compile`, as in Keras.
 */
export function freezeLayers(
  model: tfl.LayersModel,
  freezeUntil = 0,
  freezeNames?: RegExp | string,
): string[] {
  if (!Number.isInteger(freezeUntil) || freezeUntil < 0 || freezeUntil > model.layers.length) {
    throw new VisionlabError(
      `freezeUntil=${freezeUntil} is not a layer count of model "${model.name}" (0…${model.layers.length}).`,
      'Pass how many layers, counted from the input, to freeze.',
    );
  }
  const pattern = typeof freezeNames === 'string' ? new RegExp(freezeNames) : freezeNames;
  const frozen: string[] = [];
  model.layers.forEach((layer, index) => {
    if (index < freezeUntil || pattern?.test(layer.name)) {
      layer.trainable = false;
      frozen.push(layer.name);
    }
  });
  return frozen;
}

/**
 * Builds the transfer-learning model of the Keras recipe: a headless backbone (optionally pretrained),
 * `GlobalAveragePooling2D → Dropout(dropout) → Dense(units, activation)`, then freezes layers near the input.
 *
 * `buildTransferModel({ backbone: 'davit_t', inputShape: [280, 280, 3], pretrained: 'imagenet', dropout: 0.3, units: 1, activation: 'sigmoid', freezeUntil: 80 })`
 */
export async function buildTransferModel(options: TransferModelOptions): Promise<TransferModel> {
  const { dropout = 0.3, units = 1, freezeUntil = 0, freezeNames } = options;
  const activation = options.activation ?? (units === 1 ? 'sigmoid' : 'softmax');
  if (!(dropout >= 0 && dropout < 1)) throw new VisionlabError(`dropout=${dropout} must be in [0, 1).`);
  if (!Number.isInteger(units) || units < 1)
    throw new VisionlabError(`units=${units} must be a positive integer.`);
  const { backbone, preprocessing, weights } = await loadBackbone(options);
  const rank = backbone.outputs[0].shape.length;
  if (backbone.outputs.length !== 1 || (rank !== 4 && rank !== 3)) {
    throw new VisionlabError(
      `Backbone "${backbone.name}" must end in one feature map [batch, h, w, c] or token sequence [batch, tokens, c]; it ends in ${JSON.stringify(backbone.outputs.map((o) => o.shape))}.`,
      'Pass a headless backbone (no pooling, no classifier).',
    );
  }
  // A transformer's tokens (ViT) are averaged as a CNN's positions are.
  const pool =
    rank === 4
      ? tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' })
      : tfl.layers.globalAveragePooling1d({ name: 'global_average_pooling1d' });
  let x = pool.apply(backbone.outputs[0]) as tfl.SymbolicTensor;
  if (dropout > 0) x = tfl.layers.dropout({ rate: dropout, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units, activation, name: 'dense' }).apply(x) as tfl.SymbolicTensor;
  const baseName = typeof options.backbone === 'string' ? options.backbone : backbone.name;
  const model = tfl.model({
    inputs: backbone.inputs,
    outputs: output,
    name: options.name ?? `${baseName}_transfer`,
  });
  const trainableVariablesBefore = model.trainableWeights.length;
  const trainableParamsBefore = countParams(model.trainableWeights);
  const frozenLayers = freezeLayers(model, freezeUntil, freezeNames);
  if (options.freezeStages !== undefined) {
    const pattern = stageFreezePattern(options.freezeStages);
    if (!model.layers.some((l) => pattern.test(l.name))) {
      throw new VisionlabError(
        `freezeStages needs a backbone with stem_/stackN_ layer names; "${baseName}" has none.`,
        'Use freezeUntil or freezeNames for this backbone.',
      );
    }
    for (const name of freezeLayers(model, 0, pattern))
      if (!frozenLayers.includes(name)) frozenLayers.push(name);
  }
  return {
    model,
    preprocessing,
    trainableVariablesBefore,
    trainableVariablesAfter: model.trainableWeights.length,
    trainableParamsBefore,
    trainableParamsAfter: countParams(model.trainableWeights),
    frozenLayers,
    weights,
  };
}

/** One line for logs and the CLI: what was frozen and how many variables remain trainable. */
export function describeFreezing(t: TransferModel): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return (
    `trainable weight variables: ${t.trainableVariablesBefore} before freezing, ${t.trainableVariablesAfter} after ` +
    `(${n(t.trainableParamsBefore)} → ${n(t.trainableParamsAfter)} parameters; ${t.frozenLayers.length} layers frozen)`
  );
}
