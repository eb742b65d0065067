import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import {
  cosineDecay,
  CSVLogger,
  EarlyStopping,
  formatFilepath,
  loadModel,
  loadWeights,
  ModelCheckpoint,
  fit,
  getLearningRate,
  LearningRateScheduler,
  makeOptimizer,
  ProgbarLogger,
  ReduceLROnPlateau,
  setRandomSeed,
  TerminateOnNaN,
  Callback,
  type TrainingContext,
} from '../../src/train/index.js';
import { initTrainingBackend, syntheticDataset, tinyCnn } from './helpers.js';

before(async () => {
  await initTrainingBackend();
});

/** Runs callbacks over a scripted metric sequence; before epoch e every weight is set to e. */
async function drive(
  callbacks: Callback[],
  values: number[],
  monitor = 'val_loss',
  optimizer: tf.Optimizer = tf.train.adam(0.001),
) {
  const model = tinyCnn();
  const lines: string[] = [];
  const context: TrainingContext = {
    model,
    optimizer,
    stopTraining: false,
    epochs: values.length,
    steps: 1,
    history: [],
    log: (l) => lines.push(l),
  };
  callbacks.forEach((cb) => cb.setContext(context));
  for (const cb of callbacks) await cb.onTrainBegin();
  let epochsRun = 0;
  const lrs: number[] = [];
  for (let e = 0; e < values.length && !context.stopTraining; e++) {
    model.weights.forEach((w) => w.write(tf.fill(w.shape as number[], e)));
    for (const cb of callbacks) await cb.onEpochBegin(e);
    lrs.push(getLearningRate(optimizer));
    for (const cb of callbacks) await cb.onEpochEnd(e, { [monitor]: values[e] });
    epochsRun++;
  }
  for (const cb of callbacks) await cb.onTrainEnd();
  const weightValue = model.weights[0].read().dataSync()[0];
  return { epochsRun, weightValue, context, lines, lrs };
}

test('EarlyStopping stops after `patience` epochs without improvement and restores the best weights', async () => {
  const es = new EarlyStopping({ patience: 2, restoreBestWeights: true, verbose: 1 });
  const r = await drive([es], [1.0, 0.8, 0.85, 0.9, 0.1, 0.05]);
  assert.equal(r.epochsRun, 4, 'stops at the end of epoch 4 (2 epochs after the best, epoch 2)');
  assert.equal(es.stoppedEpoch, 3);
  assert.equal(es.bestEpoch, 1);
  assert.equal(r.weightValue, 1, 'weights of the best epoch (index 1)');
  assert.equal(r.context.restoredEpoch, 2);
  assert.ok(r.lines.some((l) => l.includes('Restoring model weights from the end of the best epoch: 2')));
});

test('EarlyStopping restores the best weights also when training runs out of epochs', async () => {
  const es = new EarlyStopping({ patience: 10, restoreBestWeights: true });
  const r = await drive([es], [0.5, 0.3, 0.4, 0.6]);
  assert.equal(r.epochsRun, 4);
  assert.equal(es.stoppedEpoch, 0);
  assert.equal(r.weightValue, 1);
});

test('EarlyStopping: minDelta, mode max, baseline and startFromEpoch', async () => {
  // Improvements smaller than minDelta do not count.
  const a = new EarlyStopping({ patience: 1, minDelta: 0.1 });
  assert.equal((await drive([a], [1.0, 0.95, 0.92, 0.5])).epochsRun, 2);
  // Accuracy is maximised in auto mode.
  const b = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
  assert.equal((await drive([b], [0.5, 0.6, 0.55, 0.9], 'val_accuracy')).epochsRun, 3);
  // Improving without beating the baseline does not reset the wait (Keras 3): the first worse epoch stops.
  const c = new EarlyStopping({ patience: 2, baseline: 0.1 });
  assert.equal((await drive([c], [1.0, 0.9, 0.8, 0.85, 0.84, 0.83])).epochsRun, 4);
  const noBaseline = new EarlyStopping({ patience: 2 });
  assert.equal((await drive([noBaseline], [1.0, 0.9, 0.8, 0.85, 0.84, 0.83])).epochsRun, 5);
  // Nothing is watched before startFromEpoch.
  const d = new EarlyStopping({ patience: 0, startFromEpoch: 3, restoreBestWeights: true });
  const rd = await drive([d], [0.1, 0.5, 0.9, 1.0, 1.2]);
  assert.equal(rd.epochsRun, 5);
  assert.equal(rd.weightValue, 3, 'best among the watched epochs');
});

