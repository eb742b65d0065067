import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { freeze, splitFrozenPrefix } from '../../src/freeze/index.js';
import { FrozenFeatureDataset } from '../../src/train/feature-cache.js';
import {
  clearPrefixFeatureMemory,
  fit,
  makeOptimizer,
  PrefixFeatureStore,
  frozenFeatures,
  prefixFeatureKeys,
  setRandomSeed,
} from '../../src/train/index.js';
import { initTrainingBackend, syntheticDataset, tinyCnn, weightsOf } from '../train/helpers.js';

before(async () => {
  await initTrainingBackend();
});

test('the frozen prefix ends at the one tensor the trainable part reads; dropout stops it', () => {
  setRandomSeed(1);
  const model = tinyCnn({ batchNorm: true });
  assert.equal(splitFrozenPrefix(model), undefined, 'nothing frozen');
  freeze(model, { until: 3 });
  const split = splitFrozenPrefix(model)!;
  // rescale, conv1, bn1 frozen; pool1 and flatten have no weights: the cut is before the dense head.
  assert.equal(split.cut, 5);
  assert.deepEqual(split.prefix.outputs[0].shape, [null, 64]);
  assert.deepEqual(
    split.suffix.layers.map((l) => l.name),
    ['flatten_features', 'out'],
  );
  assert.equal(split.suffix.getLayer('out'), model.getLayer('out'), 'the suffix shares the layer');
  const withDropout = tinyCnn({ batchNorm: true, dropout: 0.5 });
  freeze(withDropout, { until: 3 });
  assert.equal(splitFrozenPrefix(withDropout)!.cut, 5, 'the cut stops before the dropout');
  const x = tf.randomUniform([3, 8, 8, 1], 0, 255, 'float32', 2);
  const whole = model.predict(x) as tf.Tensor;
  const parts = tf.tidy(() => split.suffix.predict(split.prefix.predict(x) as tf.Tensor) as tf.Tensor);
  const gap = tf.max(tf.abs(tf.sub(whole, parts))).dataSync()[0];
  assert.ok(gap < 1e-6, `prefix then suffix gives the model's output (gap ${gap})`);
  tf.dispose([x, whole, parts]);
});

test('training on cached prefix outputs runs the prefix once per image and trains what training the whole model trains', async () => {
  const train = () => syntheticDataset({ perClass: 8, batchSize: 4, shuffleSeed: 5 });
  const run = async (cached: boolean) => {
    setRandomSeed(4);
    const model = tinyCnn({ batchNorm: true });
    freeze(model, { until: 3 });
    const tensors = tf.memory().numTensors;
    const options = {
      epochs: 3,
      optimizer: makeOptimizer({ name: 'adam', learningRate: 0.01 }),
      verbose: 0 as const,
    };
    if (!cached) {
      await fit(model, train(), options);
      return { weights: weightsOf(model), computed: 0 };
    }
    const split = splitFrozenPrefix(model)!;
    const features = new FrozenFeatureDataset(train(), split.prefix);
    await fit(split.suffix, features, options);
    options.optimizer.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    return { weights: weightsOf(model), computed: features.computed };
  };
  const plain = await run(false);
  const cached = await run(true);
  assert.equal(cached.computed, 16, 'each of the 16 images once, over 3 epochs');
  assert.equal(cached.weights.length, plain.weights.length);
  cached.weights.forEach((w, i) => {
    const gap = Math.max(...w.map((v, j) => Math.abs(v - plain.weights[i][j])));
    assert.ok(gap < 1e-5, `weight ${i} differs by ${gap}`);
  });
});

