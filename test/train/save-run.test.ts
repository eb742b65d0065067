import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { openRunStore } from '../../src/track/index.js';
import { fit, saveModel, saveRun } from '../../src/train/index.js';
import { imageDatasetFromDirectory } from '../../src/data/index.js';
import { runCli } from '../helpers/run-cli.js';
import { initTrainingBackend } from './helpers.js';
import { writeImageFolder } from './image-folder.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'visionlab-save-run-'));
const data = path.join(tmp, 'data');
const runs = path.join(tmp, 'runs');
before(async () => {
  await initTrainingBackend();
  await writeImageFolder(data, { perClass: 10 });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function handBuilt(): tfl.LayersModel {
  return tfl.sequential({
    name: 'my_net',
    layers: [
      tfl.layers.rescaling({ scale: 1 / 255, inputShape: [12, 12, 1] }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

test('saveRun writes a run folder that predict, the runs list and the dashboard store accept', async () => {
  const model = handBuilt();
  const train = await imageDatasetFromDirectory(data, {
    imageSize: [12, 12],
    colorMode: 'grayscale',
    seed: 1,
  });
  const { history } = await fit(model, train, { epochs: 2, verbose: 0 });
  const dir = await saveRun(model, path.join(runs, 'by-hand'), {
    classNames: [...train.classNames],
    history,
  });
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(
    [config.model, config.imageSize, config.colorMode, config.classNames, config.preprocessing],
    ['my_net', [12, 12], 'grayscale', ['bottom', 'top'], 'raw'],
  );
  const image = path.join(data, 'top', '001.png');
  const predicted = await runCli(['predict', dir, image, '--json']);
  assert.equal(predicted.code, 0, predicted.stderr);
  const [row] = JSON.parse(predicted.stdout) as Array<{ probabilities: Record<string, number> }>;
  const x = tf.tensor4d(
    Float32Array.from(await (await import('sharp')).default(image).greyscale().raw().toBuffer()),
    [1, 12, 12, 1],
  );
  const p = model.predict(x) as tf.Tensor;
  assert.ok(Math.abs(row.probabilities.top - (await p.data())[0]) < 1e-5);
  tf.dispose([x, p]);
  const store = await openRunStore(runs);
  const summary = store.get('by-hand');
  store.close();
  assert.equal(summary?.status, 'finished');
  assert.equal(summary?.model, 'my_net');
  assert.equal(summary?.epochsCompleted, 2);
  await assert.rejects(saveRun(model, dir, { classNames: ['bottom', 'top'] }), /already exists/);
  await assert.rejects(
    saveRun(model, path.join(runs, 'three'), { classNames: ['a', 'b', 'c'] }),
    /1 output unit\(s\) but classNames lists 3 classes/,
  );
  model.dispose();
});

test('visionlab train --model path/to/model.json trains a model built by hand', async () => {
  const model = handBuilt();
  const saved = path.join(tmp, 'my-net');
  await saveModel(model, saved);
  model.dispose();
  const args = ['train', '--model', path.join(saved, 'model.json'), '--data', data, '--epochs', '2'];
  const r = await runCli([...args, '--runs-dir', runs, '--name', 'from-file', '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);
  const dir = path.join(runs, 'from-file');
  const status = JSON.parse(readFileSync(path.join(dir, 'status.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(status.status, 'finished');
  assert.equal(status.epochsCompleted, 2);
  const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(config.inputShape, [12, 12, 1]);
  assert.ok(existsSync(path.join(dir, 'metrics.json')));
  const wrong = await runCli([
    ...args.slice(0, 2),
    path.join(tmp, 'nope', 'model.json'),
    '--data',
    data,
    '--runs-dir',
    runs,
  ]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /--model .*nope\/model\.json does not exist/);
});
