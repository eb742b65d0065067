import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import type { Callback } from './callbacks/callback.js';
import {
  disposeCheckpoint,
  readCheckpointFile,
  readCheckpointState,
  writeCheckpointFile,
  type NamedTensors,
} from './checkpoint-file.js';
import { getLearningRate, setLearningRate } from './optimizers.js';
import { newTotals, type EpochTotals } from './epoch-totals.js';
import { getRandomState, setRandomState } from './random.js';
import type { EpochRecord } from './types.js';

/** The JSON half of a training checkpoint. */
export interface TrainingCheckpoint {
  version: 1;
  /** 0-based epoch to continue with. */
  epoch: number;
  /** Batches of that epoch already trained. */
  batch: number;
  totals?: EpochTotals;
  history: EpochRecord[];
  learningRate: number;
  optimizer: string;
  /** State of the seeded `Math.random`, when seeded. */
  random?: number;
  callbacks: Record<string, Record<string, unknown>>;
  savedAt: string;
}

interface SaveArgs {
  model: LayersModel;
  optimizer: tf.Optimizer;
  callbacks: readonly Callback[];
  epoch: number;
  batch: number;
  totals?: EpochTotals;
  history: EpochRecord[];
}

/** Adam keeps β1^t and β2^t in variables; `setWeights` recomputes them with `pow`, which can differ in the last bit. */
interface AdamPowers {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

function weightNames(model: LayersModel): string[] {
  return model.weights.map((w) => w.originalName);
}

/** Writes weights, optimizer slots, callback state, history and random state to one file, atomically. */
export async function saveTrainingState(file: string, args: SaveArgs): Promise<void> {
  const { model, optimizer, callbacks } = args;
  const optimizerWeights = await optimizer.getWeights();
  const adam = optimizer as unknown as AdamPowers;
  const groups: Record<string, NamedTensors> = {
    weights: { names: weightNames(model), tensors: model.weights.map((w) => w.read()) },
    optimizer: { names: optimizerWeights.map((w) => w.name), tensors: optimizerWeights.map((w) => w.tensor) },
  };
  if (adam.accBeta1 && adam.accBeta2) {
    groups.optimizerPowers = { names: ['accBeta1', 'accBeta2'], tensors: [adam.accBeta1, adam.accBeta2] };
  }
  const callbackJson: Record<string, Record<string, unknown>> = {};
  for (const cb of callbacks) {
    const state = cb.getState();
    callbackJson[cb.name] = state.json;
    if (state.tensors?.length) {
      groups[`callback:${cb.name}`] = {
        names: state.tensors.map((_, i) => String(i)),
        tensors: state.tensors,
      };
    }
  }
  const state: TrainingCheckpoint = {
    version: 1,
    epoch: args.epoch,
    batch: args.batch,
    totals: args.totals,
    history: args.history,
    learningRate: getLearningRate(optimizer),
    optimizer: optimizer.getClassName(),
    random: getRandomState(),
    callbacks: callbackJson,
    savedAt: new Date().toISOString(),
  };
  try {
    await writeCheckpointFile(file, { state, groups });
  } finally {
    // The iteration counter is a fresh scalar each call (the other optimizer weights are its live variables).
    optimizerWeights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  }
}

/** The JSON half of a checkpoint file (epoch, batch, history, callbacks' state), without its tensors; null when there is none. */
export function readTrainingCheckpoint(file: string): Promise<TrainingCheckpoint | null> {
  return readCheckpointState<TrainingCheckpoint>(file);
}

/** Loads a checkpoint into `model`, `optimizer` and `callbacks` (after their `onTrainBegin`). */
export async function loadTrainingState(
  file: string,
  model: LayersModel,
  optimizer: tf.Optimizer,
  callbacks: readonly Callback[],
): Promise<TrainingCheckpoint> {
  const content = await readCheckpointFile<TrainingCheckpoint>(file);
  try {
    const { state, groups } = content;
    if (state.optimizer !== optimizer.getClassName()) {
      throw new VisionlabError(
        `the checkpoint ${file} was trained with ${state.optimizer}, not ${optimizer.getClassName()}`,
        'Resume with the optimizer of the original run.',
      );
    }
    const weights = groups.weights;
    if (!weights || weights.tensors.length !== model.weights.length) {
      throw new VisionlabError(
        `the checkpoint ${file} holds ${weights?.tensors.length ?? 0} weights, the model ${model.weights.length}`,
        'Resume with the same model and options as the original run.',
      );
    }
    model.weights.forEach((w, i) => {
      const t = weights.tensors[i];
      if (!tf.util.arraysEqual(w.shape as number[], t.shape)) {
        throw new VisionlabError(
          `checkpoint weight ${weights.names[i]} has shape [${t.shape}], the model's ${w.originalName} [${w.shape}]`,
          'Resume with the same model and options as the original run.',
        );
      }
    });
    model.weights.forEach((w, i) => w.write(weights.tensors[i]));
    const opt = groups.optimizer;
    if (opt && opt.tensors.length > 0) {
      await optimizer.setWeights(opt.names.map((name, i) => ({ name, tensor: opt.tensors[i] })));
    }
    const powers = groups.optimizerPowers;
    const adam = optimizer as unknown as AdamPowers;
    if (powers && adam.accBeta1 && adam.accBeta2) {
      adam.accBeta1.assign(powers.tensors[0] as tf.Scalar);
      adam.accBeta2.assign(powers.tensors[1] as tf.Scalar);
    }
    setLearningRate(optimizer, state.learningRate);
    for (const cb of callbacks) {
      const json = state.callbacks[cb.name];
      if (!json) continue;
      const tensors = groups[`callback:${cb.name}`]?.tensors.map((t) => tf.clone(t));
      cb.setState({ json, tensors });
    }
    return state;
  } finally {
    disposeCheckpoint(content);
  }
}

/** The model, optimizer and callbacks whose state a checkpoint holds beside the loop's own. */
export interface TrainingParts {
  model: LayersModel;
  optimizer: tf.Optimizer;
  callbacks: readonly Callback[];
}

/**
 * Where training is: the epoch and batch reached, the running totals of that epoch and the finished epochs'
 * history; saved to and restored from a checkpoint file with the model's, optimizer's, callbacks' and
 * random state. A restored state skips the batches its epoch had already trained and puts the random state
 * back before the first one it trains, so a resumed run draws what an uninterrupted one would have.
 */
export class TrainingState {
  /** 0-based epoch in progress (or next to start). */
  epoch = 0;
  /** Batches of that epoch trained so far. */
  batch = 0;
  totals: EpochTotals;
  private skipBatches = 0;
  private resumedTotals?: EpochTotals;
  private pendingRandomState?: number;

