import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.js';
import { PixelDataset, type PixelDatasetConfig } from '../../src/data/index.js';

function dataset(over: Partial<PixelDatasetConfig>): PixelDataset {
  const n = 10;
  return new PixelDataset({
    classNames: ['a', 'b', 'c'],
    imageShape: [1, 1, 1],
    labels: Int32Array.from({ length: n }, (_, i) => i % 3),
    sources: Array.from({ length: n }, (_, i) => `mem#${i}`),
    batchSize: 2,
    labelMode: 'int',
    shuffle: false,
    seed: 0,
    concurrency: 64,
    prefetch: 2,
    memoryCacheBytes: 0,
    load: async (i) => Uint8Array.of(i),
    onWarning: () => {},
    ...over,
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PixelDataset', () => {
  before(() => initBackend());

  it('starts loading `prefetch` batches ahead of the one handed out', async () => {
    const requested: number[] = [];
    const ds = dataset({ load: async (i) => (requested.push(i), Uint8Array.of(i)) });
    const it = ds.batches(0);
    const first = (await it.next()).value!;
    await tick();
    // Batch 0 handed out; batches 1 and 2 (examples 2–5) already requested, batch 3 not yet.
    assert.deepEqual(
      [...requested].sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
    tf.dispose([first.x, first.y!]);
    await it.return(undefined);
  });

  it('never has more than `concurrency` loads in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const ds = dataset({
      concurrency: 3,
      prefetch: 4,
      load: async (i) => {
        peak = Math.max(peak, ++inFlight);
        await tick();
        inFlight--;
        return Uint8Array.of(i);
      },
    });
    const seen: number[] = [];
    for await (const batch of ds.batches(0)) {
      seen.push(...batch.indices);
      tf.dispose([batch.x, batch.y!]);
    }
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(peak, 3);
  });

  it('keeps decoded images in memory within its byte budget, so later epochs skip loading', async () => {
    let loads = 0;
    const ds = dataset({ memoryCacheBytes: 6, load: async (i) => (loads++, Uint8Array.of(i)) });
    for (const epoch of [0, 1]) {
      for await (const batch of ds.batches(epoch)) tf.dispose([batch.x, batch.y!]);
    }
    assert.equal(loads, 10 + 4, 'six images cached after the first epoch, four loaded again');
  });

  it('gives categorical and binary labels in the shapes Keras uses', async () => {
    const cat = (await dataset({ labelMode: 'categorical' }).batches().next()).value!;
    assert.deepEqual(cat.y!.arraySync(), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const binary = (
      await dataset({
        labelMode: 'binary',
        classNames: ['a', 'b'],
        labels: Int32Array.from({ length: 10 }, (_, i) => i % 2),
      })
        .batches()
        .next()
    ).value!;
    assert.deepEqual(binary.y!.shape, [2, 1]);
    assert.equal(binary.y!.dtype, 'float32');
    tf.dispose([cat.x, cat.y!, binary.x, binary.y!]);
  });
});