test('ReduceLROnPlateau multiplies the learning rate by factor after patience epochs, down to minLR, with cooldown', async () => {
  for (const name of ['adam', 'sgd', 'rmsprop'] as const) {
    const optimizer = makeOptimizer({ name, learningRate: 0.1 });
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 2, minLR: 0.02, cooldown: 1 });
    const r = await drive([cb], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 'val_loss', optimizer);
    // Keras: the cooldown counts down at the start of the same epoch-end check, so after a reduction
    // the next one comes 2 epochs later; the rate never goes below minLR.
    assert.deepEqual(r.lrs, [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02], name);
    assert.equal(getLearningRate(optimizer), 0.02);
  }
});

test('ReduceLROnPlateau changes the rate of the live optimizer: an SGD step uses the new rate', async () => {
  const v = tf.variable(tf.scalar(1));
  const sgd = tf.train.sgd(0.1);
  const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 1 });
  await drive([cb], [1, 1], 'val_loss', sgd);
  assert.equal(getLearningRate(sgd), 0.05);
  sgd.minimize(() => tf.mul(v, 2) as tf.Scalar, false, [v]);
  assert.ok(Math.abs(v.dataSync()[0] - (1 - 0.05 * 2)) < 1e-7);
  v.dispose();
});

test('cosine decay with warm-up: linear rise, half cosine, floor at alpha × peak', () => {
  const s = cosineDecay({
    initialLearningRate: 0,
    warmupTarget: 0.1,
    warmupEpochs: 4,
    decayEpochs: 10,
    alpha: 0.1,
  });
  const lr = (e: number) => s(e, 0);
  [0, 0.025, 0.05, 0.075].forEach((v, e) => assert.ok(Math.abs(lr(e) - v) < 1e-12, `epoch ${e}`));
  assert.ok(Math.abs(lr(4) - 0.1) < 1e-12);
  assert.ok(Math.abs(lr(9) - 0.1 * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 2)) + 0.1)) < 1e-12);
  assert.ok(Math.abs(lr(14) - 0.01) < 1e-12);
  assert.ok(Math.abs(lr(40) - 0.01) < 1e-12);
});

test('LearningRateScheduler sets the rate at the start of each epoch and fit records it as lr', async () => {
  setRandomSeed(1);
  const model = tinyCnn();
  const data = syntheticDataset({ perClass: 4, batchSize: 8 });
  const schedule = (epoch: number) => 0.01 / (epoch + 1);
  const { history } = await fit(model, data, {
    epochs: 3,
    optimizer: makeOptimizer('adam'),
    callbacks: [new LearningRateScheduler(schedule)],
    verbose: 0,
  });
  assert.deepEqual(
    history.map((h) => h.lr),
    [0.01, 0.005, 0.01 / 3],
  );
});

test('ReduceLROnPlateau and EarlyStopping in a real run: lr recorded, best weights restored', async () => {
  setRandomSeed(8);
  const model = tinyCnn();
  const data = syntheticDataset({ perClass: 6, batchSize: 4 });
  // A huge learning rate makes val_loss jump around, so both callbacks act.
  const result = await fit(model, data, {
    epochs: 8,
    optimizer: makeOptimizer({ name: 'sgd', learningRate: 5 }),
    validationData: data,
    callbacks: [
      new ReduceLROnPlateau({ factor: 0.5, patience: 1, minDelta: 0 }),
      new EarlyStopping({ patience: 3, restoreBestWeights: true }),
    ],
    verbose: 0,
  });
  const lrs = result.history.map((h) => h.lr);
  assert.ok(
    lrs.some((lr) => lr < 5),
    `lr reduced: ${lrs}`,
  );
  const best = result.history.reduce((a, b) => (b.val_loss < a.val_loss ? b : a));
  assert.equal(result.restoredEpoch, best.epoch);
  const { evaluateLosses } = await import('../../src/train/index.js');
  const now = await evaluateLosses(model, data);
  assert.ok(
    Math.abs(now.loss - best.val_loss) < 1e-5,
    `restored weights give the best val_loss ${best.val_loss}, got ${now.loss}`,
  );
});

