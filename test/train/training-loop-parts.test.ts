import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { CallbackList } from '../../src/train/callbacks/callback-list.js';
import { Callback, type Logs, type TrainingContext } from '../../src/train/callbacks/callback.js';
import { InterruptRequest } from '../../src/train/interrupt.js';
import { makeOptimizer } from '../../src/train/optimizers.js';
import { getRandomState, setRandomSeed, unsetRandomSeed } from '../../src/train/random.js';
import { readTrainingCheckpoint, TrainingState } from '../../src/train/training-state.js';
import { initTrainingBackend, tinyCnn } from './helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-loop-parts-'));

before(async () => {
  await initTrainingBackend();
});

class Recorder extends Callback {
  constructor(
    readonly name: string,
    private readonly calls: string[],
  ) {
    super();
  }
  override async onTrainBegin() {
    this.calls.push(`${this.name}.trainBegin`);
  }
  override async onEpochBegin(epoch: number) {
    this.calls.push(`${this.name}.epochBegin ${epoch}`);
  }
  override async onBatchBegin(batch: number) {
    this.calls.push(`${this.name}.batchBegin ${batch}`);
  }
  override async onBatchEnd(batch: number, logs: Logs) {
    // Awaiting here must not let the next callback run first.
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.calls.push(`${this.name}.batchEnd ${batch} loss=${logs.loss}`);
  }
  override async onEpochEnd(epoch: number, logs: Logs) {
    this.calls.push(`${this.name}.epochEnd ${epoch} loss=${logs.loss}`);
    if (this.name === 'b') this.context.stopTraining = true;
  }
  override async onTrainEnd(logs?: Logs) {
    this.calls.push(`${this.name}.trainEnd ${logs?.loss}`);
  }
}

test('CallbackList hands every hook to each callback in order, one after the other, with one context', async () => {
  const calls: string[] = [];
  const context = { stopTraining: false, log: () => {} } as unknown as TrainingContext;
  const list = new CallbackList([new Recorder('a', calls), new Recorder('b', calls)], context);
  await list.onTrainBegin();
  await list.onEpochBegin(0);
  await list.onBatchBegin(0);
  await list.onBatchEnd(0, { loss: 0.5 });
  await list.onEpochEnd(0, { loss: 0.25 });
  await list.onTrainEnd({ loss: 0.25 });
  assert.deepEqual(calls, [
    'a.trainBegin',
    'b.trainBegin',
    'a.epochBegin 0',
    'b.epochBegin 0',
    'a.batchBegin 0',
    'b.batchBegin 0',
    'a.batchEnd 0 loss=0.5',
    'b.batchEnd 0 loss=0.5',
    'a.epochEnd 0 loss=0.25',
    'b.epochEnd 0 loss=0.25',
    'a.trainEnd 0.25',
    'b.trainEnd 0.25',
  ]);
  assert.equal(context.stopTraining, true, 'a callback sets stopTraining on the shared context');
});

test('TrainingState saved mid-epoch resumes at that batch, with its totals, history and random state', async () => {
  const model = tinyCnn();
  const optimizer = makeOptimizer('adam');
  const parts = { model, optimizer, callbacks: [] };
  const file = path.join(tmp, 'mid-epoch.ckpt');
  setRandomSeed(123);
  const state = new TrainingState(1);
  state.beginEpoch();
  state.endEpoch({ epoch: 1, loss: 0.7 });
  state.beginEpoch();
  assert.equal(state.skipsBatch(), false, 'a fresh state skips nothing');
  state.totals.loss[0] += 0.5 * 4;
  state.totals.loss[1] += 0.5 * 4;
  state.totals.correct[0] += 3;
  state.totals.count += 4;
  state.batch = 2;
  Math.random();
  const randomAtSave = getRandomState();
  await state.save(file, parts);
  Math.random();
  assert.notEqual(getRandomState(), randomAtSave);

  const saved = (await readTrainingCheckpoint(file))!;
  assert.equal(saved.epoch, 1);
  assert.equal(saved.batch, 2);
  assert.deepEqual(saved.totals, { loss: [2, 2], correct: [3], count: 4 });

  const before = tf.memory().numTensors;
  const history: TrainingState['history'] = [];
  const resumed = await TrainingState.restore(file, parts, 1, history);
  assert.equal(tf.memory().numTensors, before, 'restoring leaves no tensors behind');
  assert.equal(resumed.history, history, 'the finished epochs go into the array given');
  assert.deepEqual(history, [{ epoch: 1, loss: 0.7 }]);
  assert.equal(resumed.epoch, 1);
  resumed.beginEpoch();
  assert.deepEqual(resumed.totals, { loss: [2, 2], correct: [3], count: 4 });
  assert.equal(resumed.skipsBatch(), true);
  assert.equal(resumed.skipsBatch(), true);
  assert.notEqual(getRandomState(), randomAtSave, 'the random state waits for the first trained batch');
  assert.equal(resumed.skipsBatch(), false);
  assert.equal(resumed.batch, 2);
  assert.equal(getRandomState(), randomAtSave);

  // Between epochs a checkpoint holds no running totals, and the next epoch starts from zero.
  resumed.endBatches();
  resumed.endEpoch({ epoch: 2, loss: 0.5 });
  await resumed.save(file, parts);
  const between = (await readTrainingCheckpoint(file))!;
  assert.equal(between.epoch, 2);
  assert.equal(between.batch, 0);
  assert.equal(between.totals, undefined);
  resumed.beginEpoch();
  assert.deepEqual(resumed.totals, { loss: [0, 0], correct: [0], count: 0 });
  unsetRandomSeed();
  model.dispose();
  optimizer.dispose();
});

test('InterruptRequest turns an abort or a signal into a request, says so for a signal, and stops listening', async () => {
  const controller = new AbortController();
  const lines: string[] = [];
  const listeners = process.listenerCount('SIGUSR2');
  const interrupt = new InterruptRequest(['SIGUSR2'], controller.signal, (l) => lines.push(l));
  assert.equal(process.listenerCount('SIGUSR2'), listeners + 1);
  assert.equal(interrupt.requested, false);
  process.kill(process.pid, 'SIGUSR2');
  await interrupt.letSignalsIn();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(interrupt.requested, true);
  assert.match(lines.join('\n'), /SIGUSR2: finishing the current batch, then writing a checkpoint/);
  interrupt.close();
  assert.equal(process.listenerCount('SIGUSR2'), listeners);

  const byAbort = new InterruptRequest([], controller.signal, (l) => lines.push(l));
  controller.abort();
  assert.equal(byAbort.requested, true);
  byAbort.close();
});
