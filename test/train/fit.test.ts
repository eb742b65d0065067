import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { evaluateLosses, fit, makeOptimizer, setRandomSeed, splitValidation } from '../../src/train/index.js';
import {
  ArrayDataset,
  assertBitEqual,
  initTrainingBackend,
  syntheticDataset,
  syntheticImages,
  tinyCnn,
  weightsOf,
} from './helpers.js';

before(async () => {
  await initTrainingBackend();
});

function bce(p: number, y: number): number {
  const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
  return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
}

test('one fit step equals TF.js trainOnBatch with the same optimizer and loss', async () => {
  const data = syntheticDataset({ perClass: 8, batchSize: 16 });
  setRandomSeed(3);
  const ours = tinyCnn();
  setRandomSeed(3);
  const reference = tinyCnn();
  assert.ok(assertBitEqual(weightsOf(ours), weightsOf(reference)), 'same seed, same initial weights');
  await fit(ours, data, { epochs: 1, optimizer: tf.train.sgd(0.5), verbose: 0 });
  reference.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
  const s = syntheticImages({ perClass: 8 });
  const x = tf.tensor4d(s.pixels, [s.n, 8, 8, 1]);
  const y = tf.tensor2d(Array.from(s.labels), [s.n, 1]);
  await reference.trainOnBatch(x, y);
  const a = weightsOf(ours);
  const b = weightsOf(reference);
  let maxDiff = 0;
  a.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j])))));
  assert.ok(maxDiff < 1e-5, `weights differ by ${maxDiff}`);
  // And the weights did move.
  const start = (setRandomSeed(3), weightsOf(tinyCnn()));
  assert.ok(!assertBitEqual(start, a));
  tf.dispose([x, y]);
});

test('class weights scale each example loss (Keras: weighted sum over the batch size)', async () => {
  const data = syntheticDataset({ perClass: 6, batchSize: 12 });
  setRandomSeed(5);
  const model = tinyCnn();
  const s = syntheticImages({ perClass: 6 });
  const x = tf.tensor4d(s.pixels, [s.n, 8, 8, 1]);
  const p = (model.predict(x) as tf.Tensor).dataSync();
  const weights = { 0: 2.5, 1: 0.5 };
  let expected = 0;
  s.labels.forEach((y, i) => (expected += weights[y as 0 | 1] * bce(p[i], y)));
  expected /= s.n;
  const { history } = await fit(model, data, {
    epochs: 1,
    optimizer: tf.train.sgd(0),
    classWeight: weights,
    verbose: 0,
  });
  assert.ok(Math.abs(history[0].loss - expected) < 1e-5, `${history[0].loss} vs ${expected}`);
  x.dispose();
});

test('several outputs: loss = Σ lossWeights × output loss, per-output logs by output name', async () => {
  setRandomSeed(11);
  const input = tfl.input({ shape: [8, 8, 1] });
  const flat = tfl.layers
    .flatten()
    .apply(tfl.layers.rescaling({ scale: 1 / 255 }).apply(input)) as tfl.SymbolicTensor;
  const main = tfl.layers
    .dense({ units: 1, activation: 'sigmoid', name: 'main' })
    .apply(flat) as tfl.SymbolicTensor;
  const aux = tfl.layers
    .dense({ units: 1, activation: 'sigmoid', name: 'aux' })
    .apply(flat) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: [main, aux] });
  const data = syntheticDataset({ perClass: 6, batchSize: 12 });
  const { history } = await fit(model, data, {
    epochs: 1,
    optimizer: tf.train.sgd(0),
    lossWeights: [1, 0.3],
    validationData: data,
    verbose: 0,
  });
  const h = history[0];
  assert.ok(Math.abs(h.loss - (h.main_loss + 0.3 * h.aux_loss)) < 1e-6);
  assert.ok(Math.abs(h.val_loss - (h.val_main_loss + 0.3 * h.val_aux_loss)) < 1e-6);
  assert.equal(h.accuracy, h.main_accuracy);
  assert.ok(h.aux_loss > 0 && h.main_loss > 0);
});

test('validation metrics equal evaluateLosses on the validation set; history has lr', async () => {
  setRandomSeed(2);
  const model = tinyCnn();
  const train = syntheticDataset({ perClass: 8, batchSize: 4, seed: 1 });
  const validation = syntheticDataset({ perClass: 4, batchSize: 3, seed: 9 });
  const { history } = await fit(model, train, {
    epochs: 2,
    optimizer: makeOptimizer({ name: 'adam', learningRate: 0.01 }),
    validationData: validation,
    verbose: 0,
  });
  const logs = await evaluateLosses(model, validation);
  assert.ok(Math.abs(history[1].val_loss - logs.loss) < 1e-6);
  assert.equal(history[1].val_accuracy, logs.accuracy);
  assert.equal(history[1].lr, 0.01);
  assert.deepEqual(
    history.map((r) => r.epoch),
    [1, 2],
  );
});

test('no tensors leak across training steps and epochs', async () => {
  setRandomSeed(4);
  const model = tinyCnn({ dropout: 0.2 });
  const data = syntheticDataset({ perClass: 8, batchSize: 4, shuffleSeed: 1 });
  const optimizer = tf.train.adam(0.01);
  await fit(model, data, { epochs: 1, optimizer, validationData: data, verbose: 0 });
  const before = tf.memory().numTensors;
  await fit(model, data, { epochs: 3, optimizer, validationData: data, verbose: 0 });
  assert.equal(tf.memory().numTensors, before);
});

test('the same seed gives an identical history and identical weights (with Dropout and shuffling)', async () => {
  const run = async () => {
    setRandomSeed(1234);
    const model = tinyCnn({ dropout: 0.3 });
    const data = syntheticDataset({ perClass: 10, batchSize: 4, shuffleSeed: 5 });
    const { history } = await fit(model, data, {
      epochs: 3,
      optimizer: makeOptimizer({ name: 'adam', learningRate: 0.01 }),
      validationData: data,
      verbose: 0,
    });
    return { history, weights: weightsOf(model) };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.history, b.history);
  assert.ok(assertBitEqual(a.weights, b.weights));
  assert.ok(a.history[2].loss < a.history[0].loss, 'it learns');
});

test('validationSplit holds out the examples with the last indices, as Keras does', async () => {
  const s = syntheticImages({ perClass: 10, seed: 4 });
  const all = new ArrayDataset(s.pixels, s.labels, 8, 2, 6, 3);
  const { train, validation } = splitValidation(all, 0.25);
  assert.equal(train.length, 15);
  assert.equal(validation.length, 5);
  assert.deepEqual(Array.from(validation.labels), Array.from(s.labels.slice(15)));
  let seen = 0;
  for await (const b of train.batches(1)) {
    assert.ok(b.indices.every((i) => i < 15));
    assert.equal(b.x.shape[0], b.indices.length);
    seen += b.indices.length;
    b.x.dispose();
    b.y?.dispose();
  }
  assert.equal(seen, 15);
  setRandomSeed(6);
  const model = tinyCnn();
  const { history } = await fit(model, all, {
    epochs: 1,
    optimizer: tf.train.sgd(0.1),
    validationSplit: 0.25,
    verbose: 0,
  });
  const last5 = new ArrayDataset(s.pixels.slice(15 * 64), s.labels.slice(15), 8, 2, 5);
  const expected = await evaluateLosses(model, last5);
  assert.ok(Math.abs(history[0].val_loss - expected.loss) < 1e-6);
});
