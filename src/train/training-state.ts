import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import type { Callback } from './callbacks/callback.js';
import {
  disposeCheckpoint,
  readCheckpointFile,
  writeCheckpointFile,
  type NamedTensors,
} from './checkpoint-file.js';
import { getLearningRate, setLearningRate } from './optimizers.js';
import { getRandomState } from './random.js';
import type { EpochRecord } from './types.js';

/** Running sums of a partly trained epoch, so a resumed epoch logs the same loss as an uninterrupted one. */
export interface EpochTotals {
  loss: number[];
  correct: number[];
  count: number;
}

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
  callbacks: Callback[];
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

/** Loads a checkpoint into `model`, `optimizer` and `callbacks` (after their `onTrainBegin`). */
export async function loadTrainingState(
  file: string,
  model: LayersModel,
  optimizer: tf.Optimizer,
  callbacks: Callback[],
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
