import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { freeze, splitFrozenPrefix } from '../../src/freeze/index.js';
import { FrozenFeatureDataset } from '../../src/train/feature-cache.js';
import { fit, makeOptimizer, setRandomSeed } from '../../src/train/index.js';
import { initTrainingBackend, syntheticDataset, tinyCnn, weightsOf } from '../train/helpers.js';

before(async () => {
  await initTrainingBackend();
});

test('the frozen prefix ends at the one tensor the trainable part reads; dropout stops it', () => {
  setRandomSeed(1);
  const model = tinyCnn({ batchNorm: true });
  assert.equal(splitFrozenPrefix(model), undefined, 'nothing frozen');
  freeze(model, { until: 3 });
  const split = splitFrozenPrefix(model)!;
  // rescale, conv1, bn1 frozen; pool1 and flatten have no weights: the cut is before the dense head.
  assert.equal(split.cut, 5);
  assert.deepEqual(split.prefix.outputs[0].shape, [null, 64]);
  assert.deepEqual(
    split.suffix.layers.map((l) => l.name),
    ['flatten_features', 'out'],
  );
  assert.equal(split.suffix.getLayer('out'), model.getLayer('out'), 'the suffix shares the layer');
  const withDropout = tinyCnn({ batchNorm: true, dropout: 0.5 });
  freeze(withDropout, { until: 3 });
  assert.equal(splitFrozenPrefix(withDropout)!.cut, 5, 'the cut stops before the dropout');
  const x = tf.randomUniform([3, 8, 8, 1], 0, 255, 'float32', 2);
  const whole = model.predict(x) as tf.Tensor;
  const parts = tf.tidy(() => split.suffix.predict(split.prefix.predict(x) as tf.Tensor) as tf.Tensor);
  const gap = tf.max(tf.abs(tf.sub(whole, parts))).dataSync()[0];
  assert.ok(gap < 1e-6, `prefix then suffix gives the model's output (gap ${gap})`);
  tf.dispose([x, whole, parts]);
});

test('training on cached prefix outputs runs the prefix once per image and trains what training the whole model trains', async () => {
  const train = () => syntheticDataset({ perClass: 8, batchSize: 4, shuffleSeed: 5 });
  const run = async (cached: boolean) => {
    setRandomSeed(4);
    const model = tinyCnn({ batchNorm: true });
    freeze(model, { until: 3 });
    const tensors = tf.memory().numTensors;
    const options = {
      epochs: 3,
      optimizer: makeOptimizer({ name: 'adam', learningRate: 0.01 }),
      verbose: 0 as const,
    };
    if (!cached) {
      await fit(model, train(), options);
      return { weights: weightsOf(model), computed: 0 };
    }
    const split = splitFrozenPrefix(model)!;
    const features = new FrozenFeatureDataset(train(), split.prefix);
    await fit(split.suffix, features, options);
    options.optimizer.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    return { weights: weightsOf(model), computed: features.computed };
  };
  const plain = await run(false);
  const cached = await run(true);
  assert.equal(cached.computed, 16, 'each of the 16 images once, over 3 epochs');
  assert.equal(cached.weights.length, plain.weights.length);
  cached.weights.forEach((w, i) => {
    const gap = Math.max(...w.map((v, j) => Math.abs(v - plain.weights[i][j])));
    assert.ok(gap < 1e-5, `weight ${i} differs by ${gap}`);
  });
});
