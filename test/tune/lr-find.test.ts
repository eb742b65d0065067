import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { freeze } from '../../src/freeze/index.js';
import {
  getLearningRate,
  makeOptimizer,
  setRandomSeed,
  type TrainingContext,
} from '../../src/train/index.js';
import { lrFind, LrRamp } from '../../src/tune/lr-find.js';
import { smoothLosses, suggestLearningRate } from '../../src/tune/lr-suggest.js';
import {
  assertBitEqual,
  initTrainingBackend,
  syntheticDataset,
  tinyCnn,
  weightsOf,
} from '../train/helpers.js';

before(async () => {
  await initTrainingBackend();
});

test('lrFind ramps the rate exponentially, stops when the loss diverges, and restores every weight', async () => {
  setRandomSeed(3);
  const model = tinyCnn({ batchNorm: true });
  freeze(model, { until: 2 });
  const own = makeOptimizer({ name: 'sgd', learningRate: 0.05 });
  model.compile({ optimizer: own, loss: 'binaryCrossentropy' });
  const data = syntheticDataset({ perClass: 16, batchSize: 4, shuffleSeed: 1 });
  const before = weightsOf(model);
  const tensors = tf.memory().numTensors;
  const result = await lrFind(model, data, {
    startLr: 1e-5,
    endLr: 100,
    iterations: 40,
    divergence: Infinity,
  });
  assert.ok(assertBitEqual(weightsOf(model), before), 'weights and BN statistics restored');
  assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  assert.equal(
    (own as unknown as { learningRate: number }).learningRate,
    0.05,
    "the model's optimizer untouched",
  );
  // 8 batches per epoch, cycled over 5 epochs; rate i is 1e-5 · (1e7)^(i/39).
  assert.equal(result.points.length, 40);
  assert.equal(result.stoppedBy, 'iterations');
  result.points.forEach((p, i) => {
    assert.ok(Math.abs(p.learningRate / (1e-5 * 1e7 ** (i / 39)) - 1) < 1e-12, `rate ${i}`);
  });
  assert.deepEqual(
    result.points.map((p) => p.smoothedLoss),
    smoothLosses(result.points.map((p) => p.loss)),
  );
  assert.equal(result.rule, 'valley');
  assert.equal(result.suggestion, suggestLearningRate(result.points, 'valley'));
  model.dispose();
});

test('the ramp stops once the smoothed loss exceeds the divergence factor times its best', async () => {
  const optimizer = makeOptimizer('sgd');
  const ramp = new LrRamp((i) => 10 ** i, 100, 4, 0.5);
  const context = { optimizer, stopTraining: false } as unknown as TrainingContext;
  ramp.setContext(context);
  await ramp.onEpochBegin();
  // fit reports the running mean of the epoch: batch losses 1, 1, 1, 9, 20 with 2 examples each.
  const batchLosses = [1, 1, 1, 9, 20];
  let sum = 0;
  for (const [i, loss] of batchLosses.entries()) {
    await ramp.onBatchBegin();
    sum += loss * 2;
    await ramp.onBatchEnd(i, { loss: sum / (2 * (i + 1)), size: 2 });
    if (context.stopTraining) break;
  }
  // Smoothed (β 0.5): 1, 1, 1, then (0.5·0.875 + 0.5·9)/(1 − 0.0625) = 5.27 > 4 × 1: stop after batch 4.
  assert.deepEqual(ramp.losses, [1, 1, 1, 9]);
  assert.ok(Math.abs(ramp.smoothed[3] - 4.9375 / 0.9375) < 1e-12);
  assert.equal(ramp.diverged, true);
  assert.deepEqual(ramp.lrs, [1, 10, 100, 1000]);
  assert.equal(getLearningRate(optimizer), 1000);
  optimizer.dispose();
});
