import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { imageDatasetSplitsFromDirectory } from '../data/from-directory.js';
import { colorModeOf } from '../data/decode-options.js';
import type { ColorMode } from '../data/types.js';
import { initBackend, type BackendInfo } from '../engine/backend.js';
import { VisionlabError } from '../errors.js';
import { freeze, type FreezeReport, type FreezeSpec } from '../freeze/index.js';
import { getModel } from '../models/registry.js';
import { buildTransferModel } from '../models/transfer.js';
import type { PreprocessMode } from '../models/types.js';
import type { TrainConfig } from './config.js';
import { loadModel } from './model-io.js';
import { packageRoot } from './package-root.js';
import { setRandomSeed } from './random.js';

export type TrainingSplits = Awaited<ReturnType<typeof imageDatasetSplitsFromDirectory>>;

/** The colour mode that fills a model input of `channels` channels (rgb unless 1 or 4). */
export function colorModeFor(channels: number): ColorMode {
  return colorModeOf(channels) ?? 'rgb';
}

export interface BuiltModel {
  model: tfl.LayersModel;
  preprocessing: PreprocessMode;
  inputShape: [number, number, number];
  /** Where the weights came from, for transfer models. */
  weights?: string;
}

/** `--pretrained`, `--head` or a backbone-only zoo entry: the Keras transfer recipe (backbone → GAP → Dropout → Dense). */
function wantsTransfer(config: TrainConfig): boolean {
  return (
    config.pretrained !== undefined ||
    config.head !== undefined ||
    getModel(config.model).defaultClasses === 0
  );
}

export async function buildModelFor(
  config: TrainConfig,
  classes: number,
  inputShape: [number, number, number],
): Promise<BuiltModel> {
  if (!wantsTransfer(config)) return buildNamedModel(config, classes, inputShape);
  const binary = classes <= 2;
  const pretrained = config.pretrained === 'none' ? null : config.pretrained;
  const built = await buildTransferModel({
    backbone: config.model,
    inputShape,
    pretrained,
    dropout: config.head?.dropout ?? 0.3,
    units: config.head?.units ?? (binary ? 1 : classes),
    activation: config.head?.activation ?? (binary ? 'sigmoid' : 'softmax'),
  });
  return {
    model: built.model,
    preprocessing: built.preprocessing,
    inputShape,
    weights: built.weights.description,
  };
}

function buildNamedModel(
  config: TrainConfig,
  classes: number,
  inputShape: [number, number, number],
): BuiltModel {
  const spec = getModel(config.model);
  const binary = classes <= 2;
  const model = spec.build({
    inputShape,
    classes: binary ? 1 : classes,
    classifierActivation: binary ? 'sigmoid' : 'softmax',
    auxiliaryOutputs: true,
  });
  return { model, preprocessing: spec.preprocessing, inputShape };
}

export function defaultInputShape(config: TrainConfig): [number, number, number] {
  if (config.inputShape) return config.inputShape;
  const base = getModel(config.model).defaultInputShape;
  const [h, w] = config.imageSize ?? [base[0], base[1]];
  const channels = config.colorMode ? { grayscale: 1, rgb: 3, rgba: 4 }[config.colorMode] : base[2];
  return [h, w, channels];
}

/** The train/validation/test splits of `visionlab train`, checked to hold two classes and training images. */
export async function loadTrainingSplits(
  config: TrainConfig,
  dataDir: string,
  inputShape: [number, number, number],
  colorMode: ColorMode,
  log: (line: string) => void,
): Promise<TrainingSplits> {
  const splits = await imageDatasetSplitsFromDirectory(dataDir, {
    imageSize: [inputShape[0], inputShape[1]],
    colorMode,
    labelMode: 'int',
    batchSize: config.batchSize,
    seed: config.seed,
    validationSplit: config.validationSplit,
    testSplit: config.testSplit,
    cacheDir: config.cacheDir ? path.resolve(config.cacheDir) : undefined,
    onWarning: (m) => log(`warning: ${m}`),
  });
  const classNames = splits.train.classNames;
  if (classNames.length < 2) {
    throw new VisionlabError(
      `${dataDir} has only one class (${classNames.join('')})`,
      'A classifier needs at least two class sub-folders.',
    );
  }
  if (splits.train.length === 0)
    throw new VisionlabError(`${dataDir} has no training images after the split`);

  return splits;
}

