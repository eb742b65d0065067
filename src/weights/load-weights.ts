import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { readKerasWeightsFile } from './read-weights-file.js';
import { shortWeightName, type H5Layer, type H5Weight, type KerasH5Layout } from './keras-h5-types.js';
import { matchLayers, type MatchRule } from './match-layers.js';

export interface WeightShapeMismatch {
  weight: string;
  fileShape: number[];
  modelShape: number[];
}

/** What happened to every weight: nothing is left at its random initial value without being listed here. */
export interface WeightImportReport {
  file: string;
  layout: KerasH5Layout;
  /** How file layers were tied to model layers (see `MatchRule`). */
  rule: MatchRule;
  /** Model weights that received values, as `<layer>/<weight>`. */
  loaded: string[];
  /** Model weights the file has no values for: still at their initial values. */
  missingInFile: string[];
  /** File weights no model weight took (e.g. the ImageNet head of a headless backbone), as `<layer>/<weight>`. */
  unusedInFile: string[];
  shapeMismatches: WeightShapeMismatch[];
  /**
   * Weights whose shapes differ only by axes of length 1 and so hold the same values in the same order,
   * e.g. Keras' `Conv2D(groups=C)` kernel [7, 7, 1, C] loaded into a depthwise kernel [7, 7, C, 1].
   */
  reshaped: string[];
  /** Why Keras would refuse this file under the rule, if it would. */
  problem?: string;
}

export interface LoadWeightsOptions {
  /** `auto` (default): by name when the names match, else Keras' own rule for the format (see `MatchRule`). */
  rule?: 'auto' | MatchRule;
  /** Maps a layer name in the file to the model's layer name (default: the same name). */
  renameLayer?: (fileLayerName: string) => string;
  /**
   * Model weights allowed to stay at their initial values (e.g. a new head). Any other missing weight,
   * or any shape mismatch, throws — unless `strict` is false, then the report lists them.
   */
  allowMissing?: RegExp;
  strict?: boolean;
}

/** Within a layer: by name when the file uses the model's weight names, else by the layer's weight order (Keras' rule). */
function pairWeights(
  modelWeights: tfl.LayerVariable[],
  fileWeights: H5Weight[],
): Map<tfl.LayerVariable, H5Weight> {
  const byShortName = new Map(fileWeights.map((w) => [shortWeightName(w.name), w]));
  const sameNames =
    modelWeights.length === fileWeights.length &&
    modelWeights.every((v) => byShortName.has(shortWeightName(v.originalName)));
  if (!sameNames && modelWeights.length === fileWeights.length) {
    return new Map(modelWeights.map((v, i) => [v, fileWeights[i]]));
  }
  const pairs = new Map<tfl.LayerVariable, H5Weight>();
  for (const variable of modelWeights) {
    const match = byShortName.get(shortWeightName(variable.originalName));
    if (match) pairs.set(variable, match);
  }
  return pairs;
}

const sameShape = (a: number[], b: number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);
const withoutOnes = (s: number[]): number[] => s.filter((d) => d !== 1);

const RULE_TEXT: Record<MatchRule, string> = {
  'by-order': "by layer order (Keras' rule for .h5 files)",
  'by-name': 'by layer name',
  'by-path': "by Keras 3 object path (Keras 3's rule for .weights.h5)",
};

/** One line for logs and the CLI: how many weights loaded, by which rule, and what was left over. */
export function describeWeightImport(report: WeightImportReport): string {
  const parts = [`${report.loaded.length} weights from ${report.file} ${RULE_TEXT[report.rule]}`];
  if (report.missingInFile.length) parts.push(`${report.missingInFile.length} not in the file`);
  if (report.unusedInFile.length) parts.push(`${report.unusedInFile.length} in the file unused`);
  if (report.shapeMismatches.length) parts.push(`${report.shapeMismatches.length} of another shape`);
  return parts.join('; ');
}

