import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { RELU_GRAD_KERNEL } from '../../src/engine/native/relu-grad.js';
import { assertMatchesCpu, kernelsRun, randomData, rng, runOn, skipNative } from './native-helpers.js';

const r = rng(5);

describe('ReLU gradient on the native backend', { skip: skipNative }, () => {
  test('matches cpu exactly, zeros and negatives included, in one native kernel', async () => {
    const shape = [4, 9, 9, 16];
    // A third of the inputs exactly 0: step(0) is 0, so those positions get no gradient.
    const x = randomData(r, shape).map((v, i) => (i % 3 === 0 ? 0 : v));
    const w = randomData(r, shape);
    const grad = () =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), tf.tensor(w, shape))))(tf.tensor(x, shape));
    await assertMatchesCpu('relu grad', grad, [], 0);
    await tf.setBackend('native');
    const names = await kernelsRun(grad);
    assert.ok(names.includes(RELU_GRAD_KERNEL), `kernels: ${names.join(', ')}`);
    assert.ok(!names.includes('Step'), 'no separate step tensor');
  });

  test('NaN inputs give NaN and negative gradients at x ≤ 0 give -0, as on cpu', async () => {
    const x = [Number.NaN, -1, 0, 2, -0, Number.NaN];
    const dy = [1, -3, -2, 5, 4, 0];
    const grad = () => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), tf.tensor(dy))))(tf.tensor(x));
    const [cpu] = await runOn('cpu', grad);
    const [native] = await runOn('native', grad);
    for (let i = 0; i < x.length; i++)
      assert.ok(Object.is(native[i], cpu[i]), `${i}: ${native[i]} vs ${cpu[i]}`);
  });

  test('second derivatives through the ReLU gradient match cpu', async () => {
    const shape = [5, 7];
    const x0 = randomData(r, shape);
    const v0 = randomData(r, shape);
    const w = randomData(r, shape);
    await assertMatchesCpu(
      'relu grad of grad',
      () => {
        const x = tf.tensor(x0, shape);
        const inner = (v: tf.Tensor) => tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), v)))(x);
        return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(inner(v), tf.tensor(w, shape))))(tf.tensor(v0, shape));
      },
      [],
      0,
    );
  });
});
