import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { detectPrecisionSupport, withPrecision } from '../../../src/engine/precision.js';
import { freeze } from '../../../src/freeze/freeze.js';
import { preprocessInput } from '../../../src/models/preprocess.js';
import { getModel } from '../../../src/models/registry.js';
import { fit, makeOptimizer, setRandomSeed } from '../../../src/train/index.js';
import { selectTrainStep } from '../../../src/train/train-step.js';
import { ArrayDataset, initTrainingBackend, syntheticImages, weightsOf } from '../../train/helpers.js';
import { maxRelative, StepLosses, weightDistance } from './plan-helpers.js';

const backend = await initTrainingBackend();
const skip = backend === 'native' ? false : `the planned step needs the native backend (${backend})`;

/*
 * The graph zoo models at test sizes, trained where the eager step is itself stable, so that 1e-4 says
 * "the same function is computed". Largest relative difference of the losses over the 21 steps, measured on
 * a Xeon with AMX: planned vs eager, next to eager vs eager with VISIONLAB_CONV_LAYOUT=any and eager vs eager
 * from kernels perturbed by 1e-7 relative (about one float32 rounding).
 *
 *   this test's setup            planned   layout any   perturbed
 *   googlenet (32²)              3.7e-8    0            0
 *   resnet50 (32²)               1.1e-6    1.1e-6       4.3e-8
 *   resnet101 (32²)              2.1e-6    1.2e-6       1.2e-6
 *   densenet121 (32²)            8.6e-8    4.3e-8       4.3e-8
 *   inception_v3 (75²)           2.9e-8    0            0
 *
 * Stable means: pixels in [-1, 1] (the 'tf' preprocessing), SGD, and BatchNormalization frozen in inference
 * mode (as a fine-tuned backbone keeps it). Without them the eager step is chaotic, and the plan is as far
 * from it as one float32 rounding is:
 *
 *   googlenet, raw 40–240 pixels, Adam 1e-3     2.8e-2    4.5e-4       5.9e-2
 *   googlenet, [-1, 1], Adam 1e-3               6.0e-8    2.9e-4       2.9e-4
 *   resnet50, BatchNormalization training, SGD  0.73      0.79         1.5
 *   densenet121, the same                       0.76      0.56         0.57
 *   inception_v3, the same                      2.2       2.0          0.39
 *
 * Adam's first steps are sign steps, which flip with the rounding of gradients near zero; training-mode
 * BatchNormalization normalizes over 4 values per channel in the last stages (1×1 maps, batch 4). Its
 * planned numerics are checked on a small graph in graph-plan.test.ts.
 */
interface GraphCase {
  size: number;
  learningRate: number;
  /** BatchNormalization layers frozen (inference mode, as a fine-tuned backbone keeps them). */
  frozenBatchNorm: boolean;
}

const GRAPH_CASES: Record<string, GraphCase> = {
  googlenet: { size: 32, learningRate: 0.05, frozenBatchNorm: false },
  resnet50: { size: 32, learningRate: 1e-3, frozenBatchNorm: true },
  resnet101: { size: 32, learningRate: 1e-3, frozenBatchNorm: true },
  densenet121: { size: 32, learningRate: 1e-3, frozenBatchNorm: true },
  inception_v3: { size: 75, learningRate: 1e-3, frozenBatchNorm: true },
};

/** 14 examples per class in batches of 4 (a short last batch), pixels scaled to [-1, 1]. */
function scaledDataset(size: number): ArrayDataset {
  const images = syntheticImages({ perClass: 14, size, classes: 2 });
  const scaled = tf.tidy(() => preprocessInput(tf.tensor1d(images.pixels), 'tf').dataSync() as Float32Array);
  return new ArrayDataset(scaled, images.labels, size, 2, 4, 3);
}

function build(name: string, c: GraphCase): tfl.LayersModel {
  const model = getModel(name).build({ inputShape: [c.size, c.size, 1], classes: 2 });
  if (c.frozenBatchNorm) {
    const report = freeze(model, { kinds: ['BatchNormalization'] });
    assert.ok(report.layers.length > 0, `${name} has BatchNormalization layers`);
  }
  return model;
}

