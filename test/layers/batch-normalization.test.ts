import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { batchNormalization } from '../../src/layers/batch-normalization.js';
import { buildModel } from '../../src/models/index.js';

before(async () => {
  await initBackend();
});

function scalelessModel(layer: tfl.layers.Layer): tfl.LayersModel {
  const input = tfl.input({ shape: [3] });
  return tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
}

describe('BatchNormalization with scale: false', () => {
  it('normalizes in training with gamma 1 and beta, as Keras does', () => {
    const model = scalelessModel(batchNormalization({ scale: false, epsilon: 0 }));
    const layer = model.layers[1];
    layer.setWeights([tf.tensor1d([0.5, -1, 2]), tf.zeros([3]), tf.ones([3])]);
    // Per column: values {1, 3} have mean 2 and variance 1, so they normalize to -1 and 1, plus beta.
    const x = tf.tensor2d([
      [1, 0, 5],
      [3, 2, 7],
    ]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), [-0.5, -2, 1, 1.5, 0, 3]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('frees its constant gamma with the last model that holds the layer', () => {
    const before = tf.memory().numTensors;
    const layer = batchNormalization({ scale: false });
    const first = scalelessModel(layer);
    const second = scalelessModel(layer);
    first.dispose();
    const x = tf.ones([2, 3]);
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), [0, 0, 0, 0, 0, 0], 'still usable through the second model');
    tf.dispose([x, y]);
    second.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('inception_v3 (94 such layers) leaves no tensor behind once disposed', () => {
    const before = tf.memory().numTensors;
    const model = buildModel('inception_v3', { inputShape: [75, 75, 3], classes: 3 });
    assert.ok(tf.memory().numTensors > before + 94);
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
