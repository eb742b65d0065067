import assert from 'node:assert/strict';
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { loadModelFromDir } from '../../src/evaluate/load-model.js';
import { loadModel, saveModel } from '../../src/train/model-io.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-model-io-'));

before(async () => {
  await initBackend();
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

function denseModel(): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: 3, inputShape: [4], name: 'dense' })],
  });
  model.setUserDefinedMetadata({ classNames: ['a', 'b', 'c'] });
  return model;
}

test('train and evaluate load a saved model identically, metadata included', async () => {
  const dir = path.join(tmp, 'saved');
  const model = denseModel();
  await saveModel(model, dir);
  const x = tf.tensor2d([[1, -2, 0.5, 3]]);
  const expected = (model.predict(x) as tf.Tensor).arraySync();
  for (const loaded of [await loadModel(dir), await loadModelFromDir(dir)]) {
    assert.deepEqual((loaded.predict(x) as tf.Tensor).arraySync(), expected);
    assert.deepEqual(loaded.getUserDefinedMetadata(), { classNames: ['a', 'b', 'c'] });
    loaded.dispose();
  }
  x.dispose();
  model.dispose();
});

test('a missing model.json or weight file is a user error naming the file', async () => {
  const empty = path.join(tmp, 'empty');
  await fs.mkdir(empty);
  for (const load of [loadModel, loadModelFromDir]) {
    await assert.rejects(
      load(empty),
      (e: unknown) =>
        e instanceof VisionlabError &&
        e.message.startsWith(`No model at ${path.join(empty, 'model.json')}.\n`),
    );
  }
  const partial = path.join(tmp, 'partial');
  const model = denseModel();
  await saveModel(model, partial);
  model.dispose();
  await fs.rm(path.join(partial, 'weights.bin'));
  await assert.rejects(
    loadModel(partial),
    (e: unknown) =>
      e instanceof VisionlabError &&
      /Weight file .*weights\.bin named in .*model\.json is missing/.test(e.message),
  );
});
