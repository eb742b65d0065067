import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import type { Callback, Logs, TrainingContext } from './callbacks/callback.js';
import { CallbackList } from './callbacks/callback-list.js';
import { ProgbarLogger } from './callbacks/progbar-logger.js';
import { accumulate, totalsToLogs } from './epoch-totals.js';
import { evaluateLosses } from './evaluate-losses.js';
import {
  batchLabels,
  disposeBatch,
  outputNamesOf,
  resolveLosses,
  resolveLossWeights,
  resolveOptimizer,
  resolveVerbose,
  sampleWeightsFor,
  type LossWeights,
} from './fit-setup.js';
import { InterruptRequest } from './interrupt.js';
import type { LossName } from './losses.js';
import { getLearningRate, type OptimizerName, type OptimizerSpec } from './optimizers.js';
import { selectTrainStep } from './train-step.js';
import { TrainingState, type TrainingParts } from './training-state.js';
import { splitValidation } from './validation-split.js';
import type { EpochRecord } from './types.js';

export interface FitOptions {
  epochs: number;
  /** An optimizer, or a name/spec built with Keras' defaults; defaults to the compiled model's, else Adam. */
  optimizer?: tf.Optimizer | OptimizerSpec | OptimizerName;
  /** One loss for every output or one per output; defaults to binary (1 unit) or sparse categorical crossentropy. */
  loss?: LossName | LossName[];
  /** Weight of each output's loss in the total (GoogLeNet: `[1, 0.3, 0.3]`), by position or by output name. */
  lossWeights?: LossWeights;
  /** Weight of each class in the training loss, e.g. `{0: 1, 1: 4.5}` for imbalanced data. */
  classWeight?: Record<number, number>;
  validationData?: ImageDataset;
  /** Hold out the examples with the last fraction of dataset indices for validation (Keras' `validation_split`). */
  validationSplit?: number;
  callbacks?: Callback[];
  /** 0 silent, 1 progress bar, 2 one line per epoch; `auto` is 1 in a terminal and 2 otherwise. */
  verbose?: 0 | 1 | 2 | 'auto';
  /** Writes a checkpoint here after every epoch and when interrupted. */
  checkpointFile?: string;
  /** Continue from `checkpointFile` instead of starting over. */
  resume?: boolean;
  /**
   * Signals that end training after the current batch, writing a checkpoint first; a second signal
   * exits at once. Defaults to SIGINT and SIGTERM when `checkpointFile` is set.
   */
  interruptSignals?: NodeJS.Signals[];
  /** Aborting it ends training after the current batch, like an interrupt signal. */
  abortSignal?: AbortSignal;
  /** Run the native planned step where the model allows it (default true; `VISIONLAB_PLAN=off` also turns it off). */
  plannedStep?: boolean;
}

export type StopReason = 'completed' | 'stopped' | 'interrupted';

export interface FitResult {
  history: EpochRecord[];
  /** `completed`: all epochs ran; `stopped`: a callback ended training; `interrupted`: a signal did (a checkpoint holds the state). */
  stopReason: StopReason;
  /** The 1-based epoch whose weights the model holds when EarlyStopping restored the best ones. */
  restoredEpoch?: number;
}

/**
 * Keras' `model.fit` over an `ImageDataset`, with a loop visionlab controls: exact resume from a
 * checkpoint, interruption after the current batch, callbacks with Keras semantics, several outputs
 * with `lossWeights`, class weights, and BatchNormalization in frozen layers left in inference mode.
 */
