import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { augmentDataset, parseAugmentation } from '../data/augment/index.js';
import type { ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import { splitFrozenPrefix, type FreezeReport } from '../freeze/index.js';
import { preprocessDataset } from './preprocess-dataset.js';
import type { Callback } from './callbacks/callback.js';
import { EarlyStopping } from './callbacks/early-stopping.js';
import { cosineDecay, LearningRateScheduler } from './callbacks/learning-rate-scheduler.js';
import { ReduceLROnPlateau } from './callbacks/reduce-lr-on-plateau.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import type { TrainConfig } from './config.js';
import { FrozenFeatureDataset } from './feature-cache.js';
import {
  buildModelFor,
  freezeFromConfig,
  initTrainingBackend,
  loadInitialWeights,
  loadTrainingData,
} from './training-setup.js';
import { fit, type FitResult } from './fit.js';
import { saveModel } from './model-io.js';
import { makeOptimizer } from './optimizers.js';
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
  /** More callbacks for the fit, after the configured ones. */
  callbacks?: Callback[];
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

/**
 * With a frozen, deterministic prefix: the trainable part of the model and datasets of the prefix's
 * outputs (computed once per image); otherwise the datasets as they are.
 */
function frozenPrefixCache(
  model: tfl.LayersModel | undefined,
  train: ImageDataset,
  validation: ImageDataset | undefined,
): { model?: tfl.LayersModel; cut?: number; train: ImageDataset; validation?: ImageDataset } {
  const split = model ? splitFrozenPrefix(model) : undefined;
  if (!split) return { train, validation };
  return {
    model: split.suffix,
    cut: split.cut,
    train: new FrozenFeatureDataset(train, split.prefix),
    validation: validation && new FrozenFeatureDataset(validation, split.prefix),
  };
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
  const backend = await initTrainingBackend(log);
  const { dataDir, inputShape, colorMode, splits, classNames } = await loadTrainingData(config, log);

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
  if (config.initialWeights) {
    await loadInitialWeights(model, config.initialWeights);
    log(`initial weights: ${config.initialWeights}`);
  }
  const freezeReport = freezeFromConfig(model, config);
  if (freezeReport) log(freezeReport.description);
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
  const callbacks = [...buildCallbacks(config, learningRate), ...(hooks.callbacks ?? []), runFolder];

  log(`run folder: ${runDir}`);
  log(
    `data: ${dataDir} (${classNames.join(', ')}): ${splits.train.length} train, ${splits.validation.length} validation, ${splits.test.length} test`,
  );
  const augmentation = config.augment ? parseAugmentation(config.augment, config.seed) : undefined;
  if (augmentation && !augmentation.isEmpty) log(`augmentation: ${augmentation.describe()}`);
  const train =
    augmentation && !augmentation.isEmpty ? augmentDataset(splits.train, augmentation) : splits.train;
  const augmented = augmentation !== undefined && !augmentation.isEmpty;
  const fitted = frozenPrefixCache(
    config.frozenPrefixCache && !augmented ? model : undefined,
    preprocessDataset(train, built.preprocessing),
    splits.validation.length > 0 ? preprocessDataset(splits.validation, built.preprocessing) : undefined,
  );
  if (config.frozenPrefixCache) {
    log(
      fitted.cut
        ? `frozen prefix cached: layers 0–${fitted.cut - 1} run once per image, the rest trains`
        : `frozen prefix not cached: ${augmented ? 'augmentation comes before it' : 'no frozen, deterministic prefix'}`,
    );
  }
  let result: FitResult;
  try {
    result = await fit(fitted.model ?? model, fitted.train, {
      epochs: config.epochs,
      optimizer,
      validationData: fitted.validation,
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
