import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { planTrainingStep, type TrainingPlan } from '../engine/plan/index.js';
import { runsInInference } from '../freeze/batch-norm.js';
import { batchLossAndGradient, perExampleCorrect, perExampleLoss, type LossName } from './losses.js';

/** What a training step needs besides the batch. */
export interface TrainStepSetup {
  model: LayersModel;
  optimizer: tf.Optimizer;
  varList: tf.Variable[];
  losses: LossName[];
  lossWeights: number[];
}

/** Runs one optimisation step; returns [total loss, loss per output…, correct per output…] for the batch. */
export type TrainStep = (
  x: tf.Tensor,
  labels: tf.Tensor1D,
  sampleWeights: tf.Tensor1D | undefined,
) => tf.Tensor1D;

export interface SelectedTrainStep {
  step: TrainStep;
  /** True when the native planned step runs. */
  planned: boolean;
  /** One line saying which step runs and, for the eager one, why the plan does not. */
  summary: string;
}

/**
 * The batch's total loss from the model's outputs, keeping each output's loss in `parts` and its count of
 * correct predictions in `corrects` (both kept out of any enclosing tidy).
 */
function batchLoss(
  setup: TrainStepSetup,
  outputs: tf.Tensor[],
  labels: tf.Tensor1D,
  sampleWeights: tf.Tensor1D | undefined,
  parts: tf.Scalar[],
  corrects: tf.Scalar[],
): tf.Scalar {
  outputs.forEach((out, i) => {
    const perExample = perExampleLoss(setup.losses[i], out, labels);
    const weighted = sampleWeights ? tf.mul(perExample, sampleWeights) : perExample;
    const loss = tf.mean(weighted) as tf.Scalar;
    parts.push(tf.keep(loss));
    corrects.push(tf.keep(tf.sum(perExampleCorrect(out, labels))) as tf.Scalar);
  });
  return totalLoss(setup.model, parts, setup.lossWeights);
}

/** Σ loss × weight over the outputs, plus the model's regularization losses: the total a step minimizes and reports. */
function totalLoss(model: LayersModel, parts: tf.Scalar[], lossWeights: number[]): tf.Scalar {
  let total = tf.scalar(0);
  parts.forEach((p, i) => (total = tf.add(total, tf.mul(p, lossWeights[i]))));
  for (const reg of model.calculateLosses()) total = tf.add(total, reg);
  return total;
}

function pack(total: tf.Scalar, parts: tf.Scalar[], corrects: tf.Scalar[]): tf.Tensor1D {
  const packed = tf.stack([total, ...parts, ...corrects]) as tf.Tensor1D;
  tf.dispose([total, ...parts, ...corrects]);
  return packed;
}

/** The eager step: TF.js records the forward pass on its tape and differentiates it op by op. */
export function eagerTrainStep(setup: TrainStepSetup): TrainStep {
  return (x, labels, sampleWeights) => {
    const parts: tf.Scalar[] = [];
    const corrects: tf.Scalar[] = [];
    const total = setup.optimizer.minimize(
      () => {
        const out = setup.model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
        return batchLoss(setup, asArray(out), labels, sampleWeights, parts, corrects);
      },
      true,
      setup.varList,
    ) as tf.Scalar;
    return pack(total, parts, corrects);
  };
}

/**
 * The planned step: the model's forward and backward passes run natively; the loss, its gradients with
 * respect to the model's outputs and the counts of correct predictions come from one pass over each output's
 * few hundred numbers (`batchLossAndGradient`, the eager step's formulas), and the weight gradients go to the
 * same `optimizer.applyGradients`.
 */
export function plannedTrainStep(setup: TrainStepSetup, plan: TrainingPlan): TrainStep {
  return (x, labels, sampleWeights) => {
    const input = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
    const ys = plan.forward(input);
    const labelValues = labels.dataSync();
    const weightValues = sampleWeights?.dataSync();
    const outputs = ys.map((y, i) =>
      batchLossAndGradient(
        setup.losses[i],
        y.dataSync() as Float32Array,
        y.shape[y.shape.length - 1] ?? 1,
        labelValues,
        weightValues,
        setup.lossWeights[i],
      ),
    );
    const dys = outputs.map((o, i) => tf.tensor(o.gradient, ys[i].shape, 'float32'));
    const grads = plan.backward(input, dys);
    setup.optimizer.applyGradients(setup.varList.map((v) => ({ name: v.name, tensor: grads[v.name] })));
    tf.dispose([...ys, ...dys, ...Object.values(grads), ...(input === x ? [] : [input])]);
    return tf.tidy(() => {
      const parts = outputs.map((o) => tf.scalar(o.loss));
      const total = totalLoss(setup.model, parts, setup.lossWeights);
      return tf.concat([
        tf.stack([total, ...parts]),
        tf.tensor1d(outputs.map((o) => o.correct)),
      ]) as tf.Tensor1D;
    });
  };
}

/** False when `VISIONLAB_PLAN=off` (or `0`, `false`). */
function planAllowedByEnv(): boolean {
  const v = process.env.VISIONLAB_PLAN?.trim().toLowerCase();
  return !(v === 'off' || v === '0' || v === 'false');
}

/**
 * The planned step where it applies (the `native` backend, a graph of supported layers), else the
 * eager one. `usePlan: false` or `VISIONLAB_PLAN=off` turns the plan off.
 */
export function selectTrainStep(setup: TrainStepSetup, usePlan = true): SelectedTrainStep {
  const eager = (why: string): SelectedTrainStep => ({
    step: eagerTrainStep(setup),
    planned: false,
    summary: `training step: eager (${why})`,
  });
  if (!usePlan) return eager('the planned step is turned off');
  if (!planAllowedByEnv()) return eager('VISIONLAB_PLAN=off');
  const result = planTrainingStep(setup.model, {
    trainable: setup.varList,
    batchNormInference: runsInInference,
  });
  if (!result.plan) return eager(`not planned: ${result.reason}`);
  return {
    step: plannedTrainStep(setup, result.plan),
    planned: true,
    summary: `training step: planned natively (${result.plan.describe()})`,
  };
}

function asArray(t: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
  return Array.isArray(t) ? t : [t];
}

export function evalStep(
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
    return tf.stack([totalLoss(model, parts, lossWeights), ...parts, ...corrects]) as tf.Tensor1D;
  });
}
