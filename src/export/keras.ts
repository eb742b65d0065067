import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { zipSync, strToU8 } from 'fflate';
import { writeFileAtomic } from '../util/atomic-write.js';
import { loadH5, type H5Group } from '../weights/h5-module.js';
import { saveWeightsH5 } from '../weights/write-keras-h5.js';
import { keras3LayerPaths } from '../weights/keras3-paths.js';
import { keras3Config } from './keras3-config.js';

/** The Keras 3 release whose `.keras` layout (the fixtures) this writer follows. */
export const KERAS3_FORMAT_VERSION = '3.15.1';

/**
 * Keras 2's `model.save_weights('…h5')` layout, the one keras.applications files use and Keras'
 * `load_weights` reads by layer order: root attributes `layer_names`, `backend`, `keras_version`,
 * one group per layer with `weight_names`, datasets `<layer>/<weight>:0`.
 */
export async function saveKerasH5(model: tfl.LayersModel, file: string): Promise<string[]> {
  await saveWeightsH5(model, file, 'keras-weights');
  return [file];
}

/**
 * The group of each layer in a Keras 3 weights file: Keras' snake-case class name, numbered in
 * layer order (`conv2d`, `conv2d_1`, …), as `saving_lib` names them.
 */
export function keras3WeightPaths(model: tfl.LayersModel): Array<{ layer: tfl.layers.Layer; group: string }> {
  const paths = keras3LayerPaths(model);
  return model.layers.map((layer) => ({ layer, group: paths.get(layer)!.slice('layers/'.length) }));
}

/** Keras 3's `model.weights.h5`: `layers/<group>/vars/<i>` datasets, each `vars` group naming its layer. */
export async function writeKeras3Weights(model: tfl.LayersModel, file: string): Promise<void> {
  const h5 = await loadH5();
  const handle = new h5.File(file, 'w');
  try {
    const layers = handle.create_group('layers');
    for (const { layer, group } of keras3WeightPaths(model)) {
      const vars: H5Group = layers.create_group(group).create_group('vars');
      vars.create_attribute('name', layer.name);
      layer.weights.forEach((w, i) => {
        vars.create_dataset({
          name: String(i),
          data: w.read().dataSync() as Float32Array,
          shape: w.shape.map(Number),
          dtype: '<f',
        });
      });
    }
    handle.create_group('vars').create_attribute('name', model.name);
  } finally {
    handle.close();
  }
}

/** Keras 3's whole-model `.keras` file: an uncompressed zip of `metadata.json`, `config.json` and `model.weights.h5`. */
export async function saveKeras(model: tfl.LayersModel, file: string): Promise<string[]> {
  const config = keras3Config(model);
  const temp = path.join(
    os.tmpdir(),
    `visionlab-${process.pid}-${randomBytes(4).toString('hex')}.weights.h5`,
  );
  try {
    await writeKeras3Weights(model, temp);
    const weights = new Uint8Array(await readFile(temp));
    const now = new Date().toISOString();
    const metadata = {
      keras_version: KERAS3_FORMAT_VERSION,
      date_saved: `${now.slice(0, 10)}@${now.slice(11, 19)}`,
    };
    const zip = zipSync(
      {
        'metadata.json': strToU8(JSON.stringify(metadata)),
        'config.json': strToU8(JSON.stringify(config)),
        'model.weights.h5': weights,
      },
      { level: 0 },
    );
    await writeFileAtomic(file, zip);
  } finally {
    await rm(temp, { force: true });
  }
  return [file];
}
