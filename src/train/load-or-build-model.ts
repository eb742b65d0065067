import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadModelFromDir } from '../evaluate/load-model.js';
import { getModel } from '../models/registry.js';
import type { BuildOptions } from '../models/types.js';

export interface NamedModel {
  model: LayersModel;
  /** The path as given, or the zoo entry's name. */
  label: string;
  /** The zoo entry's preprocessing (unknown for a saved model). */
  preprocessing?: string;
}

/**
 * The model a name or path stands for, to describe or draw it: a saved model (a folder holding
 * model.json, a run folder, or the model.json itself) or a zoo entry built with `options` and
 * without random initialisation.
 */
export async function loadOrBuildModel(nameOrPath: string, options: BuildOptions = {}): Promise<NamedModel> {
  if (existsSync(nameOrPath)) {
    const dir = statSync(nameOrPath).isDirectory() ? nameOrPath : path.dirname(nameOrPath);
    const modelDir = existsSync(path.join(dir, 'model.json')) ? dir : path.join(dir, 'model');
    return { model: await loadModelFromDir(modelDir), label: nameOrPath };
  }
  const spec = getModel(nameOrPath);
  return {
    model: spec.build({ ...options, initializeWeights: false }),
    label: spec.name,
    preprocessing: spec.preprocessing,
  };
}
