import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { freeze } from '../../src/freeze/index.js';
import { VisionlabError } from '../../src/errors.js';
import { saveModel, setRandomSeed } from '../../src/train/index.js';
import { loadInitialWeights } from '../../src/train/training-setup.js';
import { assertBitEqual, initTrainingBackend, tinyCnn } from './helpers.js';

before(async () => {
  await initTrainingBackend();
});

const byLayer = (model: ReturnType<typeof tinyCnn>) =>
  model.layers.flatMap((l) => l.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array)));

test('initial weights load layer by layer, whatever was frozen when they were saved', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'visionlab-initial-'));
  try {
    setRandomSeed(1);
    const source = tinyCnn({ batchNorm: true });
    freeze(source, { until: 3 }); // conv1 and bn1 now come last in source.weights
    await saveModel(source, dir);
    setRandomSeed(2);
    const target = tinyCnn({ batchNorm: true });
    assert.ok(!assertBitEqual(byLayer(target), byLayer(source)));
    await loadInitialWeights(target, dir);
    assert.ok(assertBitEqual(byLayer(target), byLayer(source)));
    await assert.rejects(loadInitialWeights(tinyCnn({ units: 3 }), dir), VisionlabError);
    await assert.rejects(
      loadInitialWeights(target, path.join(dir, 'missing')),
      /cannot read the initial weights/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
