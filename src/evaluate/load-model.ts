import * as tfl from '@tensorflow/tfjs-layers';
import { readModelArtifacts } from '../util/model-artifacts.js';
import '../models/index.js';

export { readModelArtifacts };

/** Loads a TF.js layers model from a folder on disk (custom visionlab layers included). */
export async function loadModelFromDir(modelDir: string): Promise<tfl.LayersModel> {
  const artifacts = await readModelArtifacts(modelDir);
  return tfl.loadLayersModel({ load: async () => artifacts });
}
