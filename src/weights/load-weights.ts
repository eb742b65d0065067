import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { readKerasH5 } from './read-keras-h5.js';
import { shortWeightName, type H5Layer, type H5Weight, type KerasH5Layout } from './keras-h5-types.js';

export interface WeightShapeMismatch {
  weight: string;
  fileShape: number[];
  modelShape: number[];
}

/** What happened to every weight: nothing is left at its random initial value without being listed here. */
export interface WeightImportReport {
  file: string;
  layout: KerasH5Layout;
  /** Model weights that received values, as `<layer>/<weight>`. */
  loaded: string[];
  /** Model weights the file has no values for: still at their initial values. */
  missingInFile: string[];
  /** File weights no model weight took (e.g. the ImageNet head of a headless backbone). */
  unusedInFile: string[];
  shapeMismatches: WeightShapeMismatch[];
}

export interface LoadWeightsOptions {
  /** Maps a layer name in the file to the model's layer name (default: the same name). */
  renameLayer?: (fileLayerName: string) => string;
  /**
   * Model weights allowed to stay at their initial values (e.g. a new head). Any other missing weight,
   * or any shape mismatch, throws — unless `strict` is false, then the report lists them.
   */
  allowMissing?: RegExp;
  strict?: boolean;
}

function pairWeights(
  modelWeights: tfl.LayerVariable[],
  fileWeights: H5Weight[],
): Map<tfl.LayerVariable, H5Weight> {
  const pairs = new Map<tfl.LayerVariable, H5Weight>();
  const byShortName = new Map(fileWeights.map((w) => [shortWeightName(w.name), w]));
  for (const variable of modelWeights) {
    const match = byShortName.get(shortWeightName(variable.originalName));
    if (match) pairs.set(variable, match);
  }
  // Files from old Keras versions name weights differently (`conv1_W:0`): fall back to Keras' own rule, order.
  if (pairs.size === 0 && modelWeights.length === fileWeights.length) {
    modelWeights.forEach((variable, i) => pairs.set(variable, fileWeights[i]));
  }
  return pairs;
}

const sameShape = (a: number[], b: number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Copies weights from file layers into a model by layer name, checking every shape. */
export function assignH5Layers(
  model: tfl.LayersModel,
  fileLayers: H5Layer[],
  meta: { file: string; layout: KerasH5Layout },
  options: LoadWeightsOptions = {},
): WeightImportReport {
  const { renameLayer = (n: string) => n, allowMissing, strict = true } = options;
  const report: WeightImportReport = {
    ...meta,
    loaded: [],
    missingInFile: [],
    unusedInFile: [],
    shapeMismatches: [],
  };
  const fileByLayer = new Map(fileLayers.map((l) => [renameLayer(l.name), l]));
  const used = new Set<H5Weight>();
  const writes: [tfl.LayerVariable, H5Weight][] = [];
  for (const layer of model.layers) {
    const fileLayer = fileByLayer.get(layer.name);
    const pairs = fileLayer
      ? pairWeights(layer.weights, fileLayer.weights)
      : new Map<tfl.LayerVariable, H5Weight>();
    for (const variable of layer.weights) {
      const id = `${layer.name}/${shortWeightName(variable.originalName)}`;
      const match = pairs.get(variable);
      if (!match) {
        report.missingInFile.push(id);
        continue;
      }
      used.add(match);
      const modelShape = variable.shape.map(Number);
      if (!sameShape(modelShape, match.shape)) {
        report.shapeMismatches.push({ weight: id, fileShape: match.shape, modelShape });
        continue;
      }
      writes.push([variable, match]);
      report.loaded.push(id);
    }
  }
  for (const layer of fileLayers) {
    for (const w of layer.weights) if (!used.has(w)) report.unusedInFile.push(`${layer.name}/${w.name}`);
  }
  const missing = report.missingInFile.filter((name) => !allowMissing?.test(name));
  if (strict && (missing.length > 0 || report.shapeMismatches.length > 0)) {
    const shapes = report.shapeMismatches
      .slice(0, 5)
      .map((m) => `${m.weight}: file [${m.fileShape}] vs model [${m.modelShape}]`);
    throw new VisionlabError(
      `${meta.file} does not fit model "${model.name}": ${missing.length} weight(s) missing from the file` +
        `${missing.length ? ` (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})` : ''}` +
        `${shapes.length ? `; shape mismatches: ${shapes.join('; ')}` : ''}.`,
      'Use the weights file made for this model and input layout, or pass `strict: false` to load what fits and read the report.',
    );
  }
  for (const [variable, weight] of writes) {
    const value = tf.tensor(weight.values, weight.shape, 'float32');
    variable.write(value);
    value.dispose();
  }
  return report;
}

/** Loads a Keras `.h5` file (either layout) into a TF.js model by layer name; see `WeightImportReport`. */
export async function loadWeightsH5(
  model: tfl.LayersModel,
  file: string,
  options: LoadWeightsOptions = {},
): Promise<WeightImportReport> {
  const contents = await readKerasH5(file);
  return assignH5Layers(model, contents.layers, { file, layout: contents.layout }, options);
}
