import type * as tfl from '@tensorflow/tfjs-layers';
import { keras3LayerPaths } from './keras3-paths.js';
import type { H5Layer, KerasH5Contents } from './keras-h5-types.js';

/**
 * How file layers were tied to model layers. `by-order`: the n-th layer with weights in the file to the
 * n-th in the model, Keras' rule for `load_weights` on `.h5` files without `by_name`. `by-name`: the layer
 * of the same name (Keras' `by_name=True`). `by-path`: Keras 3's own rule for `model.weights.h5`, the
 * object path made of class name and counter (see `keras3LayerPaths`).
 */
export type MatchRule = 'by-name' | 'by-order' | 'by-path';

export interface LayerMatch {
  rule: MatchRule;
  /** Model layer → file layer; a weighted model layer absent here has no values in the file. */
  pairs: Map<tfl.layers.Layer, H5Layer>;
  /** The file's layers as matched (nested models' groups split into their layers). */
  fileLayers: H5Layer[];
  /** Set when Keras itself would refuse the file under this rule (e.g. a different number of layers). */
  problem?: string;
}

export interface MatchOptions {
  /** `auto` (default): by name when every needed layer is found by name, else Keras' own rule for the format. */
  rule?: 'auto' | MatchRule;
  renameLayer?: (fileLayerName: string) => string;
  /** Model layers that may stay without values (a new head): not needed for `auto` to pick by-name. */
  optional?: (layer: tfl.layers.Layer) => boolean;
}

const hasWeights = (l: { weights: unknown[] }): boolean => l.weights.length > 0;

/**
 * Splits the group of a nested model (a `Sequential` stem stored as one group) into one layer per
 * sublayer, in the order of their weights, when the model has no layer of the group's name (TF.js
 * models here are flat). The sublayer is the part of each weight name before the weight's own name:
 * `<group>/<sublayer>/<weight>` (Keras 3 and nested TF 2 scopes) or `<sublayer>/<weight>`.
 */
export function splitNestedGroups(layers: H5Layer[], modelNames: Set<string>): H5Layer[] {
  return layers.flatMap((layer) => {
    if (modelNames.has(layer.name) || !hasWeights(layer)) return [layer];
    const subs = layer.weights.map((w) => {
      const parts = w.name.split('/');
      return parts.length >= 2 ? parts[parts.length - 2] : undefined;
    });
    if (subs.some((sub) => sub === undefined || sub === layer.name)) return [layer];
    const inner = new Map<string, H5Layer>();
    layer.weights.forEach((w, i) => {
      const sub = subs[i]!;
      if (!inner.has(sub)) inner.set(sub, { name: sub, weights: [], nestedIn: layer.name });
      inner.get(sub)!.weights.push(w);
    });
    return [...inner.values()];
  });
}

function byName(
  needed: tfl.layers.Layer[],
  fileLayers: H5Layer[],
): Map<tfl.layers.Layer, H5Layer> | undefined {
  const named = new Map(fileLayers.map((l) => [l.name, l]));
  const pairs = new Map<tfl.layers.Layer, H5Layer>();
  for (const layer of needed) {
    const match = named.get(layer.name);
    if (!match || match.weights.length !== layer.weights.length) return undefined;
    pairs.set(layer, match);
  }
  return pairs;
}

function namePairs(weighted: tfl.layers.Layer[], fileLayers: H5Layer[]): Map<tfl.layers.Layer, H5Layer> {
  const named = new Map(fileLayers.map((l) => [l.name, l]));
  return new Map(weighted.flatMap((l) => (named.has(l.name) ? [[l, named.get(l.name)!]] : [])));
}

function byOrder(
  weighted: tfl.layers.Layer[],
  needed: tfl.layers.Layer[],
  candidates: H5Layer[][],
): Omit<LayerMatch, 'rule'> {
  // Keras pairs every layer that owns weights; a model with a new head may leave it out.
  for (const fileLayers of candidates) {
    const inFile = fileLayers.filter(hasWeights);
    for (const modelLayers of [weighted, needed]) {
      if (inFile.length === modelLayers.length) {
        return { fileLayers, pairs: new Map(modelLayers.map((l, i) => [l, inFile[i]])) };
      }
    }
  }
  const fileLayers = candidates[0];
  const inFile = fileLayers.filter(hasWeights);
  const n = Math.min(inFile.length, weighted.length);
  return {
    fileLayers,
    pairs: new Map(weighted.slice(0, n).map((l, i) => [l, inFile[i]])),
    problem: `the file has ${inFile.length} layers with weights, the model ${weighted.length} (${needed.length} without its new layers); in layer order they cannot pair up`,
  };
}

/** Ties the layers of a Keras file to a model's layers by Keras' rules (see `MatchRule`). */
export function matchLayers(
  model: tfl.LayersModel,
  contents: KerasH5Contents,
  options: MatchOptions = {},
): LayerMatch {
  const { rule = 'auto', renameLayer = (n: string) => n, optional = () => false } = options;
  const weighted = model.layers.filter(hasWeights);
  const needed = weighted.filter((l) => !optional(l));
  const renamed = contents.layers.map((l) => ({ ...l, name: renameLayer(l.name) }));
  if (contents.layout === 'keras3-weights') {
    const named = rule === 'auto' ? byName(needed, renamed) : undefined;
    if (rule === 'by-name' || named) {
      return { rule: 'by-name', fileLayers: renamed, pairs: namePairs(weighted, renamed) };
    }
    const paths = keras3LayerPaths(model);
    const byPath = new Map(renamed.map((l) => [l.path, l]));
    const pairs = new Map(
      weighted.flatMap((l) => (byPath.has(paths.get(l)) ? [[l, byPath.get(paths.get(l))!]] : [])),
    );
    return { rule: 'by-path', fileLayers: renamed, pairs };
  }
  const modelNames = new Set(model.layers.map((l) => l.name));
  const split = splitNestedGroups(renamed, modelNames);
  if (rule === 'by-name' || (rule === 'auto' && byName(needed, split))) {
    return { rule: 'by-name', fileLayers: split, pairs: namePairs(weighted, split) };
  }
  return { rule: 'by-order', ...byOrder(weighted, needed, [split, renamed]) };
}
