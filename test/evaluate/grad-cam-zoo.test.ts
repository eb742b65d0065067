import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { findFeatureLayer, gradCam } from '../../src/evaluate/grad-cam.js';
import { buildModel } from '../../src/models/index.js';

before(async () => {
  await initBackend();
});

// One member of each convolutional family of the zoo, small enough for the cpu backend; the
// layer Grad-CAM picks is the one Keras' Grad-CAM examples name for these architectures.
const CASES: Array<{ name: string; size: number; layer: string; map: number }> = [
  { name: 'small_cnn', size: 28, layer: 'conv2', map: 14 },
  { name: 'alexnet_mini', size: 64, layer: 'conv2d_4', map: 4 },
  { name: 'googlenet', size: 64, layer: 'inception_5b_output', map: 2 },
  { name: 'mobilenet_v2', size: 64, layer: 'out_relu', map: 2 },
  { name: 'efficientnet_b0', size: 64, layer: 'top_activation', map: 2 },
];

for (const c of CASES) {
  test(`Grad-CAM on ${c.name}: last convolutional map, values in [0, 1]`, () => {
    const model = buildModel(c.name, { inputShape: [c.size, c.size, 3], classes: 2 });
    const feature = findFeatureLayer(model);
    assert.match(feature.sourceLayer.name, new RegExp(`^${c.layer}`));
    const x = tf.randomUniform([1, c.size, c.size, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const cam = gradCam(model, x, 1);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.deepEqual([cam.height, cam.width], [c.map, c.map]);
    assert.ok(cam.heatmap.every((v) => Number.isFinite(v) && v >= 0 && v <= 1));
    const max = Math.max(...cam.heatmap);
    assert.ok(max === 1 || max === 0, 'scaled to its maximum');
    x.dispose();
    model.dispose();
  });
}
