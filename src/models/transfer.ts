import * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { freeze, isEmptyFreezeSpec, type FreezeReport, type FreezeSpec } from '../freeze/index.js';
import { countValues } from '../freeze/counts.js';
import { ensurePretrainedFile, type EnsureWeightsOptions } from '../weights/download.js';
import { describeWeightImport, loadKerasWeights, type WeightImportReport } from '../weights/load-weights.js';
import { pretrainedSource } from '../weights/sources.js';
import { getModel } from './registry.js';
import type { InputShape, PreprocessMode } from './types.js';

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
  /** What to freeze after building (see `FreezeSpec`): `{ until: 80 }`, `{ stages: 2 }`, `{ blocks: 3 }`, `{ names: /^stem_/ }`, `{ backbone: true }`. */
  freeze?: FreezeSpec;
  /** Shorthand for `freeze.until`: the first N layers, as `for layer in model.layers[:N]: layer.trainable = False`. */
  freezeUntil?: number;
  /** Shorthand for `freeze.names`, e.g. /^(stem|stack1|stack2)_/ for DaViT's stem and first two stages. */
  freezeNames?: RegExp | string;
  /** Shorthand for `freeze.stages`: the stem and the first N stages (read from the layer names). */
  freezeStages?: number;
  /** Shorthand for `freeze.blocks`: the stem and the first N blocks. */
  freezeBlocks?: number;
  /** Shorthand for `freeze.kinds`: every layer of these classes, e.g. ['BatchNormalization']. */
  freezeKinds?: string[];
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
  /** What freezing did, when something was frozen. */
  freeze?: FreezeReport;
  /** Where the backbone's weights came from: a file's import report, a bundled model, or random. */
  weights: { source: 'random' | 'h5' | 'bundled'; description: string; report?: WeightImportReport };
}

interface TransferBackbone {
  backbone: tfl.LayersModel;
  preprocessing: PreprocessMode;
  weights: TransferModel['weights'];
}

async function loadBackbone(options: TransferModelOptions): Promise<TransferBackbone> {
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
  const spec = getModel(backbone);
  if (spec.loadBackbone) {
    const loaded = await spec.loadBackbone({
      inputShape: options.inputShape,
      pretrained: pretrained ?? null,
    });
    return {
      backbone: loaded.model,
      preprocessing: spec.preprocessing,
      weights: { source: loaded.source, description: loaded.description },
    };
  }
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

/** The freeze spec of the options: `freeze` with the shorthands on top. */
function freezeSpecOf(options: TransferModelOptions): FreezeSpec {
  const spec: FreezeSpec = { ...options.freeze };
  if (options.freezeUntil !== undefined && options.freezeUntil > 0) spec.until = options.freezeUntil;
  if (options.freezeNames !== undefined) spec.names = options.freezeNames;
  if (options.freezeStages !== undefined) spec.stages = options.freezeStages;
  if (options.freezeBlocks !== undefined) spec.blocks = options.freezeBlocks;
  if (options.freezeKinds !== undefined) spec.kinds = options.freezeKinds;
  return spec;
}

/**
 * Builds the transfer-learning model of the Keras recipe: a headless backbone (optionally pretrained),
 * `GlobalAveragePooling2D → Dropout(dropout) → Dense(units, activation)`, then freezes layers near the input.
 *
 * `buildTransferModel({ backbone: 'davit_t', inputShape: [280, 280, 3], pretrained: 'imagenet', dropout: 0.3, units: 1, activation: 'sigmoid', freezeUntil: 80 })`
 */
export async function buildTransferModel(options: TransferModelOptions): Promise<TransferModel> {
  const { dropout = 0.3, units = 1 } = options;
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
  const trainableParamsBefore = countValues(model.trainableWeights);
  const spec = freezeSpecOf(options);
  const report = isEmptyFreezeSpec(spec) ? undefined : freeze(model, spec);
  return {
    model,
    preprocessing,
    trainableVariablesBefore,
    trainableVariablesAfter: model.trainableWeights.length,
    trainableParamsBefore,
    trainableParamsAfter: countValues(model.trainableWeights),
    frozenLayers: report?.layers ?? [],
    freeze: report,
    weights,
  };
}

/** One line for logs and the CLI: what was frozen, in parameters and weight variables. */
export function describeFreezing(t: TransferModel): string {
  return t.freeze?.description ?? 'nothing frozen';
}
