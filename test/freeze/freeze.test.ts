import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../../src/errors.js';
import { countTrainableWeights, freeze, unfreeze } from '../../src/freeze/index.js';
import { fit, makeOptimizer, setRandomSeed } from '../../src/train/index.js';
import { assertBitEqual, initTrainingBackend, syntheticDataset, tinyCnn } from '../train/helpers.js';

before(async () => {
  await initTrainingBackend();
});

const layerWeights = (model: ReturnType<typeof tinyCnn>, name: string) =>
  model
    .getLayer(name)
    .getWeights()
    .map((w) => Float32Array.from(w.dataSync() as Float32Array));

test('freeze({until}) freezes the first N layers and reports the trainable weight-variable counts', () => {
  setRandomSeed(1);
  const model = tinyCnn({ batchNorm: true });
  assert.deepEqual(
    model.layers.map((l) => l.name),
    ['rescale', 'conv1', 'bn1', 'pool1', 'flatten', 'out'],
  );
  assert.equal(countTrainableWeights(model), 6);
  const report = freeze(model, { until: 3 });
  // conv1 3·3·1·4 + 4 = 40, bn1 gamma and beta 8 (its moving statistics 8 more, never trainable), out 4·4·4 + 1 = 65
  assert.deepEqual(report, {
    layers: ['rescale', 'conv1', 'bn1'],
    indices: [0, 1, 2],
    changed: ['rescale', 'conv1', 'bn1'],
    params: { before: 113, after: 65, total: 121 },
    variables: { before: 6, after: 2, total: 8 },
    description: 'froze 48 of 121 parameters (39.7 %), 4 of 6 weight variables: layers 0–2',
  });
  assert.equal(model.getLayer('conv1').trainable, false);
  assert.equal(model.getLayer('out').trainable, true);
  const back = unfreeze(model);
  assert.deepEqual(back.variables, { before: 2, after: 6, total: 8 });
  assert.deepEqual(back.params, { before: 65, after: 113, total: 121 });
});

test('freeze({names}) freezes by pattern; bad arguments are user errors', () => {
  setRandomSeed(1);
  const model = tinyCnn({ batchNorm: true });
  const report = freeze(model, { names: /^(conv|bn)\d$/ });
  assert.deepEqual(report.layers, ['conv1', 'bn1']);
  assert.equal(report.variables.after, 2);
  // Criteria add up: the first layer and the layers named out.
  unfreeze(model);
  assert.deepEqual(freeze(model, { until: 1, names: 'out' }).layers, ['rescale', 'out']);
  assert.throws(() => freeze(model, { until: 99 }), /freeze until=99 is not a whole number from 0 to 6/);
  assert.throws(() => freeze(model, { names: /^nothing$/ }), VisionlabError);
  assert.throws(() => freeze(model, {}), VisionlabError);
  assert.throws(() => freeze(model, { stages: 1 }), /layer names show its stages/);
  assert.deepEqual(freeze(model, { backbone: true }).layers, ['rescale', 'conv1', 'bn1', 'pool1']);
});

test('freeze({kinds}) freezes every layer of those classes, in any case; an absent kind names the kinds there are', () => {
  setRandomSeed(1);
  const model = tinyCnn({ batchNorm: true });
  const report = freeze(model, { kinds: ['batchnormalization'] });
  assert.deepEqual(report.layers, ['bn1']);
  // bn1's gamma and beta: 8 parameters, 2 variables; its moving statistics were never trainable.
  assert.deepEqual(report.params, { before: 113, after: 105, total: 121 });
  assert.deepEqual(report.variables, { before: 6, after: 4, total: 8 });
  unfreeze(model);
  assert.deepEqual(freeze(model, { kinds: ['Conv2D', 'Dense'] }).layers, ['conv1', 'out']);
  assert.throws(
    () => freeze(model, { kinds: ['LayerNormalization'] }),
    (err: Error) =>
      err instanceof VisionlabError &&
      /no layer of kind LayerNormalization/.test(err.message) &&
      /BatchNormalization, Conv2D, Dense, Flatten, MaxPooling2D, Rescaling/.test(String(err.hint)),
  );
});

test('frozen layers keep their weights bit for bit through training; their BatchNormalization runs in inference mode', async () => {
  setRandomSeed(2);
  const model = tinyCnn({ batchNorm: true });
  const data = syntheticDataset({ perClass: 8, batchSize: 4, shuffleSeed: 3 });
  // Give the frozen BatchNormalization non-trivial statistics first.
  await fit(model, data, {
    epochs: 1,
    optimizer: makeOptimizer({ name: 'adam', learningRate: 0.01 }),
    verbose: 0,
  });
  freeze(model, { until: 3 });
  const conv = layerWeights(model, 'conv1');
  const bn = layerWeights(model, 'bn1');
  const out = layerWeights(model, 'out');
  const x = tf.randomUniform([5, 8, 8, 1], 0, 255, 'float32', 7);
  const asTraining = model.apply(x, { training: true }) as tf.Tensor;
  const asInference = model.predict(x) as tf.Tensor;
  assert.deepEqual(Array.from(asTraining.dataSync()), Array.from(asInference.dataSync()));
  await fit(model, data, {
    epochs: 2,
    optimizer: makeOptimizer({ name: 'adam', learningRate: 0.01 }),
    verbose: 0,
  });
  assert.ok(assertBitEqual(layerWeights(model, 'conv1'), conv), 'conv1 unchanged');
  assert.ok(
    assertBitEqual(layerWeights(model, 'bn1'), bn),
    'bn1 gamma, beta, moving mean and variance unchanged',
  );
  assert.ok(!assertBitEqual(layerWeights(model, 'out'), out), 'the head trained');
  // Unfrozen again, BatchNormalization uses batch statistics in training mode.
  unfreeze(model);
  const again = model.apply(x, { training: true }) as tf.Tensor;
  const inference = model.predict(x) as tf.Tensor;
  assert.notDeepEqual(Array.from(again.dataSync()), Array.from(inference.dataSync()));
  tf.dispose([x, asTraining, asInference, again, inference]);
});
