import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readModelArtifacts } from '../util/model-artifacts.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function concatWeightData(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((p) => new Uint8Array(p)));
}

/**
 * A TF.js save handler writing `model.json` + `weights.bin` (the layers format `tf.loadLayersModel`
 * reads) into `dir`. Each file is written atomically, weights first, so `model.json` never points at
 * weights that are not fully on disk.
 */
export function directorySaveHandler(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData ? concatWeightData(artifacts.weightData) : new Uint8Array(0);
    await writeFileAtomic(path.join(dir, WEIGHTS_BIN), weightData);
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format ?? 'layers-model',
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
    };
    await writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        weightDataBytes: weightData.byteLength,
      },
    };
  });
}

/** Saves a layers model into `dir` (`model.json` + `weights.bin`). */
export async function saveModel(model: tfl.LayersModel, dir: string): Promise<void> {
  await model.save(directorySaveHandler(dir));
}

/** A TF.js load handler for a folder written by `saveModel` (or by any TF.js layers-format export). */
export function directoryLoadHandler(dir: string): tf.io.IOHandler {
  return { load: () => readModelArtifacts(dir) };
}

/** Loads a layers model saved by `saveModel`. */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(directoryLoadHandler(dir));
}

const WEIGHTS_JSON = 'weights.json';

/** Saves only the weights: `weights.bin` + `weights.json` (their names, shapes and dtypes), atomically. */
export async function saveWeights(model: tfl.LayersModel, dir: string): Promise<void> {
  const named = model.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
  const { data, specs } = await tf.io.encodeWeights(named);
  await writeFileAtomic(path.join(dir, WEIGHTS_BIN), concatWeightData(data));
  await writeFileAtomic(path.join(dir, WEIGHTS_JSON), JSON.stringify({ weights: specs }));
}

/** Loads weights saved by `saveWeights` into a model of the same architecture. */
export async function loadWeights(model: tfl.LayersModel, dir: string): Promise<void> {
  const specs = (
    JSON.parse(await fs.readFile(path.join(dir, WEIGHTS_JSON), 'utf8')) as {
      weights: tf.io.WeightsManifestEntry[];
    }
  ).weights;
  const bytes = await fs.readFile(path.join(dir, WEIGHTS_BIN));
  const tensors = tf.io.decodeWeights(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    specs,
  );
  if (specs.length !== model.weights.length) {
    tf.dispose(Object.values(tensors));
    throw new VisionlabError(
      `${dir} holds ${specs.length} weights, the model ${model.weights.length}`,
      'Load weights into the architecture they were saved from.',
    );
  }
  model.weights.forEach((w, i) => w.write(tensors[specs[i].name]));
  tf.dispose(Object.values(tensors));
}
