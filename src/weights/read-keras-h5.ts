import { existsSync } from 'node:fs';
import { VisionlabError } from '../errors.js';
import { loadH5, type H5, type H5Group } from './h5-module.js';
import { readWeight } from './h5-dataset.js';
import { hasHdf5Signature } from './hdf5-signature.js';
import type { H5Layer, KerasH5Contents } from './keras-h5-types.js';
import { readKeras3Layers } from './read-keras3-weights.js';

function stringList(group: H5Group, attribute: string): string[] | undefined {
  if (!(attribute in group.attrs)) return undefined;
  const value = group.get_attribute(attribute, true);
  if (Array.isArray(value)) return value.map(String);
  return value === '' || value === null ? [] : [String(value)];
}

/** Keras 2 / legacy `.h5`: `layer_names` in the model's layer order, each group's `weight_names` in the layer's weight order. */
function readLegacyLayers(h5: H5, root: H5Group, file: string): H5Layer[] {
  const layerNames = stringList(root, 'layer_names') ?? root.keys();
  const layers: H5Layer[] = [];
  for (const name of layerNames) {
    const group = root.get(name);
    if (!(group instanceof h5.Group)) continue;
    const weightNames = stringList(group, 'weight_names') ?? [];
    layers.push({ name, weights: weightNames.map((w) => readWeight(h5, group, w, file, `${name}/${w}`)) });
  }
  return layers;
}

/**
 * Reads every layer's weights from a Keras `.h5` file in any of its layouts (see `KerasH5Layout`),
 * in the file's layer order. `label` names the file in errors (default: its path).
 */
export async function readKerasH5(file: string, label = file): Promise<KerasH5Contents> {
  if (!existsSync(file)) {
    throw new VisionlabError(
      `Weights file ${label} does not exist.`,
      'Check the path, or pass `pretrained: "imagenet"` to download.',
    );
  }
  if (!(await hasHdf5Signature(file))) {
    throw new VisionlabError(
      `${label} is not an HDF5 file (no HDF5 signature): it cannot hold Keras weights.`,
      'Pass a Keras .h5 weights file, or `imagenet` to download the weights.',
    );
  }
  const h5 = await loadH5();
  let handle: InstanceType<H5['File']> | undefined;
  try {
    handle = new h5.File(file, 'r');
    const modelWeights = handle.get('model_weights');
    if (!(modelWeights instanceof h5.Group) && !('layer_names' in handle.attrs)) {
      if (handle.get('layers') instanceof h5.Group) {
        return { layout: 'keras3-weights', layers: readKeras3Layers(h5, handle, label) };
      }
    }
    const root = modelWeights instanceof h5.Group ? modelWeights : handle;
    const layout = root === handle ? 'keras-weights' : 'keras-model';
    return { layout, layers: readLegacyLayers(h5, root, label) };
  } catch (err) {
    if (err instanceof VisionlabError) throw err;
    throw new VisionlabError(
      `${label} is not a readable Keras HDF5 file (${(err as Error).message}).`,
      'Delete it and download or export it again.',
    );
  } finally {
    try {
      handle?.close();
    } catch {
      // a handle that never opened has nothing to close
    }
  }
}
