import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeGraph, dropoutMultiplier, planTrainingStep } from '../../../src/engine/plan/index.js';
import { fit, makeOptimizer, setRandomSeed } from '../../../src/train/index.js';
import { maxRelative, StepLosses, weightDistance } from './plan-helpers.js';
import { initTrainingBackend, syntheticDataset, weightsOf } from '../../train/helpers.js';

const backend = await initTrainingBackend();
const skip = backend === 'native' ? false : `the planned step needs the native backend (${backend})`;

function reasonOf(model: tfl.LayersModel): string {
  const d = describeGraph(model);
  model.dispose();
  return 'reason' in d ? d.reason : 'planned';
}

test('the plan declines what it cannot take, naming the layer', () => {
  const seq = (...layers: tfl.layers.Layer[]) => tfl.sequential({ layers });
  assert.equal(
    reasonOf(seq(tfl.layers.reLU({ inputShape: [8, 8, 1], name: 'r' }))),
    'layer r (ReLU) is not one the planned step supports',
  );
  assert.equal(
    reasonOf(seq(tfl.layers.batchNormalization({ inputShape: [8, 8, 1], axis: 1, name: 'bn' }))),
    'bn: axis 1 is not the channel axis',
  );
  assert.equal(
    reasonOf(seq(tfl.layers.dense({ inputShape: [8, 8, 1], units: 3, name: 'd' }))),
    'd: Dense on a 4-D input',
  );
  assert.equal(
    reasonOf(
      seq(
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, dilationRate: 2, name: 'e' }),
      ),
    ),
    'e: dilation 2×2',
  );
  assert.equal(
    reasonOf(
      seq(
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'elu', name: 'f' }),
      ),
    ),
    'f: activation elu is not supported',
  );
});

test('dropoutMultiplier draws the mask tf.dropout draws from the same random state', { skip }, () => {
  setRandomSeed(77);
  const x = tf.ones([3, 50]);
  const eager = tf.dropout(x, 0.3);
  setRandomSeed(77);
  const mask = dropoutMultiplier([3, 50], { rate: 0.3 });
  assert.deepEqual(Array.from(mask), Array.from(eager.dataSync()));
  assert.ok(mask.some((v) => v === 0) && mask.some((v) => v > 1), 'some dropped, some kept and scaled');
  tf.dispose([x, eager]);
});

test('dropoutMultiplier equals tf.dropout bit for bit over many seeds, sizes and rates', { skip }, () => {
  const before = tf.memory().numTensors;
  const sizes = [[1], [7], [64, 33], [5, 5, 5, 64]];
  const rates = [0.1, 0.25, 0.3, 0.5, 0.9];
  let compared = 0;
  for (let k = 0; k < 40; k++) {
    const shape = sizes[k % sizes.length];
    const rate = rates[k % rates.length];
    // Explicit seeds (integer and fractional) and unseeded draws from the same Math.random state.
    const seed = k % 2 === 0 ? k * 7919 : (k + 0.5) / 3;
    const x = tf.ones(shape);
    const seeded = tf.dropout(x, rate, undefined, seed);
    assert.deepEqual(Array.from(dropoutMultiplier(shape, { rate, seed })), Array.from(seeded.dataSync()));
    setRandomSeed(1000 + k);
    const eager = tf.dropout(x, rate);
    const afterEager = Math.random();
    setRandomSeed(1000 + k);
    const planned = dropoutMultiplier(shape, { rate });
    assert.equal(Math.random(), afterEager, 'one Math.random draw per mask, as tf.dropout');
    assert.deepEqual(Array.from(planned), Array.from(eager.dataSync()));
    compared += planned.length;
    tf.dispose([x, seeded, eager]);
  }
  assert.ok(compared > 100_000);
  assert.equal(tf.memory().numTensors, before);
});

/** Every layer kind and option the plan takes, in one chain. */
function everyLayer(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.rescaling({ inputShape: [12, 12, 1], scale: 1 / 127.5, offset: -1 }),
      tfl.layers.zeroPadding2d({
        padding: [
          [1, 2],
          [0, 1],
        ],
      }),
      tfl.layers.conv2d({ filters: 6, kernelSize: [3, 2], strides: 2, useBias: false, activation: 'tanh' }),
      tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.25 }),
      tfl.layers.dense({ units: 7, activation: 'tanh' }),
      tfl.layers.dense({ units: 1 }),
      tfl.layers.activation({ activation: 'sigmoid' }),
    ],
  });
}

test('a chain of every supported layer trains as with the eager step', { skip }, async () => {
  const run = async (plannedStep: boolean) => {
    setRandomSeed(19);
    const model = everyLayer();
    const steps = new StepLosses();
    const data = syntheticDataset({ perClass: 11, size: 12, batchSize: 4, shuffleSeed: 5 });
    await fit(model, data, {
      epochs: 4,
      optimizer: makeOptimizer({ name: 'rmsprop', learningRate: 0.01 }),
      callbacks: [steps],
      verbose: 0,
      plannedStep,
    });
    const w = weightsOf(model);
    model.dispose();
    return { losses: steps.losses, w };
  };
  assert.equal(reasonOf(everyLayer()), 'planned');
  const planned = await run(true);
  const eager = await run(false);
  assert.ok(planned.losses.length >= 20);
  const lossDiff = maxRelative(planned.losses, eager.losses);
  assert.ok(lossDiff < 1e-4, `losses differ by ${lossDiff} relative`);
  const weightDiff = weightDistance(planned.w, eager.w);
  assert.ok(weightDiff < 1e-4, `weights differ by ${weightDiff} relative`);
});

test(
  'weight gradients of few-channel convolutions (strided, padded, 1 and 3 channels) equal tf.grad',
  { skip },
  () => {
    for (const [channels, kernelSize, strides, padding] of [
      [3, 3, 2, 'same'],
      [1, [3, 2], [1, 2], 'valid'],
      [3, 4, 3, 'same'],
    ] as [number, number | number[], number | number[], 'same' | 'valid'][]) {
      setRandomSeed(23);
      const model = tfl.sequential({
        layers: [
          tfl.layers.conv2d({
            inputShape: [13, 11, channels],
            filters: 32,
            kernelSize,
            strides,
            padding,
            activation: 'relu',
          }),
          tfl.layers.flatten(),
          tfl.layers.dense({ units: 2 }),
        ],
      });
      const plan = planTrainingStep(model).plan;
      assert.ok(plan, 'planned');
      const x = tf.randomNormal([5, 13, 11, channels]);
      const [y] = plan.forward(x);
      const dy = tf.randomNormal(y.shape);
      const planned = plan.backward(x, [dy]);
      const eager = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x) as tf.Tensor, dy)) as tf.Scalar);
      for (const w of model.trainableWeights) {
        const name = (w.read() as tf.Variable).name;
        const a = planned[name].dataSync();
        const b = eager.grads[name].dataSync();
        const diff = Math.hypot(...a.map((v, i) => v - b[i])) / Math.hypot(...b);
        assert.ok(diff < 1e-5, `${channels} channels: ${w.originalName} differs by ${diff} relative`);
        assert.ok(Math.hypot(...b) > 0, 'a gradient that is not zero');
      }
      tf.dispose([x, y, dy, eager.value, ...Object.values(planned), ...Object.values(eager.grads)]);
      model.dispose();
    }
  },
);