  /** `history` is the array the finished epochs are added to (the callbacks' `context.history`). */
  constructor(
    private readonly outputs: number,
    readonly history: EpochRecord[] = [],
  ) {
    this.totals = newTotals(outputs);
  }

  /** The state a checkpoint holds, its parts (weights, optimizer slots, callbacks) loaded in place. */
  static async restore(
    file: string,
    parts: TrainingParts,
    outputs: number,
    history: EpochRecord[] = [],
  ): Promise<TrainingState> {
    const saved = await loadTrainingState(file, parts.model, parts.optimizer, parts.callbacks);
    const state = new TrainingState(outputs, history);
    state.epoch = saved.epoch;
    state.skipBatches = saved.batch;
    state.resumedTotals = saved.totals;
    state.history.push(...saved.history);
    state.pendingRandomState = saved.random;
    return state;
  }

  /** Starts the epoch `this.epoch`: its totals are a resumed epoch's, else zero. */
  beginEpoch(): void {
    this.totals = this.resumedTotals ?? newTotals(this.outputs);
    this.resumedTotals = undefined;
    this.batch = 0;
  }

  /** True for a batch a resumed epoch had already trained (it is counted, not trained). */
  skipsBatch(): boolean {
    if (this.batch < this.skipBatches) {
      this.batch++;
      return true;
    }
    this.restoreRandomState();
    return false;
  }

  /** After the epoch's batches: nothing more to skip. */
  endBatches(): void {
    this.skipBatches = 0;
    this.restoreRandomState();
  }

  /** Records the finished epoch and moves on to the next. */
  endEpoch(record: EpochRecord): void {
    this.history.push(record);
    this.epoch++;
    this.batch = 0;
  }

  /** Writes the state to `file`: mid-epoch with its totals, between epochs without. */
  async save(file: string, parts: TrainingParts): Promise<void> {
    await saveTrainingState(file, {
      ...parts,
      epoch: this.epoch,
      batch: this.batch,
      totals: this.batch > 0 ? this.totals : undefined,
      history: this.history,
    });
  }

  private restoreRandomState(): void {
    if (this.pendingRandomState === undefined) return;
    setRandomState(this.pendingRandomState);
    this.pendingRandomState = undefined;
  }
}
