import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../../../src/data/index.js';

/** The pixel sum of every image of one unshuffled epoch, keyed by its source. */
export async function pixelSums(ds: ImageDataset): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const batch of ds.batches(0)) {
    const perImage = tf.tidy(() => tf.sum(batch.x, [1, 2, 3]).arraySync() as number[]);
    batch.indices.forEach((index, k) => (out[ds.sources[index]] = perImage[k]));
    batch.x.dispose();
    batch.y?.dispose();
  }
  return out;
}
