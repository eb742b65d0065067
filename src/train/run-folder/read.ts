import type { LayersModel } from '@tensorflow/tfjs-layers';
import path from 'node:path';
import { VisionlabError } from '../../errors.js';
import { readJsonFile } from '../../evaluate/run-config.js';
import { RUN_FILES } from './files.js';

/** The run's saved model (`model/model.json` + weights), custom visionlab layers included. */
export async function loadRunModel(runDir: string): Promise<LayersModel> {
  // Imported on use: the model zoo it registers is not needed by the readers of run folders.
  const { loadModelFromDir } = await import('../../evaluate/load-model.js');
  return loadModelFromDir(path.join(runDir, RUN_FILES.model));
}

/**
 * The run's `config.json` as training wrote it: a JSON object naming its model, else an error naming the file.
 */
export async function readRunConfig(runDir: string): Promise<Record<string, unknown>> {
  const file = path.join(runDir, RUN_FILES.config);
  const config = await readJsonFile(file, 'config.json (the training configuration)');
  if (typeof config.model !== 'string' || config.model === '') {
    throw new VisionlabError(
      `${file} names no model: it is not the config.json of a run.`,
      'Pass a run folder written by `visionlab train`.',
    );
  }
  return config;
}