test('prefix outputs kept in the store: a later run with the same prefix, weights and images reads them, from disk too', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'prefix-store-'));
  try {
    clearPrefixFeatureMemory();
    const images = () => syntheticDataset({ perClass: 6, batchSize: 4, shuffleSeed: 5 });
    const build = (weights?: tf.Tensor[]) => {
      setRandomSeed(4);
      const model = tinyCnn({ batchNorm: true });
      freeze(model, { until: 3 });
      if (weights) model.setWeights(weights);
      return { model, split: splitFrozenPrefix(model)! };
    };
    const drain = async (dataset: FrozenFeatureDataset) => {
      const out: number[] = [];
      for await (const batch of dataset.batches(0)) {
        out.push(...(await batch.x.data()));
        tf.dispose([batch.x, batch.y!]);
      }
      return out;
    };
    const first = build();
    const store = new PrefixFeatureStore({ dir });
    const key = prefixFeatureKeys(first.model, [first.split.cut], images(), 'raw')[0];
    const a = new FrozenFeatureDataset(images(), first.split.prefix, { store, key });
    const expected = await drain(a);
    assert.equal(a.computed, 12);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.f32'));
    assert.deepEqual(files, [`${key}.f32`], 'one file for the set, under its key');

    // Another build (its layers get other names) with the same weights: the same key; from disk alone.
    clearPrefixFeatureMemory();
    const second = build(first.model.getWeights());
    const tensors = tf.memory().numTensors;
    const sameKey = prefixFeatureKeys(second.model, [second.split.cut], images(), 'raw')[0];
    assert.equal(sameKey, key);
    const b = new FrozenFeatureDataset(images(), second.split.prefix, { store, key: sameKey });
    assert.deepEqual(await drain(b), expected);
    assert.equal(b.computed, 0, 'nothing computed');
    assert.equal(b.loaded, 12);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');

    // Other preprocessing, other images or other weights: other keys.
    assert.notEqual(prefixFeatureKeys(second.model, [second.split.cut], images(), 'tf')[0], key);
    const fewer = syntheticDataset({ perClass: 5, batchSize: 4 });
    assert.notEqual(prefixFeatureKeys(second.model, [second.split.cut], fewer, 'raw')[0], key);
    const conv = second.model.getLayer('conv1');
    const changed = conv.getWeights().map((w) => tf.tidy(() => tf.add(w, 0.01)));
    conv.setWeights(changed);
    assert.notEqual(prefixFeatureKeys(second.model, [second.split.cut], images(), 'raw')[0], key);

    // Bounded: a store of 1 byte keeps no set on disk after a save.
    const small = new PrefixFeatureStore({ dir, maxDiskBytes: 1 });
    await small.save('other', new Float32Array(4));
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.endsWith('.f32')),
      [],
    );
    tf.dispose(changed);
    first.model.dispose();
    second.model.dispose();
  } finally {
    clearPrefixFeatureMemory();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a deeper frozen prefix is computed from a shallower one’s cached outputs, running only the layers between', async () => {
  clearPrefixFeatureMemory();
  try {
    const images = () => syntheticDataset({ perClass: 6, batchSize: 4, shuffleSeed: 5 });
    setRandomSeed(4);
    const model = tinyCnn({ batchNorm: true });
    const store = new PrefixFeatureStore();
    // A trial freezing rescale and conv1: its prefix ends at conv1's output (layers 0–1).
    freeze(model, { until: 2 });
    const shallow = splitFrozenPrefix(model)!;
    assert.equal(shallow.cut, 2);
    const first = frozenFeatures(model, shallow, images(), store, 'raw');
    assert.equal(first.origin, 'the images');
    for await (const batch of first.dataset.batches(0)) tf.dispose([batch.x, batch.y!]);
    // A later trial (the same weights) freezing bn1 too: its prefix (layers 0–4) starts from those outputs.
    setRandomSeed(4);
    const again = tinyCnn({ batchNorm: true });
    freeze(again, { until: 3 });
    const deep = splitFrozenPrefix(again)!;
    assert.equal(deep.cut, 5);
    const tensors = tf.memory().numTensors;
    const later = frozenFeatures(again, deep, images(), store, 'raw');
    assert.equal(later.origin, 'the cached outputs of layers 0–1, through layers 2–4');
    const viaShallow: number[] = [];
    for await (const batch of later.dataset.batches(0)) {
      viaShallow.push(...(await batch.x.data()));
      tf.dispose([batch.x, batch.y!]);
    }
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
    const direct: number[] = [];
    for await (const batch of images().batches(0)) {
      const out = deep.prefix.predict(batch.x) as tf.Tensor;
      direct.push(...(await out.data()));
      tf.dispose([out, batch.x, batch.y!]);
    }
    const gap = Math.max(...direct.map((v, i) => Math.abs(v - viaShallow[i])));
    assert.ok(gap < 1e-5, `the same outputs as the whole prefix on the images (gap ${gap})`);
    // Now cached under its own key: a third trial reads it whole.
    assert.equal(frozenFeatures(again, deep, images(), store, 'raw').origin, 'the cache');
    model.dispose();
    again.dispose();
  } finally {
    clearPrefixFeatureMemory();
  }
});
