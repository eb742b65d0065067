import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { LayerNormalizationLastAxis } from '../../src/layers/index.js';

before(async () => {
  await initBackend();
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

describe('LayerNormalizationLastAxis', () => {
  it("matches Keras' LayerNormalization(axis=-1) and its gradients", () => {
    const shape = [2, 5, 3, 8];
    const ours = new LayerNormalizationLastAxis({ epsilon: 1e-5, name: 'ln' });
    const reference = tfl.layers.layerNormalization({ axis: -1, epsilon: 1e-5 });
    ours.build(shape);
    reference.build(shape);
    const gamma = tf.randomNormal([8], 1, 0.2, 'float32', 1);
    const beta = tf.randomNormal([8], 0, 0.2, 'float32', 2);
    ours.setWeights([gamma, beta]);
    reference.setWeights([gamma, beta]);
    assert.deepEqual(
      ours.weights.map((w) => w.shape),
      [[8], [8]],
    );
    const x = tf.randomNormal(shape, 3, 2, 'float32', 3);
    const weightsOf = tf.randomNormal(shape, 0, 1, 'float32', 4);
    assert.ok(maxDiff(ours.apply(x) as tf.Tensor, reference.apply(x) as tf.Tensor) < 1e-5);
    const loss = (layer: tfl.layers.Layer) => (input: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(input) as tf.Tensor, weightsOf));
    assert.ok(maxDiff(tf.grad(loss(ours))(x), tf.grad(loss(reference))(x)) < 1e-4);
    const paramGrads = (layer: tfl.layers.Layer) =>
      tf.variableGrads(
        () => loss(layer)(x) as tf.Scalar,
        layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
      ).grads;
    const g1 = Object.values(paramGrads(ours));
    const g2 = Object.values(paramGrads(reference));
    g1.forEach((g, i) => assert.ok(maxDiff(g, g2[i]) < 1e-3));
  });
});
