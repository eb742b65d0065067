import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { augmentDataset, parseAugmentation } from '../data/augment/index.js';
import { imageDatasetSplitsFromDirectory } from '../data/from-directory.js';
import type { ColorMode, ImageDataset } from '../data/types.js';
import { initBackend } from '../engine/backend.js';
import { VisionlabError } from '../errors.js';
import { freeze, type FreezeReport } from '../freeze/index.js';
import { getModel } from '../models/registry.js';
import { buildSmallCnn } from '../models/small-cnn.js';
import { buildTransferModel, NSFWJS_BACKBONE } from '../models/transfer.js';
import type { PreprocessMode } from '../models/types.js';
import { preprocessDataset } from './preprocess-dataset.js';
import type { Callback } from './callbacks/callback.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { cosineDecay, LearningRateScheduler } from './callbacks/learning-rate-scheduler.js';
import { ReduceLROnPlateau } from './callbacks/reduce-lr-on-plateau.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import type { TrainConfig } from './config.js';
import { fit, type FitResult } from './fit.js';
import { saveModel } from './model-io.js';
import { makeOptimizer } from './optimizers.js';
import { packageRoot } from './package-root.js';
import { setRandomSeed } from './random.js';
import { RunFolderCallback, type CurvesWriter } from './run-callback.js';
import { RUN_FILES, summariseSplit, writeJsonAtomic, writeStatus, type DatasetRecord } from './run-folder.js';
import type { RunState } from './types.js';

export interface TrainRunHooks {
  /** Draws `curves.svg`/`curves.png` after each epoch (the report module's `writeCurves`). */
  writeCurves?: CurvesWriter;
  /** Where progress lines go; default console.log. */
  log?: (line: string) => void;
  /**
   * Finds the learning rate for `learningRate: 'auto'` (the tune module's `lrFindHook`): gets the
   * built, frozen model and the preprocessed training data, must leave the weights as it found them,
   * and returns the rate.
   */
  findLearningRate?: (args: FindLearningRateArgs) => Promise<number>;
}

export interface FindLearningRateArgs {
  model: tfl.LayersModel;
  train: ImageDataset;
  optimizer: { name: TrainConfig['optimizer']; momentum?: number };
  runDir: string;
  seed: number;
  log: (line: string) => void;
}

export interface TrainRunResult extends FitResult {
  runDir: string;
  config: TrainConfig;
  freeze?: FreezeReport;
}

const RUN_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** `<runsDir>/<name>`, refusing names that could leave `runsDir`. */
export function runDirectory(runsDir: string, name: string): string {
  if (!RUN_NAME.test(name) || name.includes('..')) {
    throw new VisionlabError(
      `"${name}" is not a valid run name`,
      'Run names use letters, digits, ".", "_" and "-" only, and do not start with a dot.',
    );
  }
  return path.resolve(runsDir, name);
}

function colorModeFor(channels: number): ColorMode {
  if (channels === 1) return 'grayscale';
  if (channels === 4) return 'rgba';
  return 'rgb';
}

interface BuiltModel {
  model: tfl.LayersModel;
  preprocessing: PreprocessMode;
  inputShape: [number, number, number];
  /** Where the weights came from, for transfer models. */
  weights?: string;
}

/** `--pretrained`, `--head` or the bundled pretrained backbone: the Keras transfer recipe (backbone → GAP → Dropout → Dense). */
function wantsTransfer(config: TrainConfig): boolean {
  const name = config.model.trim().toLowerCase().replace(/-/g, '_');
  return config.pretrained !== undefined || config.head !== undefined || name === NSFWJS_BACKBONE;
}