function failure(model: tfl.LayersModel, report: WeightImportReport, missing: string[]): VisionlabError {
  const shapes = report.shapeMismatches
    .slice(0, 5)
    .map((m) => `${m.weight}: file [${m.fileShape}] vs model [${m.modelShape}]`);
  return new VisionlabError(
    `${report.file} does not fit model "${model.name}" (${RULE_TEXT[report.rule]}): ` +
      [
        report.problem,
        missing.length
          ? `${missing.length} weight(s) missing from the file (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`
          : '',
        shapes.length ? `shape mismatches: ${shapes.join('; ')}` : '',
      ]
        .filter(Boolean)
        .join('; ') +
      '.',
    'Use the weights file made for this model and input layout, choose another `rule`, or pass `strict: false` to load what fits and read the report.',
  );
}

/** Copies weights from file layers into a model by Keras' rules (see `LoadWeightsOptions`), checking every shape. */
export function assignH5Layers(
  model: tfl.LayersModel,
  fileLayers: H5Layer[],
  meta: { file: string; layout: KerasH5Layout },
  options: LoadWeightsOptions = {},
): WeightImportReport {
  const { allowMissing, strict = true } = options;
  const optional = (layer: tfl.layers.Layer): boolean =>
    allowMissing !== undefined &&
    layer.weights.every((v) => allowMissing.test(`${layer.name}/${shortWeightName(v.originalName)}`));
  const match = matchLayers(
    model,
    { layout: meta.layout, layers: fileLayers },
    { rule: options.rule, renameLayer: options.renameLayer, optional },
  );
  const report: WeightImportReport = {
    ...meta,
    rule: match.rule,
    loaded: [],
    missingInFile: [],
    unusedInFile: [],
    shapeMismatches: [],
    reshaped: [],
    ...(match.problem ? { problem: match.problem } : {}),
  };
  const used = new Set<H5Weight>();
  const writes: [tfl.LayerVariable, H5Weight][] = [];
  for (const layer of model.layers) {
    const fileLayer = match.pairs.get(layer);
    const pairs = fileLayer
      ? pairWeights(layer.weights, fileLayer.weights)
      : new Map<tfl.LayerVariable, H5Weight>();
    for (const variable of layer.weights) {
      const id = `${layer.name}/${shortWeightName(variable.originalName)}`;
      const weight = pairs.get(variable);
      if (!weight) {
        report.missingInFile.push(id);
        continue;
      }
      used.add(weight);
      const modelShape = variable.shape.map(Number);
      if (!sameShape(modelShape, weight.shape)) {
        if (!sameShape(withoutOnes(modelShape), withoutOnes(weight.shape))) {
          report.shapeMismatches.push({ weight: id, fileShape: weight.shape, modelShape });
          continue;
        }
        report.reshaped.push(`${id}: file [${weight.shape}] → model [${modelShape}]`);
      }
      writes.push([variable, weight]);
      report.loaded.push(id);
    }
  }
  for (const layer of match.fileLayers) {
    for (const w of layer.weights) {
      if (!used.has(w)) report.unusedInFile.push(`${layer.name}/${w.name}`);
    }
  }
  const missing = report.missingInFile.filter((name) => !allowMissing?.test(name));
  if (strict && (missing.length > 0 || report.shapeMismatches.length > 0 || report.problem)) {
    throw failure(model, report, missing);
  }
  for (const [variable, weight] of writes) {
    const value = tf.tensor(weight.values, variable.shape.map(Number), 'float32');
    variable.write(value);
    value.dispose();
  }
  return report;
}

/**
 * Loads a Keras weights file into a TF.js model: `.h5` in the Keras 2 / legacy layouts, Keras 3's
 * `model.weights.h5`, or the weights of a `.keras` archive. Layers are tied by name where every name
 * matches, else by Keras' own rule for the format; see `WeightImportReport`.
 */
export async function loadKerasWeights(
  model: tfl.LayersModel,
  file: string,
  options: LoadWeightsOptions = {},
): Promise<WeightImportReport> {
  const contents = await readKerasWeightsFile(file);
  return assignH5Layers(model, contents.layers, { file, layout: contents.layout }, options);
}

/** The same as `loadKerasWeights` (its earlier name). */
export const loadWeightsH5 = loadKerasWeights;
