import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import {
  createRng,
  DEFAULT_MAX_PIXELS,
  decodeImage,
  parseAugmentation,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
} from '../../src/data/index.js';
import type { AugmentationLayer } from '../../src/data/index.js';
import { transformEach, type TransformMatrix } from '../../src/data/augment/transform-each.js';
import { ramp } from './helpers/ramp.js';

// Every case runs on a batch of several different images: the geometric layers once transformed only
// the first image of a batch and left the others at the fill value (black), which batches of one hid.

type Grid = number[][];

const grids = (t: tf.Tensor4D): Grid[] =>
  (t.arraySync() as number[][][][]).map((image) =>
    image.map((row) => row.map((px) => Math.round(px[0] * 1000) / 1000)),
  );

/** The image shifted right by dx and down by dy, `fill` where nothing comes in. */
function shifted(image: Grid, dx: number, dy: number, fill: number): Grid {
  return image.map((row, y) => row.map((_, x) => image[y - dy]?.[x - dx] ?? fill));
}

function applyLayer(layer: AugmentationLayer, images: tf.Tensor4D, seed = 0): tf.Tensor4D {
  return layer.apply(images, createRng(seed), true);
}

const exact = { fillMode: 'constant', fillValue: -1, interpolation: 'nearest' } as const;

describe('geometric augmentation on batches', () => {
  before(() => initBackend());

  it('resamples exactly like the TF.js cpu kernel called image by image, every fill mode and interpolation', async () => {
    const rng = createRng(11);
    const shape: [number, number, number, number] = [4, 7, 9, 3];
    const values = Array.from({ length: 4 * 7 * 9 * 3 }, () => Math.round(rng() * 2550) / 10);
    const turn = (a: number, s: number, tx: number, ty: number): TransformMatrix => [
      s * Math.cos(a),
      -s * Math.sin(a),
      tx,
      s * Math.sin(a),
      s * Math.cos(a),
      ty,
      0,
      0,
    ];
    const matrices: TransformMatrix[] = [
      turn(0.7, 1.3, -2.4, 3.1),
      turn(-2.5, 0.6, 14.2, -9.7), // samples far outside: several periods of reflect and wrap
      [0.9, 0.2, 1.5, -0.1, 1.1, -0.5, 0.03, -0.02], // projective
      // The projection is 0 in column 2 (fill value there); column 6 samples y = −0.5 exactly, where
      // the cpu kernel's Math.round gives row 0 (the wasm kernel's rounding gives the fill value).
      [1, 0, 0, 0, 1, 0, -0.5, 0],
    ];
    const combos = (['constant', 'reflect', 'wrap', 'nearest'] as const).flatMap((fillMode) =>
      (['nearest', 'bilinear'] as const).map((interpolation) => ({
        fillMode,
        interpolation,
        fillValue: 7.5,
      })),
    );
    // The reference is the cpu backend's kernel whatever backend the tests run on, one image per call
    // (batched calls are what it gets wrong).
    const active = tf.getBackend();
    await tf.setBackend('cpu');
    const reference = combos.map((g) =>
      tf
        .tidy(() =>
          matrices.map((m, i) =>
            Array.from(
              tf.image
                .transform(
                  tf.slice(tf.tensor4d(values, shape), [i, 0, 0, 0], [1, -1, -1, -1]),
                  tf.tensor2d(m, [1, 8]),
                  g.interpolation,
                  g.fillMode,
                  g.fillValue,
                )
                .dataSync(),
            ),
          ),
        )
        .flat(),
    );
    await tf.setBackend(active);
    const images = tf.tensor4d(values, shape);
    combos.forEach((geometry, c) => {
      const got = transformEach(images, matrices, geometry);
      assert.deepEqual(
        Array.from(got.dataSync()),
        reference[c],
        `${geometry.fillMode}/${geometry.interpolation}`,
      );
      got.dispose();
    });
    images.dispose();
  });

  it('factor 0 leaves every image of the batch unchanged (default reflect, bilinear)', () => {
    const images = ramp(5, 6, 7);
    for (const layer of [new RandomTranslation(0, 0), new RandomZoom(0), new RandomRotation(0)]) {
      const out = applyLayer(layer, images);
      assert.deepEqual(grids(out), grids(images), layer.name);
      out.dispose();
    }
    images.dispose();
  });

  it('a translation of exactly k pixels shifts each image by exactly k pixels', () => {
    const images = ramp(3, 4, 6);
    const originals = grids(images);
    const cases = [
      { dx: 2, dy: 1 },
      { dx: -3, dy: 0 },
      { dx: 0, dy: -2 },
    ];
    for (const { dx, dy } of cases) {
      for (const interpolation of ['nearest', 'bilinear'] as const) {
        const layer = new RandomTranslation([dy / 4, dy / 4], [dx / 6, dx / 6], { ...exact, interpolation });
        const out = applyLayer(layer, images);
        assert.deepEqual(
          grids(out),
          originals.map((g) => shifted(g, dx, dy, -1)),
          `dx=${dx} dy=${dy} ${interpolation}`,
        );
        out.dispose();
      }
    }
    images.dispose();
  });

  it('random translations are drawn per image and each is a whole shift within the range', () => {
    const images = ramp(12, 3, 10);
    const originals = grids(images);
    const out = grids(applyLayer(new RandomTranslation(0, [0.1, 0.3], exact), images, 5));
    const shifts = out.map((got, i) => {
      const k = [1, 2, 3].find(
        (dx) => JSON.stringify(got) === JSON.stringify(shifted(originals[i], dx, 0, -1)),
      );
      assert.ok(
        k !== undefined,
        `image ${i} is its original shifted right by 1 to 3 pixels: ${JSON.stringify(got)}`,
      );
      return k;
    });
    assert.ok(new Set(shifts).size > 1, `shifts vary between images: ${shifts.join(',')}`);
    images.dispose();
  });

  it('zoom out by 2 and zoom in by 2 map a hand-made pattern to the hand-computed result', () => {
    // A plus sign of distinct values centred on a 5×5 image, repeated with an offset per image.
    const plus = [
      [0, 0, 1, 0, 0],
      [0, 0, 2, 0, 0],
      [3, 4, 5, 6, 7],
      [0, 0, 8, 0, 0],
      [0, 0, 9, 0, 0],
    ];
    const images = tf.tensor4d(
      [0, 10, 20].flatMap((offset) => plus.flat().map((v) => v + offset)),
      [3, 5, 5, 1],
    );
    // Zoom out (factor +1, scale 2): output (x, y) samples input (2x − 2, 2y − 2).
    const out = grids(applyLayer(new RandomZoom([1, 1], undefined, exact), images));
    [0, 10, 20].forEach((o, i) =>
      assert.deepEqual(out[i], [
        [-1, -1, -1, -1, -1],
        [-1, o, 1 + o, o, -1],
        [-1, 3 + o, 5 + o, 7 + o, -1],
        [-1, o, 9 + o, o, -1],
        [-1, -1, -1, -1, -1],
      ]),
    );
    // Zoom in (factor −0.5, scale ½): output (x, y) samples input (x/2 + 1, y/2 + 1), bilinear.
    const zoomIn = grids(
      applyLayer(new RandomZoom([-0.5, -0.5], undefined, { ...exact, interpolation: 'bilinear' }), images),
    );
    [0, 10, 20].forEach((o, i) =>
      assert.deepEqual(zoomIn[i], [
        [o, 1 + o, 2 + o, 1 + o, o],
        [2 + o, 2.75 + o, 3.5 + o, 3.25 + o, 3 + o],
        [4 + o, 4.5 + o, 5 + o, 5.5 + o, 6 + o],
        [2 + o, 4.25 + o, 6.5 + o, 4.75 + o, 3 + o],
        [o, 4 + o, 8 + o, 4 + o, o],
      ]),
    );
    // Width only: scale 2 horizontally, unchanged vertically.
    const wide = grids(applyLayer(new RandomZoom(0, [1, 1], exact), images));
    assert.deepEqual(wide[2][2], [-1, 23, 25, 27, -1]);
    assert.deepEqual(wide[2][0], [-1, 20, 21, 20, -1]);
    images.dispose();
  });

  it('rotation by a pinned angle matches hand-computed cases for every image', () => {
    const images = ramp(3, 3, 3);
    // 45° counter-clockwise, nearest: output (x, y) samples input (c(x−1) − s(y−1) + 1, s(x−1) + c(y−1) + 1),
    // c = s = √½, rounded.
    const eighth = grids(applyLayer(new RandomRotation([0.125, 0.125], exact), images));
    [0, 100, 200].forEach((o, i) =>
      assert.deepEqual(eighth[i], [
        [1 + o, 2 + o, 12 + o],
        [o, 11 + o, 22 + o],
        [10 + o, 20 + o, 21 + o],
      ]),
    );
    // Half a turn of a non-square image, bilinear: both axes reversed exactly.
    const wide = ramp(3, 2, 4);
    const half = grids(
      applyLayer(new RandomRotation([0.5, 0.5], { ...exact, interpolation: 'bilinear' }), wide),
    );
    grids(wide).forEach((g, i) =>
      assert.deepEqual(
        half[i],
        [...g].reverse().map((row) => [...row].reverse()),
      ),
    );
    tf.dispose([images, wide]);
  });

  it('small random geometry keeps the pixel statistics of real demo images', async () => {
    const root = fileURLToPath(new URL('../../examples/data/', import.meta.url));
    const files = ['ankle_boot', 'sneaker'].flatMap((c) =>
      readdirSync(path.join(root, c))
        .filter((f) => f.endsWith('.png'))
        .sort()
        .slice(0, 16)
        .map((f) => path.join(root, c, f)),
    );
    const spec = {
      height: 28,
      width: 28,
      colorMode: 'grayscale',
      interpolation: 'bilinear',
      cropToAspectRatio: false,
      maxPixels: DEFAULT_MAX_PIXELS,
    } as const;
    const pixels = await Promise.all(files.map((f) => decodeImage(f, spec)));
    const images = tf.tensor4d(Float32Array.from(pixels.flatMap((p) => Array.from(p))), [
      files.length,
      28,
      28,
      1,
    ]);
    const tensorsBefore = tf.memory().numTensors;
    const perImageMean = (t: tf.Tensor4D): number[] =>
      tf.tidy(() => Array.from(tf.mean(t, [1, 2, 3]).dataSync()));
    const original = perImageMean(images);
    const batchMean = original.reduce((a, b) => a + b) / original.length;
    for (const flags of [
      'translation=0.1',
      'zoom=0.1',
      'rotation=0.05',
      'flip=horizontal,rotation=0.05,zoom=0.1,translation=0.1',
    ]) {
      const out = parseAugmentation(flags, 7).apply(images, { epoch: 0, step: 0 });
      const means = perImageMean(out);
      const outMean = means.reduce((a, b) => a + b) / means.length;
      assert.ok(
        Math.abs(outMean - batchMean) < 0.05 * batchMean,
        `${flags}: batch mean ${outMean} vs ${batchMean}`,
      );
      // A ±10% zoom scales an object's area by 0.81 to 1.21; the broken layers gave −100%.
      means.forEach((m, i) =>
        assert.ok(
          Math.abs(m - original[i]) < 0.35 * original[i],
          `${flags}: image ${i} mean ${m} vs ${original[i]}`,
        ),
      );
      const changed = tf.tidy(
        () => tf.sum(tf.cast(tf.greater(tf.abs(tf.sub(out, images)), 1), 'int32')).dataSync()[0],
      );
      assert.ok(changed > 0, `${flags} changes the images`);
      out.dispose();
    }
    assert.equal(tf.memory().numTensors, tensorsBefore);
    images.dispose();
  });
});