async function buildModelFor(
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
  const name = config.model.trim().toLowerCase().replace(/-/g, '_');
  if (name === 'small_cnn') {
    return { model: buildSmallCnn({ inputShape, classes }), preprocessing: 'raw', inputShape };
  }
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

function defaultInputShape(config: TrainConfig): [number, number, number] {
  if (config.inputShape) return config.inputShape;
  const name = config.model.trim().toLowerCase().replace(/-/g, '_');
  const base: [number, number, number] =
    name === 'small_cnn'
      ? [28, 28, 1]
      : name === NSFWJS_BACKBONE
        ? [224, 224, 3]
        : getModel(config.model).defaultInputShape;
  const [h, w] = config.imageSize ?? [base[0], base[1]];
  const channels = config.colorMode ? { grayscale: 1, rgb: 3, rgba: 4 }[config.colorMode] : base[2];
  return [h, w, channels];
}

function buildCallbacks(config: TrainConfig, learningRate: number | undefined): Callback[] {
  const callbacks: Callback[] = [];
  if (config.terminateOnNaN) callbacks.push(new TerminateOnNaN());
  if (config.lrSchedule && config.lrSchedule.type === 'cosine') {
    const s = config.lrSchedule;
    const peak = learningRate ?? 0.001;
    callbacks.push(
      new LearningRateScheduler(
        cosineDecay({
          initialLearningRate: s.warmupEpochs > 0 ? peak * s.warmupFrom : peak,
          warmupTarget: peak,
          warmupEpochs: s.warmupEpochs,
          decayEpochs: s.decayEpochs ?? Math.max(1, config.epochs - s.warmupEpochs),
          alpha: s.alpha,
        }),
      ),
    );
  }
  if (config.reduceLr) callbacks.push(new ReduceLROnPlateau(config.reduceLr));
  if (config.earlyStopping) callbacks.push(new EarlyStopping(config.earlyStopping));
  return callbacks;
}

function classWeights(config: TrainConfig, train: ImageDataset): Record<number, number> | undefined {
  const cw = config.classWeight;
  if (!cw) return undefined;
  const counts = new Array(train.classNames.length).fill(0);
  train.labels.forEach((l) => counts[l]++);
  if (cw === 'balanced') {
    // scikit-learn's "balanced": n / (classes × count).
    return Object.fromEntries(counts.map((c, i) => [i, c > 0 ? train.length / (counts.length * c) : 0]));
  }
  const out: Record<number, number> = {};
  for (const [key, value] of Object.entries(cw)) {
    const index = /^\d+$/.test(key) ? Number(key) : train.classNames.indexOf(key);
    if (index < 0 || index >= train.classNames.length) {
      throw new VisionlabError(
        `classWeight names "${key}", which is not a class (${train.classNames.join(', ')})`,
      );
    }
    out[index] = value;
  }
  return out;
}

/** GoogLeNet's weights: the main output 1, each auxiliary classifier 0.3 (Szegedy et al. 2014). */
function auxiliaryLossWeights(outputs: number): number[] {
  return Array.from({ length: outputs }, (_, i) => (i === 0 ? 1 : 0.3));
}

/**
 * `visionlab train` as a library call: reads the class folders, splits train/validation/test from
 * the seed, builds the model, trains with the configured callbacks and writes the run folder
 * (config.json, status.json, history.csv, dataset.json, model/, checkpoint/, curves via the hook).
 * With `resume`, continues the run in `resume` (a run folder) from its checkpoint.
 */
export async function trainRun(
  config: TrainConfig,
  hooks: TrainRunHooks = {},
  resume?: string,
): Promise<TrainRunResult> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  const backend = await initBackend();
  if (!tf.getKernel('Conv2DBackpropFilter', tf.getBackend())) {
    log(`warning: the ${tf.getBackend()} backend cannot train convolutions here; training on cpu`);
    await tf.setBackend('cpu');
  }
  const dataDir = path.resolve(config.data ?? path.join(packageRoot(), 'examples', 'data'));
  const inputShape = defaultInputShape(config);
  const colorMode = config.colorMode ?? colorModeFor(inputShape[2]);
  setRandomSeed(config.seed);

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
  const classNames = [...splits.train.classNames];
  if (classNames.length < 2) {
    throw new VisionlabError(
      `${dataDir} has only one class (${classNames.join('')})`,
      'A classifier needs at least two class sub-folders.',
    );
  }
  if (splits.train.length === 0)
    throw new VisionlabError(`${dataDir} has no training images after the split`);

  const runDir = resume ?? runDirectory(config.runsDir, config.name ?? `${config.model}-${timestamp()}`);
  if (!resume && existsSync(path.join(runDir, RUN_FILES.config))) {
    throw new VisionlabError(
      `the run folder ${runDir} already exists`,
      'Pick another --name, or --resume it.',
    );
  }

  const built = await buildModelFor(config, classNames.length, inputShape);
  const model = built.model;
  if (built.weights) log(`backbone weights: ${built.weights}`);
  let freezeReport: FreezeReport | undefined;
  const freezeSpec = {
    until: config.freezeUntil,
    names: config.freezeNames ? new RegExp(config.freezeNames) : undefined,
    stages: config.freezeStages,
    blocks: config.freezeBlocks,
  };
  if (Object.values(freezeSpec).some((v) => v !== undefined)) {
    freezeReport = freeze(model, freezeSpec);
    log(freezeReport.description);
  }
  let learningRate: number | undefined;
  if (config.learningRate === 'auto') {
    if (!hooks.findLearningRate) {
      throw new VisionlabError(
        'learningRate "auto" needs a learning-rate finder',
        'Pass hooks.findLearningRate (lrFindHook from the tune module), or give a number.',
      );
    }
    learningRate = await hooks.findLearningRate({
      model,
      train: preprocessDataset(splits.train, built.preprocessing),
      optimizer: { name: config.optimizer, momentum: config.momentum },
      runDir,
      seed: config.seed,
      log,
    });
  } else {
    learningRate = config.learningRate;
  }
  const optimizer = makeOptimizer({
    name: config.optimizer,
    learningRate,
    momentum: config.momentum,
  });

  const startedAt = new Date().toISOString();
  const effective = {
    ...config,
    ...(learningRate !== undefined ? { learningRate } : {}),
    data: dataDir,
    runsDir: path.resolve(config.runsDir),
    imageSize: [inputShape[0], inputShape[1]],
    inputShape,
    colorMode,
    classNames,
    labelMode: 'int',
    preprocessing: built.preprocessing,
    backend: tf.getBackend() ?? backend.name,
    createdAt: startedAt,
  };
  const dataset: DatasetRecord = {
    source: dataDir,
    classNames,
    imageShape: [...splits.train.imageShape] as [number, number, number],
    colorMode,
    splits: {
      train: summariseSplit(splits.train),
      validation: summariseSplit(splits.validation),
      test: summariseSplit(splits.test, true),
    },
  };
  if (!resume) {
    await writeJsonAtomic(path.join(runDir, RUN_FILES.config), effective);
    await writeJsonAtomic(path.join(runDir, RUN_FILES.dataset), dataset);
  }
  const state: RunState = { status: 'running', startedAt, updatedAt: startedAt, epochsCompleted: 0 };
  const runFolder = new RunFolderCallback(runDir, state, hooks.writeCurves);
  const callbacks = [...buildCallbacks(config, learningRate), runFolder];

  log(`run folder: ${runDir}`);
  log(
    `data: ${dataDir} (${classNames.join(', ')}): ${splits.train.length} train, ${splits.validation.length} validation, ${splits.test.length} test`,
  );
  const augmentation = config.augment ? parseAugmentation(config.augment, config.seed) : undefined;
  if (augmentation && !augmentation.isEmpty) log(`augmentation: ${augmentation.describe()}`);
  const train =
    augmentation && !augmentation.isEmpty ? augmentDataset(splits.train, augmentation) : splits.train;
  let result: FitResult;
  try {
    result = await fit(model, preprocessDataset(train, built.preprocessing), {
      epochs: config.epochs,
      optimizer,
      validationData:
        splits.validation.length > 0 ? preprocessDataset(splits.validation, built.preprocessing) : undefined,
      classWeight: classWeights(config, splits.train),
      lossWeights: model.outputs.length > 1 ? auxiliaryLossWeights(model.outputs.length) : undefined,
      callbacks,
      verbose: config.verbose,
      checkpointFile: config.checkpoint ? path.join(runDir, RUN_FILES.checkpoint) : undefined,
      resume: resume !== undefined,
    });
  } catch (err) {
    await writeStatus(runDir, {
      ...state,
      status: 'failed',
      updatedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      message: (err as Error).message,
    });
    throw err;
  }
  const exportModel =
    model.outputs.length > 1
      ? tfl.model({ inputs: model.inputs, outputs: model.outputs[0], name: model.name })
      : model;
  await saveModel(exportModel, path.join(runDir, RUN_FILES.model));
  const ended = new Date().toISOString();
  await runFolder.flush({
    status: result.stopReason === 'interrupted' ? 'stopped' : 'finished',
    endedAt: ended,
    restoredEpoch: result.restoredEpoch,
    message:
      result.stopReason === 'interrupted'
        ? `interrupted; continue with: visionlab train --resume ${runDir}`
        : result.stopReason === 'stopped'
          ? 'stopped early by a callback'
          : undefined,
  });
  for (const cb of callbacks) cb.dispose();
  optimizer.dispose();
  model.dispose();
  return { ...result, runDir, config, freeze: freezeReport };
}
