import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { loadModelFromDir } from '../evaluate/load-model.js';

/** `--model path/to/model.json`: a model built by hand in TypeScript and saved with `saveModel`. */
export function isModelFile(model: string): boolean {
  return model.toLowerCase().endsWith('.json');
}

/** Loads a hand-built model (topology and initial weights) and checks that it takes images. */
export async function loadHandBuiltModel(
  file: string,
): Promise<{ model: LayersModel; inputShape: [number, number, number] }> {
  const resolved = path.resolve(file);
  if (!existsSync(resolved)) {
    throw new VisionlabError(
      `--model ${file} does not exist`,
      'Save the model with saveModel(model, dir) and pass dir/model.json, or name a model of the zoo.',
    );
  }
  const model = await loadModelFromDir(path.dirname(resolved));
  const [, h, w, c] = model.inputs[0].shape;
  if (model.inputs[0].shape.length !== 4 || !h || !w || !c || ![1, 3, 4].includes(c)) {
    model.dispose();
    throw new VisionlabError(
      `${file} takes input [${model.inputs[0].shape.join(', ')}], not images [null, height, width, 1|3|4]`,
    );
  }
  return { model, inputShape: [h, w, c] };
}

/** The output units a classifier of `classes` classes may have: one sigmoid unit for two, else one per class. */
export function checkOutputUnits(model: LayersModel, classes: number, file: string): void {
  const shape = model.outputs[0].shape;
  const units = shape[shape.length - 1] ?? 1;
  if (units !== classes && !(units === 1 && classes === 2)) {
    throw new VisionlabError(
      `${file} has ${units} output unit(s) but the data has ${classes} classes`,
      classes === 2 ? 'Use Dense(1, sigmoid) or Dense(2, softmax).' : `Use Dense(${classes}, softmax).`,
    );
  }
}
