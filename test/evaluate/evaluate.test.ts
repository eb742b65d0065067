import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { filesDataset } from '../../src/evaluate/files-dataset.js';
import { loadModelFromDir } from '../../src/evaluate/load-model.js';
import { classProbabilities } from '../../src/evaluate/probabilities.js';
import { predictImages } from '../../src/evaluate/predict-images.js';
import { readRunInputConfig, readSplitFiles } from '../../src/evaluate/run-config.js';
import { colourModel, makeFakeRun, TEST_IMAGES, CLASS_NAMES, type FakeRun } from './fixtures/fake-run.js';

/** p(red) of the colour model, from its hand-set weights: sigmoid(4·(relu(R') − relu(B'))), c' = c/127.5 − 1. */
function expectedRed(rgb: [number, number, number]): number {
  const r = Math.max(0, rgb[0] / 127.5 - 1);
  const b = Math.max(0, rgb[2] / 127.5 - 1);
  return 1 / (1 + Math.exp(-4 * (r - b)));
}

let run: FakeRun;
before(async () => {
  await initBackend();
  run = await makeFakeRun();
});
after(() => run.cleanup());

test('evaluate: probabilities of the saved model over the test split, the corrupt file left out', async () => {
  const input = await readRunInputConfig(run.dir);
  assert.equal(input.preprocessing, 'tf');
  const files = await readSplitFiles(run.dir, 'test');
  const warnings: string[] = [];
  const dataset = filesDataset(files, input, { batchSize: 4, onWarning: (m) => warnings.push(m) });
  const model = await loadModelFromDir(path.join(run.dir, 'model'));
  const before = tf.memory().numTensors;
  const { metrics, predictions } = await evaluate(model, dataset, { preprocessing: input.preprocessing });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  model.dispose();

  assert.equal(predictions.labels.length, 6);
  assert.deepEqual(Array.from(predictions.indices), [0, 1, 2, 3, 4, 5]);
  assert.match(warnings.join('\n'), /broken\.png/);
  TEST_IMAGES.forEach((image, i) => {
    const p = expectedRed(image.rgb);
    assert.ok(
      Math.abs(predictions.probabilities[i][1] - p) < 1e-5,
      `${image.name}: ${predictions.probabilities[i][1]} vs ${p}`,
    );
  });
  // Only the purple image labelled red is called blue.
  assert.deepEqual(metrics.confusionMatrix, [
    [3, 0],
    [1, 2],
  ]);
  assert.ok(Math.abs(metrics.accuracy - 5 / 6) < 1e-12);
  // p(red) ranks r1 > r2 > b3 > b2 > r3 > b1: 7 of 9 (red, blue) pairs in order.
  assert.ok(Math.abs((metrics.rocAuc ?? 0) - 7 / 9) < 1e-12);
  assert.equal(metrics.thresholds?.positiveClass, 'red');
});

test('evaluate: a single sigmoid unit becomes [1 − p, p], and without preprocessing the result differs', async () => {
  const input = await readRunInputConfig(run.dir);
  const dataset = filesDataset(await readSplitFiles(run.dir, 'test'), input, { onWarning: () => undefined });
  const softmax = colourModel('softmax');
  const sigmoid = colourModel('sigmoid');
  const a = await evaluate(softmax, dataset, { preprocessing: 'tf' });
  const b = await evaluate(sigmoid, dataset, { preprocessing: 'tf' });
  a.predictions.probabilities.forEach((row, i) => {
    const other = b.predictions.probabilities[i];
    assert.ok(Math.abs(row[0] - other[0]) < 1e-5 && Math.abs(row[1] - other[1]) < 1e-5);
    assert.ok(Math.abs(other[0] + other[1] - 1) < 1e-6);
  });
  // Without the run's preprocessing the model sees 0–255 values and its probabilities change.
  const raw = await evaluate(softmax, dataset);
  assert.notDeepEqual(raw.predictions.probabilities, a.predictions.probabilities);
  softmax.dispose();
  sigmoid.dispose();
});

test('predictImages: a row per image, an error row for an unreadable or missing file', async () => {
  const input = await readRunInputConfig(run.dir);
  const model = await loadModelFromDir(path.join(run.dir, 'model'));
  const files = [
    path.join(run.dataDir, 'red/r1.png'),
    run.corruptFile,
    path.join(run.dataDir, 'nope.png'),
    path.join(run.dataDir, 'blue/b1.png'),
  ];
  const rows = await predictImages(model, files, input, { batchSize: 3 });
  model.dispose();
  assert.equal(rows.length, 4);
  assert.equal(rows[0].predicted, 'red');
  assert.ok(Math.abs((rows[0].probabilities?.red ?? 0) - expectedRed([255, 0, 0])) < 1e-5);
  assert.deepEqual(Object.keys(rows[0].probabilities ?? {}), CLASS_NAMES);
  assert.ok(rows[1].error && !rows[1].probabilities, 'corrupt file gives an error row');
  assert.match(rows[2].error ?? '', /not found/);
  assert.equal(rows[3].predicted, 'blue');
  assert.ok(Math.abs((rows[3].confidence ?? 0) - (1 - expectedRed([0, 0, 255]))) < 1e-5);
});

test('classProbabilities: logits of a linear output go through softmax (several units) or sigmoid (one unit)', () => {
  const logits = [
    [2, -1, 0.5],
    [0, 0, 0],
  ];
  const three = tfl.sequential({
    layers: [tfl.layers.dense({ units: 3, inputShape: [3], useBias: false, activation: 'linear' })],
  });
  three.setWeights([tf.eye(3)]);
  const x = tf.tensor2d(logits);
  const p = classProbabilities(three, x as unknown as tf.Tensor4D, 3).arraySync();
  logits.forEach((row, i) => {
    const sum = row.reduce((s, v) => s + Math.exp(v), 0);
    row.forEach((v, c) => assert.ok(Math.abs(p[i][c] - Math.exp(v) / sum) < 1e-6));
  });
  const one = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1], useBias: false })] });
  one.setWeights([tf.ones([1, 1])]);
  const q = classProbabilities(one, tf.tensor2d([[2]]) as unknown as tf.Tensor4D, 2).arraySync();
  const s = 1 / (1 + Math.exp(-2));
  assert.ok(Math.abs(q[0][0] - (1 - s)) < 1e-6 && Math.abs(q[0][1] - s) < 1e-6);
  assert.throws(
    () => classProbabilities(three, x as unknown as tf.Tensor4D, 2),
    /outputs 3 classes but 2 class names/,
  );
  x.dispose();
  three.dispose();
  one.dispose();
});
