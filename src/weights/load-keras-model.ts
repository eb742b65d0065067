import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { readKerasArchive } from './keras-archive.js';
import { keras3ToTfjsTopology } from './keras3-config.js';
import { assignH5Layers, type LoadWeightsOptions, type WeightImportReport } from './load-weights.js';

export interface KerasModelImport {
  model: tfl.LayersModel;
  report: WeightImportReport;
  kerasVersion?: string;
}

/**
 * Imports a whole Keras 3 `.keras` file: the architecture from its `config.json` (where every layer
 * type has a TF.js counterpart) and every weight from its `model.weights.h5`.
 */
export async function loadKerasModel(
  file: string,
  options: LoadWeightsOptions = {},
): Promise<KerasModelImport> {
  const archive = await readKerasArchive(file);
  const modelTopology = keras3ToTfjsTopology(
    archive.config,
    file,
  ) as unknown as tf.io.ModelJSON['modelTopology'];
  let model: tfl.LayersModel;
  try {
    model = await tfl.models.modelFromJSON({ modelTopology });
  } catch (err) {
    throw new VisionlabError(
      `${file}: TF.js could not build the model of its config.json (${(err as Error).message}).`,
      'Build the model with visionlab and load the weights with loadKerasWeights.',
    );
  }
  try {
    const report = assignH5Layers(
      model,
      archive.weights.layers,
      { file, layout: archive.weights.layout },
      options,
    );
    return { model, report, ...(archive.kerasVersion ? { kerasVersion: archive.kerasVersion } : {}) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
