import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../src/engine/backend.js';
import { explainImage } from '../../src/report/explain.js';
import { jet } from '../../src/report/colormap.js';
import { IMAGE_SIZE, makeFakeRun, type FakeRun } from '../evaluate/fixtures/fake-run.js';

let run: FakeRun;
let halves: string;
before(async () => {
  await initBackend();
  run = await makeFakeRun();
  halves = path.join(run.dataDir, 'halves.png');
  const pixels = Buffer.alloc(IMAGE_SIZE * IMAGE_SIZE * 3);
  for (let i = 0; i < IMAGE_SIZE * IMAGE_SIZE; i++)
    pixels[i * 3 + (i % IMAGE_SIZE < IMAGE_SIZE / 2 ? 0 : 2)] = 255;
  await sharp(pixels, { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } })
    .png()
    .toFile(halves);
});
after(() => run.cleanup());

test('jet colormap ends: dark blue at 0, dark red at 1, green in the middle', () => {
  assert.deepEqual(jet(0), [0, 0, 128]);
  assert.deepEqual(jet(0.5), [128, 255, 128]);
  assert.deepEqual(jet(1), [128, 0, 0]);
});

test('explainImage: the heat sits on the half of the class explained', async () => {
  const red = await explainImage(run.dir, halves, { className: 'red' });
  assert.equal(red.layerName, 'conv');
  assert.equal(red.explainedClass, 'red');
  // Equal red and blue areas: the colour model is undecided.
  assert.ok(Math.abs(red.probabilities.red - 0.5) < 1e-6);

  const { data, info } = await sharp(red.png).raw().toBuffer({ resolveWithObject: true });
  // Panels are 8·40 = 320 px, 12 px apart, under a 30 px caption.
  assert.deepEqual([info.width, info.height], [2 * 320 + 36, 320 + 30 + 24]);
  const at = (x: number, y: number) =>
    Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
  const top = 30 + 12 + 160;
  const overlayLeft = 2 * 12 + 320;
  assert.deepEqual(at(12 + 80, top), [255, 0, 0], 'left panel: the image itself');
  // Overlay: 0.55·image + 0.45·jet(heat); heat 1 on the red half, 0 on the blue half.
  assert.deepEqual(at(overlayLeft + 40, top), [198, 0, 0]);
  assert.deepEqual(at(overlayLeft + 280, top), [0, 0, 198]);

  const blue = await explainImage(run.dir, halves, { className: 'blue' });
  const b = await sharp(blue.png).raw().toBuffer();
  const pixel = (x: number) =>
    Array.from(b.subarray((top * info.width + x) * 3, (top * info.width + x) * 3 + 3));
  assert.deepEqual(pixel(overlayLeft + 40), [0.55 * 255 + 0.45 * 0, 0, 0.45 * 128].map(Math.round));
  assert.deepEqual(pixel(overlayLeft + 280), [0.45 * 128, 0, 0.55 * 255].map(Math.round));
});

test('explainImage refuses an unknown class and an unreadable image', async () => {
  await assert.rejects(
    explainImage(run.dir, halves, { className: 'green' }),
    /"green" is not one of the run's classes/,
  );
  await assert.rejects(explainImage(run.dir, run.corruptFile), /is not a readable image/);
});
