import type { ImageDataset } from '../data/types.js';
import { preprocessInput } from '../models/preprocess.js';
import type { PreprocessMode } from '../models/types.js';

/**
 * The dataset with Keras' `preprocess_input(x, mode)` applied to every batch, like
 * `ds.map(lambda x, y: (preprocess_input(x), y))`. `raw` returns the dataset unchanged.
 */
export function preprocessDataset(dataset: ImageDataset, mode: PreprocessMode): ImageDataset {
  if (mode === 'raw') return dataset;
  return Object.assign(Object.create(dataset) as ImageDataset, {
    async *batches(epoch?: number) {
      for await (const batch of dataset.batches(epoch)) {
        const x = preprocessInput(batch.x, mode);
        batch.x.dispose();
        yield { ...batch, x };
      }
    },
    numBatches: () => dataset.numBatches(),
  });
}
