import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { loadOrBuildModel } from '../../src/train/load-or-build-model.js';
import { saveModel } from '../../src/train/model-io.js';
import { colourModel } from '../evaluate/fixtures/fake-run.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'vl-load-or-build-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('loadOrBuildModel: a zoo name with build options, or a saved model by its folder, run folder or model.json', async () => {
  await initBackend();
  const zoo = await loadOrBuildModel('alexnet_mini', { inputShape: [140, 140, 3], classes: 5 });
  assert.equal(zoo.label, 'alexnet_mini');
  assert.deepEqual(zoo.model.inputs[0].shape, [null, 140, 140, 3]);
  assert.deepEqual(zoo.model.outputs[0].shape, [null, 5]);
  assert.equal(typeof zoo.preprocessing, 'string');
  zoo.model.dispose();

  const saved = colourModel();
  const runDir = path.join(tmp, 'run');
  await saveModel(saved, path.join(runDir, 'model'));
  const weights = saved.getWeights().map((w) => Array.from(w.dataSync()));
  saved.dispose();
  const tensors = tf.memory().numTensors;
  for (const where of [runDir, path.join(runDir, 'model'), path.join(runDir, 'model', 'model.json')]) {
    const loaded = await loadOrBuildModel(where);
    assert.equal(loaded.label, where);
    assert.equal(loaded.preprocessing, undefined);
    assert.deepEqual(
      loaded.model.getWeights().map((w) => Array.from(w.dataSync())),
      weights,
      where,
    );
    loaded.model.dispose();
  }
  await assert.rejects(loadOrBuildModel('no_such_net'), /no model called "no_such_net"/);
  assert.equal(tf.memory().numTensors, tensors, 'the loaded models are disposed without leftovers');
});
