import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import {
  Augmentation,
  augmentDataset,
  createRng,
  parseAugmentation,
  PixelDataset,
  RandomBrightness,
  RandomContrast,
  RandomCrop,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
} from '../../src/data/index.js';
import { ramp } from './helpers/ramp.js';

const grid = (t: tf.Tensor4D, i = 0): number[][] =>
  (t.arraySync() as number[][][][])[i].map((row) => row.map((px) => Math.round(px[0] * 1000) / 1000));

describe('augmentation layers', () => {
  before(() => initBackend());

  it('RandomFlip flips each image with probability ½, only the named axis', () => {
    const images = ramp(64, 2, 3);
    const out = new RandomFlip('horizontal').apply(images, createRng(1), true);
    let flipped = 0;
    for (let i = 0; i < 64; i++) {
      const original = grid(images, i);
      const got = grid(out, i);
      const mirrored = original.map((row) => [...row].reverse());
      assert.ok(
        JSON.stringify(got) === JSON.stringify(original) || JSON.stringify(got) === JSON.stringify(mirrored),
        `image ${i} is the original or its mirror`,
      );
      if (JSON.stringify(got) === JSON.stringify(mirrored)) flipped++;
    }
    assert.ok(flipped > 16 && flipped < 48, `${flipped} of 64 flipped`);
    const vertical = new RandomFlip('vertical').apply(images, createRng(2), true);
    for (let i = 0; i < 64; i++) {
      const got = grid(vertical, i);
      assert.ok(
        [JSON.stringify(grid(images, i)), JSON.stringify(grid(images, i).reverse())].includes(
          JSON.stringify(got),
        ),
      );
    }
    tf.dispose([images, out, vertical]);
  });

  it('RandomRotation by a quarter turn rotates counter-clockwise, as Keras does', () => {
    const image = ramp(1, 3, 3);
    const out = new RandomRotation([0.25, 0.25], { interpolation: 'nearest' }).apply(
      image,
      createRng(0),
      true,
    );
    // Counter-clockwise: the top row becomes the left column, read bottom-up.
    assert.deepEqual(grid(out), [
      [2, 12, 22],
      [1, 11, 21],
      [0, 10, 20],
    ]);
    tf.dispose([image, out]);
  });

  it('RandomTranslation shifts by the fraction of the size, filling as asked', () => {
    const image = ramp(1, 2, 4);
    const out = new RandomTranslation(0, [0.25, 0.25], {
      fillMode: 'constant',
      fillValue: -1,
      interpolation: 'nearest',
    }).apply(image, createRng(0), true);
    assert.deepEqual(grid(out), [
      [-1, 0, 1, 2],
      [-1, 10, 11, 12],
    ]);
    tf.dispose([image, out]);
  });

  it('RandomZoom with a positive factor zooms out about the centre', () => {
    const image = ramp(1, 1, 5);
    const out = new RandomZoom(0, [1, 1], {
      fillMode: 'constant',
      fillValue: -1,
      interpolation: 'nearest',
    }).apply(image, createRng(0), true);
    // Zoom factor 2 on width: output x samples input 2x − 2.
    assert.deepEqual(grid(out), [[-1, 0, 2, 4, -1]]);
    tf.dispose([image, out]);
  });

  it('RandomContrast scales about each image’s mean and clips to [0, 255]', () => {
    const images = tf.tensor4d([100, 150, 0, 250], [2, 1, 2, 1]);
    const out = new RandomContrast([-1, 1]).apply(images, createRng(0), true); // factor exactly 2
    assert.deepEqual(out.arraySync(), [[[[75], [175]]], [[[0], [255]]]]);
    tf.dispose([images, out]);
  });

  it('RandomBrightness adds factor × 255 and clips', () => {
    const images = tf.tensor4d([0, 100, 240], [1, 1, 3, 1]);
    const out = new RandomBrightness([0.1, 0.1]).apply(images, createRng(0), true);
    assert.deepEqual(
      (out.arraySync() as number[][][][])[0][0].map((p) => Math.round(p[0] * 10) / 10),
      [25.5, 125.5, 255],
    );
    tf.dispose([images, out]);
  });

  it('RandomCrop takes a window in training and Keras’ smart resize at inference', () => {
    const images = ramp(8, 4, 5);
    const crop = new RandomCrop(2, 3);
    assert.deepEqual(crop.outputShape([4, 5, 1]), [2, 3, 1]);
    const train = crop.apply(images, createRng(3), true);
    assert.deepEqual(train.shape, [8, 2, 3, 1]);
    const corners = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const g = grid(train, i);
      const top = Math.floor((g[0][0] - 100 * i) / 10);
      const left = (g[0][0] - 100 * i) % 10;
      assert.ok(top <= 2 && left <= 2);
      corners.add(`${top},${left}`);
      assert.deepEqual(
        g,
        grid(images, i)
          .slice(top, top + 2)
          .map((row) => row.slice(left, left + 3)),
      );
    }
    assert.ok(corners.size > 1, 'windows vary between images');
    // Inference: the largest 3:2 window of the 4×5 image is 3×5 at the top left, resized to 2×3 with
    // half-pixel centres; the ramp 10·y + x is linear, so bilinear sampling is exact:
    // rows at y = 0.25, 1.75 and columns at x = 1/3, 2, 11/3.
    const centre = crop.apply(images, createRng(3), false);
    assert.deepEqual(grid(centre), [
      [2.833, 4.5, 6.167],
      [17.833, 19.5, 21.167],
    ]);
    tf.dispose([images, train, centre]);
  });
});

