import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { colorModeOf } from '../data/decode-options.js';
import type { ColorMode } from '../data/types.js';
import { VisionlabError } from '../errors.js';
import type { PreprocessMode } from '../models/types.js';
import { saveModel } from './model-io.js';
import { reserveRunFolder, RUN_FILES, writeHistory, writeJsonAtomic, writeStatus } from './run-folder.js';
import type { EpochRecord } from './types.js';

export interface SaveRunOptions {
  /** Class names in the order of the model's outputs. */
  classNames: string[];
  /** How images are preprocessed before the model: `raw` (0–255, the default), `tf`, `torch` or `caffe`. */
  preprocessing?: PreprocessMode;
  /** What the model is called in the runs list. Default: its name. */
  modelName?: string;
  /** The training history (from `fit`), written as history.csv for the curves and the dashboard. */
  history?: readonly EpochRecord[];
  /** More keys for config.json (epochs, optimizer…). */
  config?: Record<string, unknown>;
}

function runColorMode(channels: number): ColorMode {
  const mode = colorModeOf(channels);
  if (mode) return mode;
  throw new VisionlabError(
    `the model takes ${channels} channels; a run needs 1 (grayscale), 3 (rgb) or 4 (rgba)`,
  );
}

/**
 * Saves a model trained in TypeScript as a run folder that `evaluate`, `predict`, `explain`, `report` and
 * the dashboard accept: config.json (input size, colour mode, class names, preprocessing), status.json,
 * history.csv and model/. `runDir` must not hold a run yet. The format: docs/run-folder.md.
 */
export async function saveRun(model: LayersModel, runDir: string, options: SaveRunOptions): Promise<string> {
  const shape = model.inputs[0]?.shape ?? [];
  const [, height, width, channels] = shape;
  if (shape.length !== 4 || !height || !width || !channels) {
    throw new VisionlabError(
      `saveRun takes an image model with input [null, height, width, channels]; this one takes [${shape.join(', ')}]`,
    );
  }
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 1;
  const classes = options.classNames.length;
  if (classes < 2 || (units !== classes && !(units === 1 && classes === 2))) {
    throw new VisionlabError(
      `the model has ${units} output unit(s) but classNames lists ${classes} classes (${options.classNames.join(', ')})`,
      'Give one class name per output unit, or two for one sigmoid unit.',
    );
  }
  const dir = path.resolve(runDir);
  const lock = await reserveRunFolder(dir);
  try {
    const now = new Date().toISOString();
    const history = options.history ?? [];
    await writeJsonAtomic(path.join(dir, RUN_FILES.config), {
      ...options.config,
      model: options.modelName ?? model.name,
      imageSize: [height, width],
      inputShape: [height, width, channels],
      colorMode: runColorMode(channels),
      classNames: options.classNames,
      labelMode: 'int',
      preprocessing: options.preprocessing ?? 'raw',
      runId: randomUUID(),
      createdAt: now,
    });
    await saveModel(model, path.join(dir, RUN_FILES.model));
    if (history.length > 0) await writeHistory(dir, history);
    await writeStatus(dir, {
      status: 'finished',
      startedAt: now,
      updatedAt: now,
      endedAt: now,
      epochsCompleted: history.length,
    });
    return dir;
  } finally {
    await lock.release();
  }
}
