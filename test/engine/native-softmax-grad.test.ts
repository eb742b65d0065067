import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { SOFTMAX_GRAD_KERNEL } from '../../src/engine/native/softmax-grad.js';
import { assertMatchesCpu, kernelsRun, randomData, rng, skipNative } from './native-helpers.js';

const r = rng(9);

describe('Softmax gradient on the native backend', { skip: skipNative }, () => {
  test('matches cpu over the last axis of attention-shaped maps, in one native kernel', async () => {
    for (const shape of [
      [16, 3, 49, 49],
      [2, 81],
      [5, 1],
      [3, 4, 7],
    ]) {
      // Scores scaled up so that some rows are nearly one-hot, as trained attention is.
      const x = randomData(r, shape).map((v) => v * 6);
      const dy = randomData(r, shape);
      const grad = () => tf.grad((a: tf.Tensor) => tf.softmax(a))(tf.tensor(x, shape), tf.tensor(dy, shape));
      await assertMatchesCpu(`softmax grad ${shape}`, grad, [], 1e-5);
      await tf.setBackend('native');
      const names = await kernelsRun(grad);
      assert.ok(names.includes(SOFTMAX_GRAD_KERNEL), `kernels: ${names.join(', ')}`);
      assert.ok(!names.includes('Multiply') && !names.includes('Sum'), `kernels: ${names.join(', ')}`);
    }
  });

  test('a softmax inside a loss trains to the same gradients as cpu, leaving no tensors', async () => {
    const shape = [6, 10];
    const x = randomData(r, shape);
    const w = randomData(r, [10, 10]);
    const grads = () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.softmax(tf.matMul(a, b)))))([
        tf.tensor(x, shape),
        tf.tensor(w, [10, 10]),
      ]);
    await assertMatchesCpu('softmax in a loss', grads, [], 1e-5);
  });
});
