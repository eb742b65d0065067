import { rename, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadH5, type H5Group } from './h5-module.js';
import type { KerasH5Layout, H5Layer } from './keras-h5-types.js';
import { shortWeightName } from './keras-h5-types.js';

/** Fixed-length ASCII strings, as h5py stores the byte strings Keras writes. */
function fixedStrings(names: string[]): [string[], string] {
  const width = Math.max(1, ...names.map((n) => Buffer.byteLength(n)));
  return [names, `A${width}`];
}

function ensureGroup(parent: H5Group, groupPath: string, h5Group: new (...a: never[]) => H5Group): H5Group {
  let group = parent;
  for (const part of groupPath.split('/').filter(Boolean)) {
    const existing = group.get(part);
    group = existing instanceof h5Group ? existing : group.create_group(part);
  }
  return group;
}

/** Collects a TF.js model's weights with Keras' names (`<layer>/<weight>:0`), layer by layer. */
export function layersOf(model: tfl.LayersModel): H5Layer[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    weights: layer.weights.map((v) => ({
      name: `${layer.name}/${shortWeightName(v.originalName)}:0`,
      shape: v.shape.map(Number),
      values: v.read().dataSync() as Float32Array,
    })),
  }));
}

/**
 * Writes weights as Keras does: `model.save()` (`keras-model`, under `model_weights/`) or
 * `model.save_weights()` (`keras-weights`, at the root). Written to a temporary name, then renamed.
 */
export async function writeKerasH5(
  file: string,
  layers: H5Layer[],
  layout: KerasH5Layout = 'keras-weights',
  modelConfig?: string,
): Promise<void> {
  const h5 = await loadH5();
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = path.join(
    path.dirname(path.resolve(file)),
    `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = new h5.File(temp, 'w');
  try {
    handle.create_attribute('backend', 'tensorflow', null, 'A');
    handle.create_attribute('keras_version', '2.15.0', null, 'A');
    let root: H5Group = handle;
    if (layout === 'keras-model') {
      handle.create_attribute('model_config', modelConfig ?? '{}');
      root = handle.create_group('model_weights');
      root.create_attribute('backend', 'tensorflow', null, 'A');
      root.create_attribute('keras_version', '2.15.0', null, 'A');
    }
    const [names, dtype] = fixedStrings(layers.map((l) => l.name));
    root.create_attribute('layer_names', names, [names.length], dtype);
    for (const layer of layers) {
      const group = root.create_group(layer.name);
      const weightNames = layer.weights.map((w) => w.name);
      if (weightNames.length === 0) {
        group.create_attribute('weight_names', new Float64Array(0), [0]);
      } else {
        const [wn, wdtype] = fixedStrings(weightNames);
        group.create_attribute('weight_names', wn, [wn.length], wdtype);
      }
      for (const weight of layer.weights) {
        const parts = weight.name.split('/');
        const leaf = parts.pop() as string;
        const parent = ensureGroup(group, parts.join('/'), h5.Group);
        parent.create_dataset({ name: leaf, data: weight.values, shape: weight.shape, dtype: '<f' });
      }
    }
  } catch (err) {
    handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  handle.close();
  await rename(temp, file);
}

/** Saves a TF.js model's weights to a Keras `.h5` file in either layout. */
export async function saveWeightsH5(
  model: tfl.LayersModel,
  file: string,
  layout: KerasH5Layout = 'keras-weights',
): Promise<void> {
  const config = layout === 'keras-model' ? JSON.stringify(model.toJSON(null, false)) : undefined;
  await writeKerasH5(file, layersOf(model), layout, config);
}