/** The freeze spec of a training config (`freezeUntil`, `freezeNames`, `freezeStages`, `freezeBlocks`, `freezeKinds`), or undefined. */
export function freezeSpecOf(config: TrainConfig): FreezeSpec | undefined {
  const spec: FreezeSpec = {
    until: config.freezeUntil,
    names: config.freezeNames ? new RegExp(config.freezeNames) : undefined,
    stages: config.freezeStages,
    blocks: config.freezeBlocks,
    kinds: config.freezeKinds,
  };
  return Object.values(spec).some((v) => v !== undefined) ? spec : undefined;
}

/** Freezes what the config asks for; undefined when it asks for nothing. */
export function freezeFromConfig(model: tfl.LayersModel, config: TrainConfig): FreezeReport | undefined {
  const spec = freezeSpecOf(config);
  return spec ? freeze(model, spec) : undefined;
}

/** The project's backend, falling back to `cpu` (and saying so) where it cannot train convolutions. */
export async function initTrainingBackend(log: (line: string) => void): Promise<BackendInfo> {
  const backend = await initBackend();
  if (!tf.getKernel('Conv2DBackpropFilter', tf.getBackend())) {
    log(`warning: the ${tf.getBackend()} backend cannot train convolutions here; training on cpu`);
    await tf.setBackend('cpu');
  }
  return backend;
}

export interface TrainingData {
  dataDir: string;
  inputShape: [number, number, number];
  colorMode: ColorMode;
  splits: TrainingSplits;
  classNames: string[];
}

/** Seeds the run and reads the config's data: the folder, the model's input shape, the three splits. */
export async function loadTrainingData(
  config: TrainConfig,
  log: (line: string) => void,
): Promise<TrainingData> {
  const dataDir = path.resolve(config.data ?? path.join(packageRoot(), 'examples', 'data'));
  const inputShape = defaultInputShape(config);
  const colorMode = config.colorMode ?? colorModeFor(inputShape[2]);
  setRandomSeed(config.seed);
  const splits = await loadTrainingSplits(config, dataDir, inputShape, colorMode, log);
  return { dataDir, inputShape, colorMode, splits, classNames: [...splits.train.classNames] };
}

/** Copies the weights of a saved model (a run's `model/` folder) into `model`, in layer order. */
export async function loadInitialWeights(model: tfl.LayersModel, dir: string): Promise<void> {
  const saved = await loadModel(path.resolve(dir)).catch((err: Error) => {
    throw new VisionlabError(
      `cannot read the initial weights in ${dir}: ${err.message.split('\n')[0]}`,
      "Pass a folder written by saveModel (a run folder's model/).",
    );
  });
  try {
    // Layer by layer: a model's flat weight list puts frozen layers' weights last, so its order depends on freezing.
    const pairs = saved.layers.flatMap((layer, i) =>
      layer.weights.map((w, j) => [w, model.layers[i]?.weights[j]] as const),
    );
    const modelCount = model.layers.reduce((n, l) => n + l.weights.length, 0);
    if (saved.layers.length !== model.layers.length || pairs.length !== modelCount) {
      throw new VisionlabError(
        `${dir} holds ${pairs.length} weights in ${saved.layers.length} layers, the model ${modelCount} in ${model.layers.length}`,
        'Start from a model of the same architecture.',
      );
    }
    for (const [from, to] of pairs) {
      if (!to || from.shape.join('×') !== to.shape.join('×')) {
        throw new VisionlabError(
          `weight ${from.name} of ${dir} is ${from.shape.join('×')}, the model's ${to?.shape.join('×') ?? 'nothing'}`,
        );
      }
    }
    for (const [from, to] of pairs) to!.write(from.read().clone());
  } finally {
    saved.dispose();
  }
}
