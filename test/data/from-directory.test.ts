import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { imageDatasetFromDirectory, imageDatasetSplitsFromDirectory } from '../../src/data/index.js';
import type { ImageDataset } from '../../src/data/index.js';
import { tempDir, writeClassTree, writeImage } from './fixtures.js';

async function collect(ds: ImageDataset, epoch = 0) {
  const xs: number[][] = [];
  const ys: number[][] = [];
  const indices: number[] = [];
  for await (const batch of ds.batches(epoch)) {
    xs.push(...(batch.x.arraySync() as number[][][][]).map((img) => img.flat(2)));
    if (batch.y) ys.push(...(batch.y.arraySync() as number[][]).map((row) => [row].flat()));
    indices.push(...batch.indices);
    batch.x.dispose();
    batch.y?.dispose();
  }
  return { xs, ys, indices };
}

const quiet = { onWarning: () => undefined };

describe('imageDatasetFromDirectory', () => {
  const tmp = tempDir();
  const root = path.join(tmp.dir, 'tree');
  before(async () => {
    await initBackend();
    await writeClassTree(root, { normal: 5, damaged: 3 });
  });
  after(() => tmp.cleanup());

  it('labels from sorted folder names, int labels, float32 pixels in [0, 255]', async () => {
    const ds = await imageDatasetFromDirectory(root, {
      imageSize: [4, 4],
      batchSize: 3,
      shuffle: false,
      ...quiet,
    });
    assert.deepEqual(ds.classNames, ['damaged', 'normal']);
    assert.equal(ds.length, 8);
    assert.equal(ds.numBatches(), 3);
    assert.deepEqual(ds.imageShape, [4, 4, 3]);
    assert.deepEqual([...ds.labels], [0, 0, 0, 1, 1, 1, 1, 1]);
    const before = tf.memory().numTensors;
    const batches = [];
    for await (const batch of ds.batches()) {
      assert.equal(batch.x.dtype, 'float32');
      assert.equal(batch.y?.dtype, 'int32');
      batches.push(batch.x.shape[0]);
      batch.x.dispose();
      batch.y?.dispose();
    }
    assert.deepEqual(batches, [3, 3, 2]);
    assert.equal(tf.memory().numTensors, before);
    const { xs, ys } = await collect(ds);
    // damaged is class 1 in writing order (grey 10 + i); normal is class 0 (grey i).
    assert.deepEqual(
      xs.map((x) => x[0]),
      [10, 11, 12, 0, 1, 2, 3, 4],
    );
    assert.ok(xs.every((x) => x.every((v) => v === x[0])));
    assert.deepEqual(ys.flat(), [0, 0, 0, 1, 1, 1, 1, 1]);
  });

  it('honours classNames order and the categorical, binary and none label modes', async () => {
    const common = {
      imageSize: [2, 2] as const,
      batchSize: 8,
      shuffle: false,
      classNames: ['normal', 'damaged'],
      ...quiet,
    };
    const cat = await collect(await imageDatasetFromDirectory(root, { ...common, labelMode: 'categorical' }));
    assert.deepEqual(cat.ys[0], [1, 0]);
    assert.deepEqual(cat.ys[7], [0, 1]);
    const bin = await collect(await imageDatasetFromDirectory(root, { ...common, labelMode: 'binary' }));
    assert.deepEqual(bin.ys.flat(), [0, 0, 0, 0, 0, 1, 1, 1]);
    const none = await imageDatasetFromDirectory(root, {
      ...common,
      classNames: undefined,
      labelMode: 'none',
    });
    const first = await none.batches().next();
    assert.equal(first.value?.y, undefined);
    first.value?.x.dispose();
    await assert.rejects(
      imageDatasetFromDirectory(root, { ...common, classNames: ['normal', 'broken'] }),
      (err: Error) => err instanceof VisionlabError && /Not found: broken/.test(err.message),
    );
  });

  it('grayscale and rgba colour modes give 1 and 4 channels', async () => {
    const gray = await imageDatasetFromDirectory(root, {
      imageSize: [3, 5],
      colorMode: 'grayscale',
      shuffle: false,
      ...quiet,
    });
    assert.deepEqual(gray.imageShape, [3, 5, 1]);
    const { xs } = await collect(gray);
    assert.equal(xs[0].length, 15);
    assert.equal(xs[0][0], 10);
    const rgba = await imageDatasetFromDirectory(root, {
      imageSize: [2, 2],
      colorMode: 'rgba',
      shuffle: false,
      ...quiet,
    });
    const { xs: xa } = await collect(rgba);
    assert.deepEqual(xa[0].slice(0, 4), [10, 10, 10, 255]);
  });

  it('shuffles as a pure function of (seed, epoch), covering every example once', async () => {
    const options = { imageSize: [2, 2] as const, batchSize: 3, seed: 7, ...quiet };
    const a = await imageDatasetFromDirectory(root, options);
    const b = await imageDatasetFromDirectory(root, options);
    const a0 = (await collect(a, 0)).indices;
    assert.deepEqual(a0, (await collect(b, 0)).indices);
    assert.deepEqual([...a0].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.notDeepEqual(a0, (await collect(a, 1)).indices);
  });

  it('validationSplit with subset splits like Keras: disjoint, floor(fraction · n) for validation', async () => {
    const options = { imageSize: [2, 2] as const, validationSplit: 0.3, seed: 3, ...quiet };
    const { train, validation } = await imageDatasetFromDirectory(root, { ...options, subset: 'both' });
    assert.equal(validation.length, 2);
    assert.equal(train.length, 6);
    assert.equal(new Set([...train.sources, ...validation.sources]).size, 8);
    const alone = await imageDatasetFromDirectory(root, { ...options, subset: 'validation' });
    assert.deepEqual(alone.sources, validation.sources);
    await assert.rejects(imageDatasetFromDirectory(root, { validationSplit: 0.2, ...quiet }), /subset/);
    await assert.rejects(
      imageDatasetFromDirectory(root, { validationSplit: 0.2, subset: 'training', ...quiet }),
      /seed/,
    );
  });

  it('three-way split is stratified, disjoint and reproducible from the seed', async () => {
    const big = path.join(tmp.dir, 'big');
    await writeClassTree(big, { a: 20, b: 10 }, 4);
    const options = { imageSize: [2, 2] as const, validationSplit: 0.2, testSplit: 0.1, seed: 11, ...quiet };
    const one = await imageDatasetSplitsFromDirectory(big, options);
    const two = await imageDatasetSplitsFromDirectory(big, options);
    const count = (ds: ImageDataset, c: number) => [...ds.labels].filter((l) => l === c).length;
    assert.deepEqual([count(one.train, 0), count(one.validation, 0), count(one.test, 0)], [14, 4, 2]);
    assert.deepEqual([count(one.train, 1), count(one.validation, 1), count(one.test, 1)], [7, 2, 1]);
    const all = [...one.train.sources, ...one.validation.sources, ...one.test.sources];
    assert.equal(new Set(all).size, 30);
    assert.deepEqual(one.test.sources, two.test.sources);
    assert.equal(one.train.shuffle, true);
    assert.equal(one.test.shuffle, false, 'held-out sets keep a stable order');
    const other = await imageDatasetSplitsFromDirectory(big, { ...options, seed: 12 });
    assert.notDeepEqual(other.validation.sources, one.validation.sources);
  });

  it('cropToAspectRatio crops the centre instead of squashing', async () => {
    const wide = path.join(tmp.dir, 'wide');
    // 12×4: left third black, middle third white, right third black.
    const { writeRaw } = await import('./fixtures.js');
    const pixels = new Uint8Array(12 * 4);
    for (let y = 0; y < 4; y++) for (let x = 4; x < 8; x++) pixels[y * 12 + x] = 255;
    await writeRaw(path.join(wide, 'a', '0.png'), pixels, 12, 4, 1);
    await writeRaw(path.join(wide, 'b', '0.png'), pixels, 12, 4, 1);
    const cropped = await imageDatasetFromDirectory(wide, {
      imageSize: [4, 4],
      colorMode: 'grayscale',
      cropToAspectRatio: true,
      interpolation: 'nearest',
      shuffle: false,
      ...quiet,
    });
    assert.ok((await collect(cropped)).xs[0].every((v) => v === 255));
    const squashed = await imageDatasetFromDirectory(wide, {
      imageSize: [4, 4],
      colorMode: 'grayscale',
      interpolation: 'area',
      shuffle: false,
      ...quiet,
    });
    // Area resampling 12 → 4: columns average 3 source pixels: [0,0,0], [0,255,255], [255,255,0], [0,0,0].
    assert.deepEqual((await collect(squashed)).xs[0].slice(0, 4), [0, 170, 170, 0]);
  });
});

describe('imageDatasetFromDirectory errors', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('a missing folder, an empty folder and a single class are clear errors', async () => {
    await assert.rejects(
      imageDatasetFromDirectory(path.join(tmp.dir, 'nope'), quiet),
      (err: Error) => err instanceof VisionlabError && /does not exist/.test(err.message),
    );
    const empty = path.join(tmp.dir, 'empty');
    await writeImage(path.join(empty, 'stray.png'));
    await assert.rejects(imageDatasetFromDirectory(empty, quiet), /no class sub-folders/);
    const single = path.join(tmp.dir, 'single');
    await writeClassTree(single, { only: 3 });
    await assert.rejects(
      imageDatasetFromDirectory(single, quiet),
      (err: Error) => err instanceof VisionlabError && /Only one class \(only\)/.test(err.message),
    );
  });
});
