import * as tf from '@tensorflow/tfjs-core';
import type { Batch, ImageDataset } from '../data/types.js';
import { VisionlabError } from '../errors.js';

/** The examples of `dataset` with indices in [from, to), re-indexed from 0; batches shrink where examples are left out. */
function range(dataset: ImageDataset, from: number, to: number): ImageDataset {
  const inside = (i: number) => i >= from && i < to;
  return {
    classNames: dataset.classNames,
    imageShape: dataset.imageShape,
    length: to - from,
    batchSize: dataset.batchSize,
    labelMode: dataset.labelMode,
    labels: dataset.labels.slice(from, to),
    sources: dataset.sources.slice(from, to),
    numBatches: () => dataset.numBatches(),
    async *batches(epoch?: number): AsyncGenerator<Batch> {
      for await (const batch of dataset.batches(epoch)) {
        const rows: number[] = [];
        batch.indices.forEach((index, row) => {
          if (inside(index)) rows.push(row);
        });
        const indices = Int32Array.from(rows, (r) => batch.indices[r] - from);
        if (rows.length === batch.indices.length) {
          yield { ...batch, indices };
          continue;
        }
        if (rows.length > 0) {
          const at = tf.tensor1d(rows, 'int32');
          const x = tf.gather(batch.x, at) as tf.Tensor4D;
          const y = batch.y ? tf.gather(batch.y, at) : undefined;
          at.dispose();
          yield { x, y, indices };
        }
        batch.x.dispose();
        batch.y?.dispose();
      }
    },
  };
}

/**
 * Keras' `validation_split` for a dataset: the examples with the last `fraction` of dataset indices
 * (not shuffled, as in Keras) are held out for validation, the others train; both read the same
 * underlying batches.
 */
export function splitValidation(
  dataset: ImageDataset,
  fraction: number,
): { train: ImageDataset; validation: ImageDataset } {
  if (!(fraction > 0 && fraction < 1)) {
    throw new VisionlabError(`validationSplit must be a fraction in (0, 1), got ${fraction}`);
  }
  const numValidation = Math.floor(dataset.length * fraction);
  if (numValidation === 0 || numValidation === dataset.length) {
    throw new VisionlabError(
      `validationSplit ${fraction} of ${dataset.length} examples leaves ${numValidation === 0 ? 'no validation' : 'no training'} examples`,
    );
  }
  const first = dataset.length - numValidation;
  return { train: range(dataset, 0, first), validation: range(dataset, first, dataset.length) };
}
