import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { initBackend } from '../../src/engine/backend.js';
import { predictDataset } from '../../src/evaluate/evaluate.js';
import { filesDataset } from '../../src/evaluate/files-dataset.js';
import { predictImages } from '../../src/evaluate/predict-images.js';
import { classProbabilities } from '../../src/evaluate/probabilities.js';
import { readRunInputConfig } from '../../src/evaluate/run-config.js';
import { CAFFE_MEAN_BGR } from '../../src/models/preprocess.js';
import { evaluateRun } from '../../src/report/evaluate-run.js';
import { explainImage } from '../../src/report/explain.js';
import { RunModelCache } from '../../src/serve/run-model.js';
import { preprocessDataset } from '../../src/train/preprocess-dataset.js';
import { loadRunModel } from '../../src/train/run-folder.js';
import { CLASS_NAMES, colourModel, IMAGE_SIZE, makeFakeRun, type FakeRun } from './fixtures/fake-run.js';

let run: FakeRun;
let image: string;
let dataDir: string;
/** The test image's pixels, RGB row-major, as written (PNG is lossless and the size is the model's). */
const pixels = new Uint8Array(IMAGE_SIZE * IMAGE_SIZE * 3);

before(async () => {
  await initBackend();
  // caffe moves every value (BGR order, mean subtracted): a path that skipped or changed it would differ.
  run = await makeFakeRun({ preprocessing: 'caffe' });
  for (let i = 0; i < IMAGE_SIZE * IMAGE_SIZE; i++) {
    const [y, x] = [Math.floor(i / IMAGE_SIZE), i % IMAGE_SIZE];
    pixels.set([x * 30 + 10, 250 - y * 25, (x * y * 7) % 256], i * 3);
  }
  dataDir = path.join(path.dirname(run.dir), 'one-image');
  image = path.join(dataDir, 'red', 'gradient.png');
  await fs.mkdir(path.dirname(image), { recursive: true });
  await fs.mkdir(path.join(dataDir, 'blue'), { recursive: true });
  const raw = { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 as const } };
  await sharp(Buffer.from(pixels), raw).png().toFile(image);
  await fs.copyFile(image, path.join(dataDir, 'blue', 'gradient.png'));
});
after(() => run.cleanup());

/** The colour model on the caffe-preprocessed pixels, preprocessed here by hand. */
function expectedProbabilities(preprocess: boolean): number[] {
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      x[i + c] = preprocess ? pixels[i + 2 - c] - CAFFE_MEAN_BGR[c] : pixels[i + c];
    }
  }
  const model = colourModel();
  const out = tf.tidy(() => model.predict(tf.tensor4d(x, [1, IMAGE_SIZE, IMAGE_SIZE, 3])) as tf.Tensor);
  const values = Array.from(out.dataSync());
  out.dispose();
  model.dispose();
  return values;
}

test('the same image gets identical probabilities from predict, explain, evaluate and the dashboard', async () => {
  const tensorsBefore = tf.memory().numTensors;
  const input = await readRunInputConfig(run.dir);

  const model = await loadRunModel(run.dir);
  const [predicted] = await predictImages(model, [image], input);
  const fromPredict = CLASS_NAMES.map((c) => predicted.probabilities![c]);
  // A run's own split (dataset.json) is read through filesDataset.
  const files = [{ path: image, label: 1 }];
  const fromSplit = (await predictDataset(model, filesDataset(files, input), input)).probabilities[0];
  // The batches training fed the model: preprocessDataset over the same decoded images.
  const training = preprocessDataset(filesDataset(files, input), input.preprocessing!);
  let fromTraining: number[] = [];
  for await (const batch of training.batches(0)) {
    const probs = classProbabilities(model, batch.x, CLASS_NAMES.length);
    fromTraining = Array.from(probs.dataSync());
    probs.dispose();
    batch.x.dispose();
    batch.y?.dispose();
  }
  model.dispose();

  const explained = await explainImage(run.dir, image);
  const fromExplain = CLASS_NAMES.map((c) => explained.probabilities[c]);

  const evaluated = await evaluateRun(run.dir, { dataDir, batchSize: 1, report: false });
  assert.equal(evaluated.predictions.probabilities.length, 2);
  const [fromEvaluate, fromEvaluateCopy] = evaluated.predictions.probabilities;

  const cache = new RunModelCache();
  const answer = await cache.predict('colour-run', run.dir, await fs.readFile(image));
  cache.dispose();
  const fromDashboard = CLASS_NAMES.map((c) => answer.predictions.find((p) => p.label === c)!.probability);

  assert.deepEqual(fromTraining, fromPredict, 'training batches = predict');
  assert.deepEqual(fromSplit, fromPredict, 'evaluate on a split = predict');
  assert.deepEqual(fromExplain, fromPredict, 'explain = predict');
  assert.deepEqual(fromEvaluate, fromPredict, 'evaluate = predict');
  assert.deepEqual(fromEvaluateCopy, fromPredict, 'evaluate (second file) = predict');
  assert.deepEqual(fromDashboard, fromPredict, 'dashboard = predict');
  assert.equal(answer.preprocessing, 'caffe');
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no path leaves a tensor behind');

  const expected = expectedProbabilities(true);
  fromPredict.forEach((p, c) =>
    assert.ok(Math.abs(p - expected[c]) < 1e-5, `class ${c}: ${p} vs ${expected[c]}`),
  );
  // The check can tell: without the preprocessing the model says something else.
  const unprepared = expectedProbabilities(false);
  assert.ok(Math.abs(unprepared[1] - expected[1]) > 0.05, `${unprepared[1]} vs ${expected[1]}`);
});