describe('Augmentation pipeline', () => {
  before(() => initBackend());

  it('is reproducible from (seed, epoch, step), identity outside training, and leaks no tensors', () => {
    const images = ramp(4, 6, 6);
    const aug = parseAugmentation(
      'flip=horizontal,rotation=0.1,zoom=0.1,translation=0.1,contrast=0.2,brightness=0.1',
      42,
    );
    const before = tf.memory().numTensors;
    const a = aug.apply(images, { epoch: 1, step: 2 });
    const b = aug.apply(images, { epoch: 1, step: 2 });
    const c = aug.apply(images, { epoch: 1, step: 3 });
    const d = parseAugmentation(
      'flip=horizontal,rotation=0.1,zoom=0.1,translation=0.1,contrast=0.2,brightness=0.1',
      43,
    ).apply(images, { epoch: 1, step: 2 });
    const off = aug.apply(images, { training: false });
    assert.deepEqual(a.arraySync(), b.arraySync());
    assert.notDeepEqual(a.arraySync(), c.arraySync());
    assert.notDeepEqual(a.arraySync(), d.arraySync());
    assert.deepEqual(off.arraySync(), images.arraySync());
    tf.dispose([a, b, c, d, off]);
    assert.equal(tf.memory().numTensors, before);
    images.dispose();
  });

  it('parses flag strings into Keras-named layers and rejects bad ones clearly', () => {
    const aug = parseAugmentation(
      'flip=horizontal, rotation=0.1, zoom=-0.2:0.1, translation=0.1x0.2, crop=24x32',
    );
    assert.deepEqual(
      aug.layers.map((l) => l.name),
      ['RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomTranslation', 'RandomCrop'],
    );
    assert.deepEqual(aug.layers[2].getConfig().heightFactor, [-0.2, 0.1]);
    assert.deepEqual(aug.layers[3].getConfig().widthFactor, 0.2);
    assert.deepEqual(aug.outputShape([28, 40, 3]), [24, 32, 3]);
    assert.match(aug.describe(), /^RandomFlip\(mode=horizontal\) → RandomRotation\(factor=0\.1/);
    assert.deepEqual(
      parseAugmentation(['flip', 'rotate=0.1', 'translate=0.1']).layers.map((l) => l.name),
      ['RandomFlip', 'RandomRotation', 'RandomTranslation'],
    );
    assert.ok(parseAugmentation('').isEmpty);
    assert.ok(parseAugmentation('none').isEmpty);
    for (const badSpec of [
      'spin=0.1',
      'rotation=abc',
      'flip=sideways',
      'crop=12xabc',
      'zoom',
      'brightness=3',
    ]) {
      assert.throws(
        () => parseAugmentation(badSpec),
        (err: Error) =>
          err instanceof VisionlabError && /Augmentation "/.test(err.message) && /Keys:/.test(err.message),
        badSpec,
      );
    }
  });

  it('augmentDataset augments every training batch, reproducibly per epoch', async () => {
    const n = 6;
    const pixels = Array.from({ length: n }, (_, i) =>
      Uint8Array.from({ length: 16 }, (_, j) => (i * 16 + j) % 256),
    );
    const base = new PixelDataset({
      classNames: ['a', 'b'],
      imageShape: [4, 4, 1],
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
      sources: pixels.map((_, i) => `mem#${i}`),
      batchSize: 4,
      labelMode: 'int',
      shuffle: false,
      seed: 0,
      concurrency: 2,
      prefetch: 1,
      memoryCacheBytes: 0,
      load: async (i) => pixels[i],
      onWarning: () => {},
    });
    const augmented = augmentDataset(
      base,
      new Augmentation([new RandomFlip('horizontal'), new RandomCrop(3, 3)], 9),
    );
    assert.deepEqual(augmented.imageShape, [3, 3, 1]);
    const epoch = async (e: number) => {
      const out: number[][] = [];
      for await (const batch of augmented.batches(e)) {
        out.push(Array.from(batch.x.dataSync()));
        tf.dispose([batch.x, batch.y!]);
      }
      return out;
    };
    const evaluation = augmentDataset(
      base,
      new Augmentation([new RandomFlip('horizontal'), new RandomCrop(3, 3)], 9),
      {
        training: false,
      },
    );
    const centre = (await evaluation.batches(0).next()).value!;
    // Inference: no flip; image 0 (pixels 0…15 in a 4×4 grid) is smart-resized to 3×3: samples at
    // 1/6, 3/2, 17/6 along each axis of the linear ramp 4·y + x.
    const expected = [1 / 6, 1.5, 17 / 6].flatMap((y) => [1 / 6, 1.5, 17 / 6].map((x) => 4 * y + x));
    Array.from(centre.x.dataSync() as Float32Array)
      .slice(0, 9)
      .forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-4, `${v} ≈ ${expected[k]}`));
    tf.dispose([centre.x, centre.y!]);
    assert.equal(augmentDataset(base, parseAugmentation('flip=horizontal'), { training: false }), base);
    const first = await epoch(0);
    assert.equal(first.length, 2);
    assert.equal(first[0].length, 4 * 9);
    assert.deepEqual(await epoch(0), first);
    assert.notDeepEqual(await epoch(1), first);
  });
});
