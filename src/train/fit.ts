import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Batch, ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import { Callback, type Logs, type TrainingContext } from './callbacks/callback.js';
import { ProgbarLogger } from './callbacks/progbar-logger.js';
import { defaultLossFor, perExampleCorrect, perExampleLoss, type LossName } from './losses.js';
import { selectTrainStep } from './train-step.js';
import { getLearningRate, makeOptimizer, type OptimizerName, type OptimizerSpec } from './optimizers.js';
import { setRandomState } from './random.js';
import { splitValidation } from './validation-split.js';
import {
  loadTrainingState,
  saveTrainingState,
  type EpochTotals,
  type TrainingCheckpoint,
} from './training-state.js';
import type { EpochRecord } from './types.js';

export interface FitOptions {
  epochs: number;
  /** An optimizer, or a name/spec built with Keras' defaults; defaults to the compiled model's, else Adam. */
  optimizer?: tf.Optimizer | OptimizerSpec | OptimizerName;
  /** One loss for every output or one per output; defaults to binary (1 unit) or sparse categorical crossentropy. */
  loss?: LossName | LossName[];
  /** Weight of each output's loss in the total (GoogLeNet: `[1, 0.3, 0.3]`), by position or by output name. */
  lossWeights?: number[] | Record<string, number>;
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

interface Totals extends EpochTotals {
  /** Sum over batches of (batch loss × batch size), per output then total at index 0. */
  loss: number[];
  correct: number[];
  count: number;
}

function newTotals(outputs: number): Totals {
  return { loss: new Array(outputs + 1).fill(0), correct: new Array(outputs).fill(0), count: 0 };
}

function asArray(t: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(t) ? t : [t];
}

/** Keras' log names: `loss`, `accuracy`, and per output `<name>_loss`/`<name>_accuracy` when there are several. */
function totalsToLogs(t: Totals, outputNames: string[], prefix = ''): Logs {
  const n = Math.max(1, t.count);
  const logs: Logs = { [`${prefix}loss`]: t.loss[0] / n, [`${prefix}accuracy`]: t.correct[0] / n };
  if (outputNames.length > 1) {
    outputNames.forEach((name, i) => {
      logs[`${prefix}${name}_loss`] = t.loss[i + 1] / n;
      logs[`${prefix}${name}_accuracy`] = t.correct[i] / n;
    });
  }
  return logs;
}

function resolveLossWeights(weights: FitOptions['lossWeights'], outputNames: string[]): number[] {
  if (weights === undefined) return outputNames.map(() => 1);
  if (Array.isArray(weights)) {
    if (weights.length !== outputNames.length) {
      throw new VisionlabError(
        `lossWeights has ${weights.length} entries but the model has ${outputNames.length} outputs (${outputNames.join(', ')})`,
      );
    }
    return weights;
  }
  for (const key of Object.keys(weights)) {
    if (!outputNames.includes(key)) {
      throw new VisionlabError(
        `lossWeights names "${key}", which is not an output (${outputNames.join(', ')})`,
      );
    }
  }
  return outputNames.map((n) => weights[n] ?? 1);
}

function resolveOptimizer(model: LayersModel, spec: FitOptions['optimizer']): tf.Optimizer {
  if (spec === undefined) {
    const compiled = (model as unknown as { optimizer_?: tf.Optimizer }).optimizer_;
    return compiled ?? makeOptimizer('adam');
  }
  if (typeof spec === 'string' || !('minimize' in spec)) return makeOptimizer(spec);
  return spec;
}

/** Output layer names (a Sequential model may not fill `outputNames` until compiled). */
function outputNamesOf(model: LayersModel): string[] {
  const names = model.outputNames;
  if (Array.isArray(names) && names.length === model.outputs.length) return names;
  return model.outputs.map((o) => o.sourceLayer.name);
}

function outputUnits(model: LayersModel): number[] {
  return model.outputs.map((o) => o.shape[o.shape.length - 1] ?? 1);
}

/** Class index of each example of the batch, from the dataset's labels. */
function batchLabels(dataset: ImageDataset, batch: Batch): tf.Tensor1D {
  const labels = new Int32Array(batch.indices.length);
  for (let i = 0; i < labels.length; i++) labels[i] = dataset.labels[batch.indices[i]];
  return tf.tensor1d(labels, 'int32');
}

/**
 * One turn of the event loop. A batch's awaits resolve as microtasks, and signal handlers run only when the
 * loop turns: without this, Ctrl-C waited for the next file read, several batches later.
 */
function letSignalsIn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function disposeBatch(batch: Batch): void {
  batch.x.dispose();
  batch.y?.dispose();
}

function evalStep(
  model: LayersModel,
  x: tf.Tensor,
  labels: tf.Tensor1D,
  losses: LossName[],
  lossWeights: number[],
) {
  return tf.tidy(() => {
    const outputs = asArray(model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[]);
    const parts = outputs.map((out, i) => tf.mean(perExampleLoss(losses[i], out, labels)) as tf.Scalar);
    const corrects = outputs.map((out) => tf.sum(perExampleCorrect(out, labels)) as tf.Scalar);
    let total = tf.scalar(0);
    parts.forEach((p, i) => (total = tf.add(total, tf.mul(p, lossWeights[i]))));
    for (const reg of model.calculateLosses()) total = tf.add(total, reg);
    return tf.stack([total, ...parts, ...corrects]) as tf.Tensor1D;
  });
}

function accumulate(
  totals: Totals,
  values: Float32Array | Int32Array | Uint8Array,
  size: number,
  outputs: number,
): void {
  for (let i = 0; i <= outputs; i++) totals.loss[i] += values[i] * size;
  for (let i = 0; i < outputs; i++) totals.correct[i] += values[1 + outputs + i];
  totals.count += size;
}

/** Loss and accuracy of `model` over `dataset` (Keras' `evaluate`), with the `val_` prefix when asked. */
export async function evaluateLosses(
  model: LayersModel,
  dataset: ImageDataset,
  options: { loss?: LossName | LossName[]; lossWeights?: FitOptions['lossWeights']; prefix?: string } = {},
): Promise<Logs> {
  const outputNames = outputNamesOf(model);
  const losses = resolveLosses(model, options.loss);
  const lossWeights = resolveLossWeights(options.lossWeights, outputNames);
  const totals = newTotals(outputNames.length);
  for await (const batch of dataset.batches(0)) {
    const labels = batchLabels(dataset, batch);
    const packed = evalStep(model, batch.x, labels, losses, lossWeights);
    accumulate(totals, await packed.data(), batch.indices.length, outputNames.length);
    tf.dispose([packed, labels]);
    disposeBatch(batch);
  }
  return totalsToLogs(totals, outputNames, options.prefix ?? '');
}

function resolveLosses(model: LayersModel, loss: FitOptions['loss']): LossName[] {
  const units = outputUnits(model);
  if (loss === undefined) return units.map(defaultLossFor);
  if (typeof loss === 'string') return units.map(() => loss);
  if (loss.length !== units.length) {
    throw new VisionlabError(`loss lists ${loss.length} losses but the model has ${units.length} outputs`);
  }
  return loss;
}

function sampleWeightsFor(
  dataset: ImageDataset,
  batch: Batch,
  classWeight: Record<number, number> | undefined,
): tf.Tensor1D | undefined {
  if (!classWeight) return undefined;
  const w = new Float32Array(batch.indices.length);
  for (let i = 0; i < w.length; i++) w[i] = classWeight[dataset.labels[batch.indices[i]]] ?? 1;
  return tf.tensor1d(w);
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
  const verbose =
    options.verbose === 'auto' || options.verbose === undefined
      ? process.stdout.isTTY
        ? 1
        : 2
      : options.verbose;
  const callbacks: Callback[] = [];
  if (verbose > 0) callbacks.push(new ProgbarLogger({ live: verbose === 1 }));
  callbacks.push(...(options.callbacks ?? []));

  const context: TrainingContext = {
    model,
    optimizer,
    stopTraining: false,
    epochs: options.epochs,
    steps: train.numBatches(),
    history: [],
    log: (line) => console.log(line),
  };
  for (const cb of callbacks) cb.setContext(context);

  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
  };
  const signals =
    options.interruptSignals ?? (options.checkpointFile ? (['SIGINT', 'SIGTERM'] as NodeJS.Signals[]) : []);
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    context.log(
      `\n${signal}: finishing the current batch, then writing a checkpoint (send it again to quit at once)`,
    );
    interrupt();
  };
  for (const s of signals) process.on(s, onSignal);
  options.abortSignal?.addEventListener('abort', interrupt);

  let startEpoch = 0;
  let skipBatches = 0;
  let resumedTotals: Totals | undefined;
  let pendingRandomState: number | undefined;
  for (const cb of callbacks) await cb.onTrainBegin();
  if (options.resume) {
    if (!options.checkpointFile) throw new VisionlabError('resume needs a checkpoint file');
    const restored: TrainingCheckpoint = await loadTrainingState(
      options.checkpointFile,
      model,
      optimizer,
      callbacks,
    );
    startEpoch = restored.epoch;
    skipBatches = restored.batch;
    resumedTotals = restored.totals as Totals | undefined;
    context.history.push(...restored.history);
    pendingRandomState = restored.random;
  }

  const save = (epoch: number, batch: number, totals?: Totals) =>
    options.checkpointFile
      ? saveTrainingState(options.checkpointFile, {
          model,
          optimizer,
          callbacks,
          epoch,
          batch,
          totals,
          history: context.history,
        })
      : Promise.resolve();

  const selected = selectTrainStep({ model, optimizer, varList, losses, lossWeights }, options.plannedStep);
  if (verbose > 0) context.log(selected.summary);
  let stopReason: StopReason = 'completed';
  try {
    for (let epoch = startEpoch; epoch < options.epochs; epoch++) {
      if (context.stopTraining) break;
      if (interrupted) {
        await save(epoch, 0);
        stopReason = 'interrupted';
        break;
      }
      for (const cb of callbacks) await cb.onEpochBegin(epoch);
      const totals = resumedTotals ?? newTotals(outputNames.length);
      resumedTotals = undefined;
      let batchIndex = 0;
      for await (const batch of train.batches(epoch)) {
        if (batchIndex < skipBatches) {
          disposeBatch(batch);
          batchIndex++;
          continue;
        }
        if (pendingRandomState !== undefined) {
          setRandomState(pendingRandomState);
          pendingRandomState = undefined;
        }
        for (const cb of callbacks) await cb.onBatchBegin(batchIndex);
        const labels = batchLabels(train, batch);
        const sampleWeights = sampleWeightsFor(train, batch, options.classWeight);
        const packed = selected.step(batch.x, labels, sampleWeights);
        const values = await packed.data();
        const size = batch.indices.length;
        tf.dispose([packed, labels, ...(sampleWeights ? [sampleWeights] : [])]);
        disposeBatch(batch);
        accumulate(totals, values, size, outputNames.length);
        const batchLogs = { ...totalsToLogs(totals, outputNames), batch: batchIndex, size };
        for (const cb of callbacks) await cb.onBatchEnd(batchIndex, batchLogs);
        batchIndex++;
        if (signals.length > 0) await letSignalsIn();
        if (interrupted || context.stopTraining) break;
      }
      skipBatches = 0;
      if (pendingRandomState !== undefined) {
        setRandomState(pendingRandomState);
        pendingRandomState = undefined;
      }
      if (interrupted) {
        await save(epoch, batchIndex, totals);
        stopReason = 'interrupted';
        break;
      }
      const logs: Logs = totalsToLogs(totals, outputNames);
      if (validationData) {
        Object.assign(
          logs,
          await evaluateLosses(model, validationData, { loss: losses, lossWeights, prefix: 'val_' }),
        );
      }
      logs.lr = getLearningRate(optimizer);
      context.history.push({ epoch: epoch + 1, ...logs } as EpochRecord);
      for (const cb of callbacks) await cb.onEpochEnd(epoch, logs);
      await save(epoch + 1, 0);
    }
    if (stopReason === 'completed' && context.stopTraining) stopReason = 'stopped';
  } finally {
    for (const s of signals) process.off(s, onSignal);
    options.abortSignal?.removeEventListener('abort', interrupt);
  }
  const last = context.history[context.history.length - 1];
  for (const cb of callbacks) await cb.onTrainEnd(last ? { ...last } : undefined);
  return { history: context.history, stopReason, restoredEpoch: context.restoredEpoch };
}
