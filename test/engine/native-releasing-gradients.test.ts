import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { randomData, relativeError, rng, skipNative } from './native-helpers.js';

const r = rng(41);
const xData = randomData(r, [6, 20]);
const wData = randomData(r, [20, 20]);

/**
 * A loss with a weight used twice, a tensor feeding three ops, a two-output op with one output
 * unused by the loss, and a branch that does not reach the loss. `probe` runs in the backward pass
 * of the first op, i.e. after every other node's gradient.
 */
function loss(x: tf.Tensor, w: tf.Tensor, probe: () => void): tf.Scalar {
  const first = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [a, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([a]);
    return {
      value: tf.mul(a, 1),
      gradFunc: (dy: tf.Tensor) => {
        probe();
        return [dy];
      },
    };
  }) as (a: tf.Tensor) => tf.Tensor;
  let h = first(tf.matMul(x, w));
  for (let i = 0; i < 6; i++) {
    const [left, right] = tf.split(tf.tanh(tf.matMul(h, w)), 2, 1);
    tf.sum(tf.exp(right)); // reaches nothing
    h = tf.concat([tf.sigmoid(left), tf.mul(left, tf.square(left))], 1);
  }
  return tf.mean(tf.square(h));
}

async function gradients(
  backend: 'cpu' | 'native',
  releasing = true,
): Promise<{ grads: Float32Array[]; left: number; bytesAtEnd: number }> {
  await tf.setBackend(backend);
  process.env.VISIONLAB_RELEASING_GRADIENTS = releasing ? '1' : '0';
  try {
    const before = tf.memory().numTensors;
    const x = tf.tidy(() => tf.variable(tf.tensor2d(xData, [6, 20])));
    const w = tf.tidy(() => tf.variable(tf.tensor2d(wData, [20, 20])));
    let bytesAtEnd = 0;
    const { value, grads } = tf.variableGrads(
      () => loss(x, w, () => (bytesAtEnd = tf.memory().numBytes)),
      [x, w],
    );
    const out = [value, grads[x.name], grads[w.name]].map((t) => Float32Array.from(t.dataSync()));
    tf.dispose([value, grads[x.name], grads[w.name], x, w]);
    return { grads: out, left: tf.memory().numTensors - before, bytesAtEnd };
  } finally {
    delete process.env.VISIONLAB_RELEASING_GRADIENTS;
  }
}

describe('gradients that release memory on the native backend', { skip: skipNative }, () => {
  test('give the loss and gradients of TF.js on cpu, and leave no tensor behind', async () => {
    const expected = await gradients('cpu');
    const actual = await gradients('native');
    assert.equal(actual.left, 0, 'tensors left behind');
    assert.equal(expected.left, 0);
    for (let i = 0; i < 3; i++) {
      const err = relativeError(actual.grads[i], expected.grads[i]);
      assert.ok(err <= 1e-5, `output ${i}: relative error ${err.toExponential(2)}`);
    }
  });

  test('hold less by the end of the backward pass than TF.js own gradients', async () => {
    const own = await gradients('native', false);
    const releasing = await gradients('native', true);
    // TF.js keeps 6 layers of saved activations and gradients; only the first layer's remain.
    assert.ok(
      releasing.bytesAtEnd * 3 < own.bytesAtEnd,
      `releasing ${releasing.bytesAtEnd} B, TF.js ${own.bytesAtEnd} B`,
    );
    assert.deepEqual(releasing.grads, own.grads);
  });
});
