import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gelu, layerNormLastAxis } from '../../src/engine/fused-ops.js';
import { FUSED_KERNELS } from '../../src/engine/native/norm-kernels.js';
import { assertMatchesCpu, randInt, randomData, rng, skipNative } from './native-helpers.js';
import '../../src/layers/gelu-activation.js';

describe('fused layer normalization and GELU match the composed ops on cpu', { skip: skipNative }, () => {
  test('layerNormLastAxis forward and gradients for x, gamma and beta', async () => {
    const r = rng(31);
    for (let i = 0; i < 12; i++) {
      const shape = [randInt(r, 1, 3), randInt(r, 1, 9), randInt(r, 1, 70)];
      const xData = randomData(r, shape).map((v) => 3 * v + 1);
      const gData = randomData(r, [shape[2]]);
      const bData = randomData(r, [shape[2]]);
      const wData = randomData(r, shape);
      await assertMatchesCpu(
        `layer norm ${shape}`,
        () => {
          const x = tf.tensor(xData, shape);
          const g = tf.tensor(gData);
          const b = tf.tensor(bData);
          const w = tf.tensor(wData, shape);
          const loss = (p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) =>
            tf.sum(tf.mul(layerNormLastAxis(p, q, s, 1e-5), w));
          return [layerNormLastAxis(x, g, b, 1e-5), ...tf.grads(loss)([x, g, b])];
        },
        [],
      );
    }
  });

  test('the gradient of x alone leaves no tensors behind (unused gamma and beta gradients are freed)', async () => {
    await tf.setBackend('native');
    const x = tf.randomNormal([4, 16]);
    const g = tf.ones([16]);
    const b = tf.zeros([16]);
    const before = tf.memory().numTensors;
    const dx = tf.grad((p: tf.Tensor) => tf.sum(tf.square(layerNormLastAxis(p, g, b, 1e-5))))(x);
    assert.equal(tf.memory().numTensors, before + 1);
    // Normalized rows sum to zero, and d/dx of sum(xhat²) vanishes up to epsilon.
    assert.ok(tf.max(tf.abs(dx)).dataSync()[0] < 1e-3);
    tf.dispose([x, g, b, dx]);
  });

  test('gelu forward and gradient, also through the Activation layer', async () => {
    const r = rng(32);
    const shape = [3, 5, 67];
    const xData = randomData(r, shape).map((v) => 4 * v);
    const wData = randomData(r, shape);
    await assertMatchesCpu('gelu', () => {
      const x = tf.tensor(xData, shape);
      const w = tf.tensor(wData, shape);
      const layer = tfl.layers.activation({ activation: 'gelu' });
      const loss = (p: tf.Tensor) => tf.sum(tf.mul(gelu(p), w));
      return [gelu(x), layer.apply(x) as tf.Tensor, tf.grad(loss)(x)];
    });
  });

  test('on native the fused kernels run (the ops do not fall back to composed kernels)', async () => {
    await tf.setBackend('native');
    assert.ok(tf.getKernel(FUSED_KERNELS.layerNorm, 'native'));
    assert.ok(tf.getKernel(FUSED_KERNELS.gelu, 'native'));
    assert.equal(tf.getKernel(FUSED_KERNELS.gelu, 'cpu'), undefined);
    const profile = await tf.profile(() => gelu(tf.ones([8])));
    assert.deepEqual(
      profile.kernels.map((k) => k.name).filter((n) => n !== 'Fill'),
      [FUSED_KERNELS.gelu],
    );
    tf.dispose(profile.result as tf.Tensor);
  });
});
