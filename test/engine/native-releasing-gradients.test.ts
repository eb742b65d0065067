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

/** How many times `f` dispatches the Identity kernel on native. */
function identityCalls(f: () => void): number {
  const config = tf.getKernel('Identity', 'native');
  assert.ok(config);
  let calls = 0;
  tf.unregisterKernel('Identity', 'native');
  tf.registerKernel({ ...config, kernelFunc: (args) => (calls++, config.kernelFunc(args)) });
  try {
    f();
  } finally {
    tf.unregisterKernel('Identity', 'native');
    tf.registerKernel(config);
  }
  return calls;
}

describe('tensors saved for a first-order backward pass on native', { skip: skipNative }, () => {
  test('share their data without an Identity kernel call; gradients of gradients still see them', async () => {
    await tf.setBackend('native');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([0.5, -1.5, 2]);
    // mul, exp and tanh each save tensors for their gradients.
    const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.exp(t), tf.tanh(t)));
    let firstOrder: tf.Tensor | undefined;
    assert.equal(
      identityCalls(() => (firstOrder = tf.grad(f)(x))),
      0,
    );
    const xs = [0.5, -1.5, 2];
    const expected = xs.map((v) => Math.exp(v) * (Math.tanh(v) + 1 - Math.tanh(v) ** 2));
    const got = Array.from((firstOrder as tf.Tensor).dataSync());
    got.forEach((g, i) =>
      assert.ok(Math.abs(g - expected[i]) < 1e-5 * Math.abs(expected[i]), `dx[${i}] ${g}`),
    );
    // d²/dx² of x³ is 6x: the inner gradient's saved x must lead back to x.
    const second = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.mul(u, u), u)))(t)),
    )(x);
    assert.deepEqual(Array.from(second.dataSync()), [3, -9, 12]);
    tf.dispose([x, firstOrder as tf.Tensor, second]);
    assert.equal(tf.memory().numTensors, before);
  });
});
