import { randomUUID } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { augmentDataset, parseAugmentation } from '../data/augment/index.js';
import type { ImageDataset } from '../data/types.js';
import { initBackend } from '../engine/backend.js';
import { withPrecision } from '../engine/precision.js';
import { VisionlabError } from '../errors.js';
import { splitFrozenPrefix, type FreezeReport } from '../freeze/index.js';
import { preprocessDataset } from './preprocess-dataset.js';
import { checkCheckpointIdentity, dataFingerprint, resumePoint } from './resume-point.js';
import { checkOutputUnits, isModelFile, loadHandBuiltModel } from './hand-built-model.js';
import type { Callback } from './callbacks/callback.js';
import { buildConfiguredCallbacks } from './callbacks/registry.js';
import type { TrainConfig } from './config.js';
import { fit, type FitResult } from './fit.js';
import { frozenFeatures } from './feature-cache.js';
import { PrefixFeatureStore } from './prefix-feature-store.js';
import { saveModel } from './model-io.js';
import { DiscriminativeOptimizer } from './discriminative-optimizer.js';
import { discriminativeGroups } from './layer-groups.js';
import { makeOptimizer, setLearningRate } from './optimizers.js';
import { packageRoot } from './package-root.js';
import { setRandomSeed } from './random.js';
import { RunFolderCallback, type CurvesWriter, type RunIdentity } from './run-callback.js';
import {
  checkRunFolderFree,
  lockRunFolder,
  reserveRunFolder,
  RUN_FILES,
  type RunLock,
  runDirFor,
  summariseSplit,
  writeJsonAtomic,
  writeStatus,
  type DatasetRecord,
} from './run-folder.js';
import {
  buildModelFor,
  colorModeFor,
  defaultInputShape,
  freezeFromConfig,
  loadInitialWeights,
  loadTrainingSplits,
} from './training-setup.js';
import type { RunState } from './types.js';
import { printable } from '../util/printable.js';

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

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** `<runsDir>/<name>`, refusing names that could leave `runsDir`. */
export function runDirectory(runsDir: string, name: string): string {
  return runDirFor(runsDir, name);
}