async function train(name: string, c: GraphCase, plannedStep: boolean) {
  setRandomSeed(11);
  const model = build(name, c);
  const start = weightsOf(model);
  const data = scaledDataset(c.size);
  const steps = new StepLosses();
  const optimizer = makeOptimizer({ name: 'sgd', learningRate: c.learningRate });
  const before = tf.memory().numTensors;
  await fit(model, data, { epochs: 3, optimizer, callbacks: [steps], verbose: 0, plannedStep });
  const leaked = tf.memory().numTensors - before;
  const summary = selectTrainStep({
    model,
    optimizer,
    varList: model.trainableWeights.map((v) => v.read() as tf.Variable),
    losses: ['sparseCategoricalCrossentropy'],
    lossWeights: [1],
  }).summary;
  const weights = weightsOf(model);
  optimizer.dispose();
  model.dispose();
  return { losses: steps.losses, start, weights, summary, leaked };
}

for (const [name, c] of Object.entries(GRAPH_CASES)) {
  test(
    `${name}: 21 planned steps match the eager step (losses 1e-4 relative, weights)`,
    { skip },
    async (t) => {
      const eager = await train(name, c, false);
      const planned = await train(name, c, true);
      assert.match(planned.summary, /planned natively/);
      assert.equal(eager.losses.length, 21);
      assert.equal(planned.losses.length, eager.losses.length);
      const lossDiff = maxRelative(planned.losses, eager.losses);
      const weightDiff = weightDistance(planned.weights, eager.weights);
      const moved = weightDistance(planned.weights, planned.start);
      t.diagnostic(
        `${name}: losses differ by ${lossDiff.toExponential(2)}, weights by ${weightDiff.toExponential(2)} (moved ${moved.toExponential(2)})`,
      );
      assert.ok(lossDiff < 1e-4, `${name}: losses differ by ${lossDiff} relative`);
      assert.ok(weightDiff < 1e-4, `${name}: weights differ by ${weightDiff} relative`);
      assert.ok(moved > 100 * weightDiff, 'the weights moved');
      assert.deepEqual(
        [eager.leaked, planned.leaked],
        [0, 0],
        'tensors left by the eager and the planned fit',
      );
    },
  );
}

const bf16Support = detectPrecisionSupport();
const bf16Skip = skip || (bf16Support.precisions.includes('bf16') ? false : bf16Support.bf16Missing);

/*
 * bf16 rounds every convolution and matrix product operand to 8 significant bits (2^-9 ≈ 0.2 % each);
 * after 21 steps the losses of a bf16 plan stay within 1e-2 relative of the fp32 eager step's, where a
 * wrong layer or a stale buffer moves them by tens of percent. GoogLeNet is the case whose loss moves
 * enough to show the rounding: 8.6e-4 here against 3.7e-8 for the fp32 plan (AMD EPYC, AVX512_BF16). In
 * the other cases above the loss stays near ln 2 and the weights move by under 5e-5 relative, so bf16
 * changes their losses by as little as 1.7e-7 (inception_v3), 6.2e-6 (densenet121), 2.8e-5 (resnet50).
 */
test(
  'googlenet: 21 bf16 planned steps stay within mixed precision of the fp32 eager step',
  { skip: bf16Skip },
  async (t) => {
    const name = 'googlenet';
    const c = GRAPH_CASES[name];
    const eager = await train(name, c, false);
    const planned = await withPrecision('bf16', () => train(name, c, true));
    assert.match(planned.summary, /planned natively/);
    assert.equal(planned.losses.length, eager.losses.length);
    const lossDiff = maxRelative(planned.losses, eager.losses);
    t.diagnostic(
      `${name}: bf16 planned vs fp32 eager losses differ by ${lossDiff.toExponential(2)} relative`,
    );
    assert.ok(lossDiff < 1e-2, `${name}: bf16 losses differ by ${lossDiff} relative`);
    assert.ok(lossDiff > 1e-5, 'bf16 really rounded something');
    assert.equal(planned.leaked, 0, 'tensors left by the bf16 planned fit');
  },
);
