import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describeGraph, planTrainingStep } from '../../../src/engine/plan/index.js';
import { getModel } from '../../../src/models/registry.js';
import { runsInInference } from '../../../src/freeze/batch-norm.js';
import { freeze } from '../../../src/freeze/freeze.js';
import { fit, makeOptimizer, setRandomSeed } from '../../../src/train/index.js';
import { selectTrainStep } from '../../../src/train/train-step.js';
import { initTrainingBackend, syntheticDataset, weightsOf } from '../../train/helpers.js';
import { residualInception } from './graph-model.js';
import { maxRelative, StepLosses, weightDistance } from './plan-helpers.js';

const backend = await initTrainingBackend();
const skip = backend === 'native' ? false : `the planned step needs the native backend (${backend})`;

const values = (model: tfl.LayersModel, names: RegExp) =>
  model.weights
    .filter((w) => names.test(w.originalName))
    .map((w) => Float32Array.from(w.read().dataSync() as Float32Array));

const relative = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.hypot(...Array.from(a, (v, i) => v - b[i])) / Math.hypot(...Array.from(b));

/** Planned gradients of a random loss on `build()`'s model against tf.variableGrads, weight by weight. */
function assertGradientsMatch(build: () => tfl.LayersModel) {
  setRandomSeed(31);
  const eagerModel = build();
  const plannedModel = build();
  plannedModel.setWeights(eagerModel.getWeights());
  const plan = planTrainingStep(plannedModel, { batchNormInference: runsInInference }).plan;
  assert.ok(plan, 'planned');
  const before = tf.memory().numTensors;
  const x = tf.randomNormal([3, 12, 12, 1], 0, 1, 'float32', 5);
  const ys = plan.forward(x);
  const dys = ys.map((y, i) => tf.randomNormal(y.shape, 0, 1, 'float32', 7 + i));
  const planned = plan.backward(x, dys);
  const eager = tf.variableGrads(() => {
    const outs = eagerModel.apply(x, { training: true }) as tf.Tensor[];
    return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, dys[i])))) as tf.Scalar;
  });
  ys.forEach((y, i) => {
    const e = tf.tidy(() => (eagerModel.apply(x, { training: false }) as tf.Tensor[])[i]);
    assert.deepEqual(y.shape, e.shape);
    e.dispose();
  });
  assert.equal(Object.keys(planned).length, eagerModel.trainableWeights.length);
  eagerModel.trainableWeights.forEach((w, k) => {
    const e = eager.grads[(w.read() as tf.Variable).name].dataSync();
    const p = planned[(plannedModel.trainableWeights[k].read() as tf.Variable).name].dataSync();
    assert.ok(Math.hypot(...Array.from(e)) > 0, `${w.originalName}: a gradient that is not zero`);
    const diff = relative(p, e);
    assert.ok(diff < 1e-5, `${w.originalName}: gradient differs by ${diff} relative`);
  });
  const moving = /moving_(mean|variance)/;
  const result = { planned: values(plannedModel, moving), eager: values(eagerModel, moving) };
  tf.dispose([x, ...ys, ...dys, eager.value, ...Object.values(planned), ...Object.values(eager.grads)]);
  assert.equal(tf.memory().numTensors, before, 'no tensor left');
  eagerModel.dispose();
  plannedModel.dispose();
  return result;
}

test(
  'a graph (padding, BatchNormalization, Add, Concatenate, two outputs): gradients and moving statistics equal the eager ones',
  { skip },
  () => {
    const moving = assertGradientsMatch(() => residualInception());
    // One forward pass in training mode updated the moving statistics of both BatchNormalization layers.
    assert.equal(moving.planned.length, 4);
    moving.planned.forEach((v, i) => assert.ok(relative(v, moving.eager[i]) < 1e-5, `moving statistic ${i}`));
    assert.ok(
      moving.planned.every((v, i) => i % 2 === 1 || v.some((m) => m !== 0)),
      'the means moved',
    );
  },
);

