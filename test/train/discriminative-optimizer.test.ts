import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  DiscriminativeOptimizer,
  discriminativeGroups,
  getLearningRate,
  loadTrainingState,
  saveTrainingState,
  setLearningRate,
} from '../../src/train/index.js';
import { initTrainingBackend } from './helpers.js';

before(async () => {
  await initTrainingBackend();
});

const close = (actual: number[], expected: number[], what: string) =>
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) < 1e-6, `${what}[${i}]: ${a}, expected ${expected[i]}`),
  );

test('each group steps at the base rate times its scale: SGD by hand', () => {
  const tensors = tf.memory().numTensors;
  const variable = (values: number[], name: string) =>
    tf.tidy(() => tf.variable(tf.tensor1d(values), true, name));
  const a = variable([1, 2], 'dlr_a');
  const b = variable([3], 'dlr_b');
  const c = variable([-1], 'dlr_c');
  const opt = new DiscriminativeOptimizer({ name: 'sgd', learningRate: 0.1 }, [
    { variables: ['dlr_a'], scale: 1 },
    { variables: ['dlr_b'], scale: 1 / 2.6 },
  ]);
  // loss = sum(a²) + 3·b + c² → gradients 2a, 3, 2c; c is in no group and trains at the base rate.
  const loss = () => tf.addN([tf.sum(tf.square(a)), tf.mul(3, tf.sum(b)), tf.sum(tf.square(c))]) as tf.Scalar;
  opt.minimize(loss, false, [a, b, c]);
  close(Array.from(a.dataSync()), [1 - 0.1 * 2, 2 - 0.1 * 4], 'a');
  close(Array.from(b.dataSync()), [3 - (0.1 / 2.6) * 3], 'b');
  close(Array.from(c.dataSync()), [-1 - 0.1 * -2], 'c');
  // A new base rate moves every group with it (ReduceLROnPlateau, schedules).
  setLearningRate(opt, 0.01);
  assert.equal(getLearningRate(opt), 0.01);
  close(opt.groupLearningRates(), [0.01, 0.01 / 2.6, 0.01], 'rates');
  opt.minimize(loss, false, [a, b, c]);
  close(Array.from(b.dataSync()), [3 - (0.1 / 2.6) * 3 - (0.01 / 2.6) * 3], 'b after the second step');
  assert.equal(opt.iterations, 2);
  opt.dispose();
  tf.dispose([a, b, c]);
  assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
});

/** A tiny model named as DaViT names its layers: a stem, two stages, a head. */
function tinyStaged(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 1] });
  let x = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'stem_conv' }).apply(input);
  x = tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'stack1_block1_conv' }).apply(x);
  x = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'stack2_block1_conv' }).apply(x);
  x = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(x);
  const out = tfl.layers.dense({ units: 2, activation: 'softmax', name: 'predictions' }).apply(x);
  return tfl.model({ inputs: input, outputs: out as tfl.SymbolicTensor });
}

test('discriminative groups: the head at the rate, each stage below ÷ factor, the stem last', () => {
  const model = tinyStaged();
  const groups = discriminativeGroups(model, { unit: 'stages', factor: 2.6 });
  const nameOf = (v: string) => v.split('/')[0];
  assert.deepEqual(
    groups.map((g) => [...new Set(g.variables.map(nameOf))]),
    [['predictions'], ['stack2_block1_conv'], ['stack1_block1_conv'], ['stem_conv']],
  );
  close(
    groups.map((g) => g.scale),
    [1, 1 / 2.6, 1 / 2.6 ** 2, 1 / 2.6 ** 3],
    'scales',
  );
  model.dispose();
});

test('a checkpoint holds every group’s Adam slots: resuming gives the uninterrupted weights exactly', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'dlr-'));
  const x = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
  const make = (model: tfl.LayersModel) =>
    new DiscriminativeOptimizer(
      { name: 'adam', learningRate: 0.01 },
      discriminativeGroups(model, { unit: 'stages', factor: 2.6 }),
    );
  const step = (model: tfl.LayersModel, opt: tf.Optimizer) =>
    opt.minimize(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar,
      false,
      model.trainableWeights.map((w) => w.read() as tf.Variable),
    );
  const weights = (model: tfl.LayersModel) => model.weights.map((w) => Array.from(w.read().dataSync()));
  try {
    const tensors = tf.memory().numTensors;
    const reference = tinyStaged();
    const initial = reference.getWeights().map((w) => w.clone());
    const opt = make(reference);
    for (let i = 0; i < 3; i++) step(reference, opt);
    const file = path.join(dir, 'state.vlckpt');
    await saveTrainingState(file, {
      model: reference,
      optimizer: opt,
      callbacks: [],
      epoch: 1,
      batch: 0,
      history: [],
    });
    for (let i = 0; i < 2; i++) step(reference, opt);
    const expected = weights(reference);

    const resumed = tinyStaged();
    resumed.setWeights(initial);
    const opt2 = make(resumed);
    const state = await loadTrainingState(file, resumed, opt2, []);
    assert.equal(state.optimizer, 'DiscriminativeOptimizer');
    assert.equal(opt2.iterations, 3);
    for (let i = 0; i < 2; i++) step(resumed, opt2);
    assert.deepEqual(weights(resumed), expected, 'the same weights, bit for bit');

    opt.dispose();
    opt2.dispose();
    tf.dispose(initial);
    reference.dispose();
    resumed.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  } finally {
    tf.dispose([x, y]);
    await rm(dir, { recursive: true, force: true });
  }
});
