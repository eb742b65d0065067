import { existsSync } from 'node:fs';
import { VisionlabError } from '../errors.js';
import { loadH5, type H5, type H5Group } from './h5-module.js';
import type { H5Layer, H5Weight, KerasH5Contents } from './keras-h5-types.js';

function stringList(group: H5Group, attribute: string): string[] | undefined {
  if (!(attribute in group.attrs)) return undefined;
  const value = group.get_attribute(attribute, true);
  if (Array.isArray(value)) return value.map(String);
  return value === '' || value === null ? [] : [String(value)];
}

function readWeight(h5: H5, group: H5Group, name: string, file: string): H5Weight {
  const entity = group.get(name);
  if (!(entity instanceof h5.Dataset)) {
    throw new VisionlabError(
      `${file} names weight ${group.path}/${name} but holds no such dataset.`,
      'The file is damaged or not a Keras weights file.',
    );
  }
  const raw = entity.value;
  // A 0-d dataset (Normalization's `count`) reads as a plain number.
  if (typeof raw === 'number' || typeof raw === 'bigint')
    return { name, shape: [], values: Float32Array.of(Number(raw)) };
  if (raw === null || typeof raw !== 'object' || !('length' in raw) || Array.isArray(raw)) {
    throw new VisionlabError(`${file}: weight ${group.path}/${name} is not a numeric array.`);
  }
  const values = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>, Number);
  return { name, shape: entity.shape ?? [], values };
}

/** Reads every layer's weights from a Keras `.h5` file in either layout (see `KerasH5Layout`). */
export async function readKerasH5(file: string): Promise<KerasH5Contents> {
  if (!existsSync(file)) {
    throw new VisionlabError(
      `Weights file ${file} does not exist.`,
      'Check the path, or pass `pretrained: "imagenet"` to download.',
    );
  }
  const h5 = await loadH5();
  let handle: InstanceType<H5['File']> | undefined;
  try {
    handle = new h5.File(file, 'r');
    const modelWeights = handle.get('model_weights');
    const root = modelWeights instanceof h5.Group ? modelWeights : handle;
    const layout = root === handle ? 'keras-weights' : 'keras-model';
    const layerNames = stringList(root, 'layer_names') ?? root.keys();
    const layers: H5Layer[] = [];
    for (const name of layerNames) {
      const group = root.get(name);
      if (!(group instanceof h5.Group)) continue;
      const weightNames = stringList(group, 'weight_names') ?? [];
      layers.push({ name, weights: weightNames.map((w) => readWeight(h5, group, w, file)) });
    }
    return { layout, layers };
  } catch (err) {
    if (err instanceof VisionlabError) throw err;
    throw new VisionlabError(
      `${file} is not a readable Keras HDF5 file (${(err as Error).message}).`,
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