test(
  'a frozen BatchNormalization (inference mode) after a trainable convolution passes the gradient on as eager does',
  { skip },
  () => {
    const moving = assertGradientsMatch(() => {
      const model = residualInception();
      freeze(model, { names: /^a_bn$/ });
      return model;
    });
    assert.deepEqual(
      moving.planned.slice(2),
      [new Float32Array(8), new Float32Array(8).fill(1)],
      'a_bn kept its statistics',
    );
  },
);

async function train(plannedStep: boolean, frozen: boolean) {
  setRandomSeed(17);
  const model = residualInception({ dropout: 0.3 });
  if (frozen) freeze(model, { names: /^(stem_|pool)/ });
  const start = weightsOf(model);
  const stemStart = values(model, /stem_/);
  const steps = new StepLosses();
  const data = syntheticDataset({ perClass: 10, size: 12, classes: 3, batchSize: 4, shuffleSeed: 2 });
  await fit(model, data, {
    epochs: 3,
    optimizer: makeOptimizer({ name: 'adam', learningRate: 1e-3 }),
    lossWeights: [1, 0.3],
    callbacks: [steps],
    verbose: 0,
    plannedStep,
  });
  const summary = selectTrainStep({
    model,
    optimizer: makeOptimizer('sgd'),
    varList: model.trainableWeights.map((v) => v.read() as tf.Variable),
    losses: ['sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy'],
    lossWeights: [1, 0.3],
  }).summary;
  const result = {
    losses: steps.losses,
    start,
    weights: weightsOf(model),
    moving: values(model, /moving_(mean|variance)/),
    stem: values(model, /stem_/),
    stemStart,
    summary,
  };
  model.dispose();
  return result;
}

for (const frozen of [false, true]) {
  test(
    `a two-output graph${frozen ? ' with a frozen stem (BatchNormalization in inference mode)' : ''}: 20+ planned steps match the eager step`,
    { skip },
    async (t) => {
      const eager = await train(false, frozen);
      const planned = await train(true, frozen);
      assert.match(planned.summary, /planned natively/);
      assert.ok(eager.losses.length >= 20);
      const lossDiff = maxRelative(planned.losses, eager.losses);
      const weightDiff = weightDistance(planned.weights, eager.weights);
      const movingDiff = weightDistance(planned.moving, eager.moving);
      t.diagnostic(
        `losses ${lossDiff.toExponential(2)}, weights ${weightDiff.toExponential(2)}, moving ${movingDiff.toExponential(2)}`,
      );
      assert.ok(lossDiff < 1e-4, `losses differ by ${lossDiff} relative`);
      assert.ok(weightDiff < 1e-4, `weights differ by ${weightDiff} relative`);
      assert.ok(movingDiff < 1e-4, `moving statistics differ by ${movingDiff} relative`);
      assert.ok(weightDistance(planned.weights, planned.start) > 100 * weightDiff, 'the weights moved');
      if (frozen) {
        // The stem's kernel, gamma, beta and moving statistics are what they were.
        assert.equal(planned.stem.length, 5);
        assert.deepEqual(planned.stem, planned.stemStart, 'the frozen stem did not change');
      }
    },
  );
}

test('GoogLeNet with its two auxiliary classifiers is planned with three outputs', { skip }, () => {
  const model = getModel('googlenet').build({
    inputShape: [65, 65, 1],
    classes: 3,
    auxiliaryOutputs: true,
    initializeWeights: false,
  });
  const described = describeGraph(model);
  assert.ok('graph' in described, 'reason' in described ? described.reason : '');
  assert.deepEqual(
    described.graph.outputs.map((o) => described.graph.ops[o].layer),
    ['predictions', 'aux1_predictions', 'aux2_predictions'],
  );
  const selected = selectTrainStep({
    model,
    optimizer: makeOptimizer('sgd'),
    varList: model.trainableWeights.map((v) => v.read() as tf.Variable),
    losses: [
      'sparseCategoricalCrossentropy',
      'sparseCategoricalCrossentropy',
      'sparseCategoricalCrossentropy',
    ],
    lossWeights: [1, 0.3, 0.3],
  });
  assert.equal(selected.planned, true, selected.summary);
  model.dispose();
});