export async function fit(model: LayersModel, data: ImageDataset, options: FitOptions): Promise<FitResult> {
  if (data.length === 0) throw new VisionlabError('the training dataset is empty');
  if (options.validationSplit !== undefined && options.validationData) {
    throw new VisionlabError('pass validationData or validationSplit, not both');
  }
  const split =
    options.validationSplit !== undefined ? splitValidation(data, options.validationSplit) : undefined;
  const train = split?.train ?? data;
  const validationData = split?.validation ?? options.validationData;
  const optimizer = resolveOptimizer(model, options.optimizer);
  const outputNames = outputNamesOf(model);
  const losses = resolveLosses(model, options.loss);
  const lossWeights = resolveLossWeights(options.lossWeights, outputNames);
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (varList.length === 0) {
    throw new VisionlabError('the model has no trainable weights', 'Unfreeze some layers before training.');
  }
  const verbose = resolveVerbose(options.verbose);
  const context: TrainingContext = {
    model,
    optimizer,
    stopTraining: false,
    epochs: options.epochs,
    steps: train.numBatches(),
    history: [],
    log: (line) => console.log(line),
  };
  const callbacks = new CallbackList(
    [...(verbose > 0 ? [new ProgbarLogger({ live: verbose === 1 })] : []), ...(options.callbacks ?? [])],
    context,
  );
  const parts: TrainingParts = { model, optimizer, callbacks: callbacks.callbacks };
  const checkpointFile = options.checkpointFile;
  const interrupt = new InterruptRequest(
    options.interruptSignals ?? (checkpointFile ? ['SIGINT', 'SIGTERM'] : []),
    options.abortSignal,
    context.log,
  );

  const selected = selectTrainStep({ model, optimizer, varList, losses, lossWeights }, options.plannedStep);
  if (verbose > 0) context.log(selected.summary);
  let stopReason: StopReason = 'completed';
  let state = new TrainingState(outputNames.length, context.history);
  try {
    await callbacks.onTrainBegin();
    if (options.resume) {
      if (!checkpointFile) throw new VisionlabError('resume needs a checkpoint file');
      state = await TrainingState.restore(checkpointFile, parts, outputNames.length, context.history);
    }
    const save = () => (checkpointFile ? state.save(checkpointFile, parts) : Promise.resolve());

    while (state.epoch < options.epochs && !context.stopTraining) {
      const epoch = state.epoch;
      if (interrupt.requested) {
        await save();
        stopReason = 'interrupted';
        break;
      }
      await callbacks.onEpochBegin(epoch);
      state.beginEpoch();
      for await (const batch of train.batches(epoch)) {
        if (state.skipsBatch()) {
          disposeBatch(batch);
          continue;
        }
        const batchIndex = state.batch;
        await callbacks.onBatchBegin(batchIndex);
        const labels = batchLabels(train, batch);
        const sampleWeights = sampleWeightsFor(train, batch, options.classWeight);
        const packed = selected.step(batch.x, labels, sampleWeights);
        const values = await packed.data();
        const size = batch.indices.length;
        tf.dispose([packed, labels, ...(sampleWeights ? [sampleWeights] : [])]);
        disposeBatch(batch);
        accumulate(state.totals, values, size, outputNames.length);
        state.batch++;
        await callbacks.onBatchEnd(batchIndex, {
          ...totalsToLogs(state.totals, outputNames),
          batch: batchIndex,
          size,
        });
        await interrupt.letSignalsIn();
        if (interrupt.requested || context.stopTraining) break;
      }
      state.endBatches();
      if (interrupt.requested) {
        await save();
        stopReason = 'interrupted';
        break;
      }
      const logs: Logs = totalsToLogs(state.totals, outputNames);
      if (validationData) {
        Object.assign(
          logs,
          await evaluateLosses(model, validationData, { loss: losses, lossWeights, prefix: 'val_' }),
        );
      }
      logs.lr = getLearningRate(optimizer);
      state.endEpoch({ epoch: epoch + 1, ...logs } as EpochRecord);
      await callbacks.onEpochEnd(epoch, logs);
      await save();
    }
    if (stopReason === 'completed' && context.stopTraining) stopReason = 'stopped';
  } finally {
    interrupt.close();
  }
  const last = context.history[context.history.length - 1];
  await callbacks.onTrainEnd(last ? { ...last } : undefined);
  return { history: context.history, stopReason, restoredEpoch: context.restoredEpoch };
}