test('TerminateOnNaN ends training at the batch whose loss is not finite', async () => {
  setRandomSeed(1);
  const model = tinyCnn();
  const data = syntheticDataset({ perClass: 8, batchSize: 4 });
  // NaN output weights make every later loss NaN by IEEE arithmetic on any CPU (clipping keeps NaN).
  const batchesSeen: number[] = [];
  class PoisonOutputAfterBatch1 extends Callback {
    readonly name = 'PoisonOutputAfterBatch1';
    override async onBatchEnd(batch: number): Promise<void> {
      batchesSeen.push(batch);
      if (batch !== 1) return;
      const out = model.getLayer('out');
      const [kernel, bias] = out.getWeights();
      const poisoned = tf.fill(kernel.shape, NaN);
      out.setWeights([poisoned, bias]);
      poisoned.dispose();
    }
  }
  const result = await fit(model, data, {
    epochs: 5,
    callbacks: [new TerminateOnNaN(), new PoisonOutputAfterBatch1()],
    verbose: 0,
  });
  assert.equal(result.stopReason, 'stopped');
  assert.equal(result.history.length, 1);
  assert.deepEqual(batchesSeen, [0, 1, 2]);
});

test('ProgbarLogger prints one line per epoch when not a terminal', async () => {
  setRandomSeed(1);
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d) => (text += String(d)));
  const model = tinyCnn();
  const data = syntheticDataset({ perClass: 4, batchSize: 4 });
  await fit(model, data, {
    epochs: 2,
    validationData: data,
    callbacks: [new ProgbarLogger({ stream, live: false })],
    verbose: 0,
  });
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^Epoch 1\/2 - 2\/2 - \d+s \d+(ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - lr: 0\.0010$/,
  );
});

test('ModelCheckpoint fills the file name from the logs and with saveBestOnly saves only improvements', async () => {
  assert.equal(formatFilepath('m-{epoch:02d}-{val_loss:.2f}', { epoch: 3, val_loss: 0.12345 }), 'm-03-0.12');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-mc-'));
  const best = new ModelCheckpoint({
    filepath: path.join(dir, 'best-{epoch}'),
    saveBestOnly: true,
    saveWeightsOnly: true,
  });
  await drive([best], [0.5, 0.4, 0.45, 0.3]);
  assert.deepEqual(
    best.saved.map((p) => path.basename(p)),
    ['best-1', 'best-2', 'best-4'],
  );
  // The weights saved at epoch 4 are the ones the model had then (every weight = 3).
  const model = tinyCnn();
  await loadWeights(model, path.join(dir, 'best-4'));
  assert.ok(
    model.weights.every((w) =>
      w
        .read()
        .dataSync()
        .every((v) => v === 3),
    ),
  );
  const every = new ModelCheckpoint({ filepath: path.join(dir, 'all-{epoch}') });
  await drive([every], [0.5, 0.6]);
  const loaded = await loadModel(path.join(dir, 'all-2'));
  assert.equal(loaded.getWeights()[0].dataSync()[0], 1);
  loaded.dispose();
});

test('EarlyStopping, ReduceLROnPlateau and ModelCheckpoint agree on what an improvement is', async () => {
  // With minDelta 0.05, 0.5 → 0.46 is not an improvement, 0.46 → 0.40 is (it beats 0.5 by 0.1); NaN never is.
  const values = [0.5, 0.46, NaN, 0.4];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-improve-'));
  const checkpoint = new ModelCheckpoint({
    filepath: path.join(dir, 'best-{epoch}'),
    saveBestOnly: true,
    saveWeightsOnly: true,
    minDelta: 0.05,
  });
  const early = new EarlyStopping({ minDelta: 0.05, patience: 10 });
  const reduce = new ReduceLROnPlateau({ minDelta: 0.05, patience: 10 });
  await drive([checkpoint, early, reduce], values);
  assert.deepEqual(
    checkpoint.saved.map((p) => path.basename(p)),
    ['best-1', 'best-4'],
  );
  assert.equal(early.best, 0.4);
  assert.equal(early.bestEpoch, 3);
  assert.equal(reduce.best, 0.4);
  assert.equal(reduce.wait, 0);
  assert.throws(() => new ReduceLROnPlateau({ factor: 1.5 }), /factor 1\.5 is out of range/);
});

test('CSVLogger writes history.csv-style rows after each epoch, appending when asked', async () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'visionlab-csv-')), 'log.csv');
  const data = syntheticDataset({ perClass: 4, batchSize: 4 });
  setRandomSeed(1);
  await fit(tinyCnn(), data, {
    epochs: 2,
    validationData: data,
    callbacks: [new CSVLogger(file)],
    verbose: 0,
  });
  let lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'epoch,loss,accuracy,val_loss,val_accuracy,lr');
  assert.deepEqual(
    lines.slice(1).map((l) => l.split(',')[0]),
    ['1', '2'],
  );
  await fit(tinyCnn(), data, { epochs: 1, callbacks: [new CSVLogger(file, { append: true })], verbose: 0 });
  lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[3].split(',')[4], '', 'no validation in the appended run');
});