/** The epoch whose loss is not finite, when training diverged. */
function divergedEpoch(history: readonly Record<string, number>[]): number | undefined {
  const last = history[history.length - 1];
  if (!last) return undefined;
  const bad = !Number.isFinite(last.loss) || ('val_loss' in last && !Number.isFinite(last.val_loss));
  return bad ? last.epoch : undefined;
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
  store: { store: PrefixFeatureStore; preprocessing: string },
): {
  model?: tfl.LayersModel;
  cut?: number;
  origin?: string;
  train: ImageDataset;
  validation?: ImageDataset;
} {
  const split = model ? splitFrozenPrefix(model) : undefined;
  if (!model || !split) return { train, validation };
  const features = (dataset: ImageDataset) =>
    frozenFeatures(model, split, dataset, store.store, store.preprocessing);
  const cachedTrain = features(train);
  return {
    model: split.suffix,
    cut: split.cut,
    origin: cachedTrain.origin,
    train: cachedTrain.dataset,
    validation: validation && features(validation).dataset,
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
  return withPrecision(config.precision, () => trainInPrecision(config, hooks, resume));
}

async function trainInPrecision(
  config: TrainConfig,
  hooks: TrainRunHooks,
  resume?: string,
): Promise<TrainRunResult> {
  const log = hooks.log ?? ((line: string) => console.log(line));
  // Everything that can be refused is checked before the run folder is created or touched.
  // A hand-built model (path/to/model.json) names its runs after its folder.
  const label = isModelFile(config.model)
    ? path.basename(path.dirname(path.resolve(config.model)))
    : config.model;
  const defaultName = `${label.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.]+/, '')}-${timestamp()}`;
  const runDir = resume ?? runDirectory(config.runsDir, config.name ?? defaultName);
  const point = resume ? await resumePoint(runDir) : undefined;
  if (!resume) checkRunFolderFree(runDir);
  const augmentation = config.augment ? parseAugmentation(config.augment, config.seed) : undefined;
  const backend = await initBackend();
  if (!tf.getKernel('Conv2DBackpropFilter', tf.getBackend())) {
    log(`warning: the ${tf.getBackend()} backend cannot train convolutions here; training on cpu`);
    await tf.setBackend('cpu');
  }
  const dataDir = path.resolve(config.data ?? path.join(packageRoot(), 'examples', 'data'));
  const handBuilt = isModelFile(config.model) ? await loadHandBuiltModel(config.model) : undefined;
  const inputShape = handBuilt?.inputShape ?? defaultInputShape(config);
  const colorMode = config.colorMode ?? colorModeFor(inputShape[2]);
  setRandomSeed(config.seed);

  const splits = await loadTrainingSplits(config, dataDir, inputShape, colorMode, log);
  const classNames = [...splits.train.classNames];
  const classWeight = classWeights(config, splits.train);
  const identity: RunIdentity = {
    runId: typeof point?.saved.runId === 'string' ? point.saved.runId : randomUUID(),
    trainData: dataFingerprint(splits.train),
  };
  if (point?.checkpoint) checkCheckpointIdentity(runDir, point.checkpoint, identity);

  if (handBuilt) {
    try {
      checkOutputUnits(handBuilt.model, classNames.length, config.model);
    } catch (err) {
      handBuilt.model.dispose();
      throw err;
    }
  }
  const built = handBuilt
    ? { model: handBuilt.model, preprocessing: 'raw' as const, inputShape, weights: undefined }
    : await buildModelFor(config, classNames.length, inputShape);
  const model = built.model;
  if (built.weights) log(`backbone weights: ${built.weights}`);
  let freezeReport: FreezeReport | undefined;
  try {
    if (config.initialWeights) {
      await loadInitialWeights(model, config.initialWeights);
      log(`initial weights: ${config.initialWeights}`);
    }
    freezeReport = freezeFromConfig(model, config);
  } catch (err) {
    model.dispose();
    throw err;
  }
  if (freezeReport) log(freezeReport.description);
  if (config.learningRate === 'auto' && !hooks.findLearningRate) {
    model.dispose();
    throw new VisionlabError(
      'learningRate "auto" needs a learning-rate finder',
      'Pass hooks.findLearningRate (lrFindHook from the tune module), or give a number.',
    );
  }
  // With "auto", the rate is set once the finder has run (after the run folder is reserved).
  const optimizerSpec = {
    name: config.optimizer,
    learningRate: config.learningRate === 'auto' ? undefined : config.learningRate,
    momentum: config.momentum,
  };
  let optimizer: tf.Optimizer;
  try {
    const lr = config.discriminativeLr;
    const groups = lr ? discriminativeGroups(model, lr) : undefined;
    optimizer = groups ? new DiscriminativeOptimizer(optimizerSpec, groups) : makeOptimizer(optimizerSpec);
    if (lr && groups) {
      log(
        `discriminative learning rates: ${groups.length} groups, ÷${lr.factor} per ${lr.unit.slice(0, -1)} below the head`,
      );
    }
  } catch (err) {
    model.dispose();
    throw err;
  }

  let lock: RunLock;
  try {
    lock = resume ? await lockRunFolder(runDir) : await reserveRunFolder(runDir);
  } catch (err) {
    optimizer.dispose();
    model.dispose();
    throw err;
  }
  try {
    const learningRate =
      config.learningRate === 'auto'
        ? await hooks.findLearningRate!({
            model,
            train: preprocessDataset(splits.train, built.preprocessing),
            optimizer: { name: config.optimizer, momentum: config.momentum },
            runDir,
            seed: config.seed,
            log,
          })
        : config.learningRate;
    if (learningRate !== undefined) setLearningRate(optimizer, learningRate);
    const now = new Date().toISOString();
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
      runId: identity.runId,
      createdAt: typeof point?.saved.createdAt === 'string' ? point.saved.createdAt : now,
    };
    // On resume too: the flags given then (more --epochs) are part of the run's config from now on.
    await writeJsonAtomic(path.join(runDir, RUN_FILES.config), effective);
    // A resumed run keeps its dataset.json; one killed before writing it gets it now.
    if (!point || !existsSync(path.join(runDir, RUN_FILES.dataset))) {
      const dataset: DatasetRecord = {
        source: dataDir,
        classNames,
        imageShape: [...splits.train.imageShape] as [number, number, number],
        colorMode,
        splits: {
          train: summariseSplit(splits.train),
          validation: summariseSplit(splits.validation, true),
          test: summariseSplit(splits.test, true),
        },
      };
      await writeJsonAtomic(path.join(runDir, RUN_FILES.dataset), dataset);
    }
    const state: RunState = {
      status: 'running',
      startedAt: point?.state?.startedAt ?? now,
      ...(point ? { resumedAt: now } : {}),
      updatedAt: now,
      epochsCompleted: 0,
    };
    const runFolder = new RunFolderCallback(runDir, state, hooks.writeCurves, identity);
    const callbacks = [
      ...buildConfiguredCallbacks(config, { epochs: config.epochs, learningRate }),
      ...(hooks.callbacks ?? []),
      runFolder,
    ];

    log(`run folder: ${printable(runDir)}`);
    if (point && !point.checkpoint)
      log('no checkpoint yet (stopped during its first epoch): starting the run over');
    log(
      `data: ${printable(dataDir)} (${classNames.map(printable).join(', ')}): ${splits.train.length} train, ${splits.validation.length} validation, ${splits.test.length} test`,
    );
    if (augmentation && !augmentation.isEmpty) log(`augmentation: ${augmentation.describe()}`);
    const train =
      augmentation && !augmentation.isEmpty ? augmentDataset(splits.train, augmentation) : splits.train;
    const augmented = augmentation !== undefined && !augmentation.isEmpty;
    const fitted = frozenPrefixCache(
      config.frozenPrefixCache && !augmented ? model : undefined,
      preprocessDataset(train, built.preprocessing),
      splits.validation.length > 0 ? preprocessDataset(splits.validation, built.preprocessing) : undefined,
      {
        store: new PrefixFeatureStore({ dir: config.frozenPrefixCacheDir }),
        preprocessing: built.preprocessing,
      },
    );
    if (config.frozenPrefixCache) {
      log(
        fitted.cut
          ? `frozen prefix cached: layers 0–${fitted.cut - 1} run once per image (from ${fitted.origin}), the rest trains`
          : `frozen prefix not cached: ${augmented ? 'augmentation comes before it' : 'no frozen, deterministic prefix'}`,
      );
    }
    let result: FitResult;
    try {
      result = await fit(fitted.model ?? model, fitted.train, {
        epochs: config.epochs,
        optimizer,
        validationData: fitted.validation,
        classWeight,
        lossWeights: model.outputs.length > 1 ? auxiliaryLossWeights(model.outputs.length) : undefined,
        callbacks,
        verbose: config.verbose,
        checkpointFile: config.checkpoint ? path.join(runDir, RUN_FILES.checkpoint) : undefined,
        resume: point?.checkpoint !== undefined,
      });
      const diverged = divergedEpoch(result.history);
      if (diverged !== undefined) {
        throw new VisionlabError(
          `training diverged: the loss is not finite at epoch ${diverged}`,
          `Lower the learning rate (it was ${config.learningRate ?? "the optimizer's default"}); the run keeps no model.`,
        );
      }
    } catch (err) {
      await writeStatus(runDir, {
        ...state,
        status: 'failed',
        updatedAt: new Date().toISOString(),
        endedAt: new Date().toISOString(),
        message: (err as Error).message,
      }).catch(() => undefined);
      for (const cb of callbacks) cb.dispose();
      throw err;
    }
    const exportModel =
      model.outputs.length > 1
        ? tfl.model({ inputs: model.inputs, outputs: model.outputs[0], name: model.name })
        : model;
    await saveModel(exportModel, path.join(runDir, RUN_FILES.model));
    const ended = new Date().toISOString();
    const interrupted = result.stopReason === 'interrupted';
    await runFolder.flush({
      status: interrupted ? 'stopped' : 'finished',
      endedAt: ended,
      restoredEpoch: result.restoredEpoch,
      message: interrupted
        ? `interrupted; continue with: visionlab train --resume ${runDir}`
        : result.stopReason === 'stopped'
          ? 'stopped early by a callback'
          : undefined,
    });
    // A finished run cannot be resumed: its checkpoint (as large as the model and optimizer) goes.
    if (!interrupted)
      await fs.rm(path.join(runDir, RUN_FILES.checkpointDir), { recursive: true, force: true });
    for (const cb of callbacks) cb.dispose();
    return { ...result, runDir, config, freeze: freezeReport };
  } finally {
    await lock.release();
    optimizer.dispose();
    model.dispose();
  }
}
