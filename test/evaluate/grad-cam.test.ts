import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { findFeatureLayer, gradCam } from '../../src/evaluate/grad-cam.js';
import { colourModel, IMAGE_SIZE } from './fixtures/fake-run.js';

before(async () => {
  await initBackend();
});

/** Left half red, right half blue, in `tf` preprocessing units ([-1, 1]). */
function halfRedHalfBlue(): tf.Tensor4D {
  const pixels = new Float32Array(IMAGE_SIZE * IMAGE_SIZE * 3).fill(-1);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      pixels[(y * IMAGE_SIZE + x) * 3 + (x < IMAGE_SIZE / 2 ? 0 : 2)] = 1;
    }
  }
  return tf.tensor4d(pixels, [1, IMAGE_SIZE, IMAGE_SIZE, 3]);
}

function expectedHalves(redSide: boolean): number[] {
  return Array.from({ length: IMAGE_SIZE * IMAGE_SIZE }, (_, i) =>
    i % IMAGE_SIZE < IMAGE_SIZE / 2 === redSide ? 1 : 0,
  );
}

// The conv layer's centre tap copies red into channel 1 and blue into channel 0 (ReLU keeps the
// positive side): A₁ = 1 on the left, A₀ = 1 on the right. With logits 2·(f₁ − f₀) after global pooling,
// ∂logit_red/∂A = (−2, +2)/64 per cell, so the map for "red" is relu(A₁ − A₀) scaled: exactly the left half.
test('Grad-CAM lights up the red half for "red" and the blue half for "blue"', () => {
  const model = colourModel('softmax');
  const x = halfRedHalfBlue();
  const before = tf.memory().numTensors;
  const red = gradCam(model, x, 1);
  const blue = gradCam(model, x, 0);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.equal(red.layerName, 'conv');
  assert.deepEqual([red.height, red.width], [IMAGE_SIZE, IMAGE_SIZE]);
  assert.deepEqual(Array.from(red.heatmap), expectedHalves(true));
  assert.deepEqual(Array.from(blue.heatmap), expectedHalves(false));
  x.dispose();
  model.dispose();
});

test('Grad-CAM with one sigmoid unit: class 0 is the negated logit', () => {
  const model = colourModel('sigmoid');
  const x = halfRedHalfBlue();
  assert.deepEqual(Array.from(gradCam(model, x, 1).heatmap), expectedHalves(true));
  assert.deepEqual(Array.from(gradCam(model, x, 0).heatmap), expectedHalves(false));
  x.dispose();
  model.dispose();
});

// Seeded weights: with unlucky random ones every class-2 weight can be negative, the map all zero and the
// expected value 0/0.
const seeded = (seed: number) => tfl.initializers.glorotUniform({ seed });

test('Grad-CAM through a branching graph inside a nested backbone picks the backbone output', () => {
  const inner = tfl.input({ shape: [8, 8, 3] });
  const a = tfl.layers
    .conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'branch_a', kernelInitializer: seeded(1) })
    .apply(inner) as tfl.SymbolicTensor;
  const b = tfl.layers
    .conv2d({ filters: 2, kernelSize: 1, name: 'branch_b', kernelInitializer: seeded(2) })
    .apply(inner) as tfl.SymbolicTensor;
  const merged = tfl.layers.concatenate({ name: 'merge' }).apply([a, b]) as tfl.SymbolicTensor;
  const act = tfl.layers.activation({ activation: 'relu', name: 'act' }).apply(merged) as tfl.SymbolicTensor;
  const backbone = tfl.model({ inputs: inner, outputs: act, name: 'backbone' });
  const input = tfl.input({ shape: [8, 8, 3] });
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(backbone.apply(input)) as tfl.SymbolicTensor;
  const head = tfl.layers
    .dense({ units: 3, activation: 'softmax', name: 'head', kernelInitializer: seeded(3) })
    .apply(pooled) as tfl.SymbolicTensor;
  const outer = tfl.model({ inputs: input, outputs: head });
  assert.equal(findFeatureLayer(outer).sourceLayer.name, 'backbone');
  assert.equal(findFeatureLayer(backbone).sourceLayer.name, 'act');
  assert.equal(findFeatureLayer(backbone, 'branch_a').sourceLayer.name, 'branch_a');

  const x = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const cam = gradCam(outer, x, 2);
  assert.equal(cam.layerName, 'backbone');
  // By hand: A = backbone(x); α_k = mean of ∂logit₂/∂A_k = W[k, 2] / 64 (global pooling, then Dense).
  const expected = tf.tidy(() => {
    const features = backbone.predict(x) as tf.Tensor4D;
    const w = tf.reshape(tf.slice(outer.getLayer('head').getWeights()[0], [0, 2], [4, 1]), [1, 1, 1, 4]);
    const map = tf.relu(tf.sum(tf.mul(features, tf.div(w, 64)), -1));
    return tf.div(map, tf.max(map)).dataSync();
  });
  cam.heatmap.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]) < 1e-5, `cell ${i}: ${v} vs ${expected[i]}`),
  );
  x.dispose();
  outer.dispose();
});

test('a model without a spatial feature map is refused with a clear message', () => {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 2, inputShape: [4], activation: 'softmax' })],
  });
  assert.throws(
    () => gradCam(model, tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 0),
    /Grad-CAM needs a convolutional model/,
  );
  assert.throws(() => findFeatureLayer(model, 'nope'), /has no layer "nope"/);
  model.dispose();
});

test('a pooling layer after the last convolution is passed over for the finer map', () => {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 2,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'last_conv',
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.flatten({}),
      tfl.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  assert.equal(findFeatureLayer(model).sourceLayer.name, 'last_conv');
  assert.equal(findFeatureLayer(model, 'pool').sourceLayer.name, 'pool', 'unless asked for');
  model.dispose();
});
