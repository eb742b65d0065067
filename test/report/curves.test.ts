import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { writeCurves, curvesSpec } from '../../src/report/curves.js';
import type { EpochRecord } from '../../src/train/types.js';

function history(): EpochRecord[] {
  const rows: EpochRecord[] = [];
  for (let epoch = 1; epoch <= 5; epoch++) {
    rows.push({
      epoch,
      loss: 1 / epoch,
      accuracy: 0.5 + epoch / 20,
      val_loss: 1.2 / epoch,
      val_accuracy: 0.4 + epoch / 20,
      lr: epoch < 4 ? 0.01 : 0.001,
    });
  }
  return rows;
}

test('writeCurves writes an SVG with the three panels and the restored epoch, and a PNG of the same size', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vl-curves-'));
  try {
    await writeCurves(dir, history(), { restoredEpoch: 3 });
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['curves.png', 'curves.svg'], 'no temporary files are left behind');
    const svg = await readFile(path.join(dir, 'curves.svg'), 'utf8');
    assert.match(svg, /^<svg /);
    for (const text of ['Loss', 'Accuracy', 'Learning rate', 'restored: epoch 3', 'validation']) {
      assert.ok(svg.includes(`>${text}<`), `SVG shows "${text}"`);
    }
    const width = Number(/width="(\d+)"/.exec(svg)?.[1]);
    const meta = await sharp(path.join(dir, 'curves.png')).metadata();
    assert.equal(meta.format, 'png');
    assert.equal(meta.width, width * 2, 'PNG is the SVG at twice its size');
    // The PNG is not blank: text and lines make dark pixels.
    const stats = await sharp(path.join(dir, 'curves.png')).stats();
    assert.ok(stats.channels[0].min < 60);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('curvesSpec leaves out panels without data and non-finite values', () => {
  const rows: EpochRecord[] = [
    { epoch: 1, loss: 0.9 },
    { epoch: 2, loss: Number.NaN },
  ];
  const spec = curvesSpec(rows) as unknown as {
    hconcat: Array<{ title: string; layer: Array<{ data?: { values: unknown[] } }> }>;
  };
  assert.deepEqual(
    spec.hconcat.map((p) => p.title),
    ['Loss'],
  );
  assert.equal(spec.hconcat[0].layer.length, 1, 'no rule without a restored epoch');
  assert.deepEqual(spec.hconcat[0].layer[0].data?.values, [{ epoch: 1, value: 0.9, series: 'train' }]);
});
