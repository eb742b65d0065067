import { readKerasArchive } from './keras-archive.js';
import type { KerasH5Contents } from './keras-h5-types.js';
import { readKerasH5 } from './read-keras-h5.js';

/** The weights of any Keras file: `.keras` archives by their `model.weights.h5`, everything else as HDF5. */
export async function readKerasWeightsFile(file: string): Promise<KerasH5Contents> {
  if (file.toLowerCase().endsWith('.keras')) return (await readKerasArchive(file)).weights;
  return readKerasH5(file);
}
