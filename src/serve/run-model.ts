import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../data/index.js';
import type { ColorMode } from '../data/index.js';
import { initBackend } from '../engine/backend.js';
import '../layers/index.js';
import { PREPROCESS_MODES, preprocessInput } from '../models/preprocess.js';
import type { PreprocessMode } from '../models/types.js';
import { HttpError } from './http-error.js';

export interface ClassProbability {
  label: string;
  probability: number;
}

/** What the predict endpoint answers. */
export interface RunPredictResult {
  run: string;
  /** Every class with its probability, most likely first. */
  predictions: ClassProbability[];
  inputShape: [number, number, number];
  preprocessing: PreprocessMode;
}

interface LoadedModel {
  model: tfl.LayersModel;
  stamp: string;
  classNames: string[];
  height: number;
  width: number;
  colorMode: ColorMode;
  preprocessing: PreprocessMode;
}

function readPreprocessing(config: Record<string, unknown>): PreprocessMode {
  const value = config.preprocessing;
  const mode = typeof value === 'string' ? value : (value as { mode?: unknown } | undefined)?.mode;
  return PREPROCESS_MODES.includes(mode as PreprocessMode) ? (mode as PreprocessMode) : 'raw';
}

/** A TF.js IO handler that reads `model.json` and its weight shards from disk, staying inside the model folder. */
function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  const modelDir = path.dirname(modelJsonPath);
  return {
    load: async () => {
      const json = JSON.parse(await fs.readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const shard of group.paths) {
            const file = path.resolve(modelDir, shard);
            if (path.dirname(file) !== modelDir)
              throw new Error(`weight file ${shard} is outside the model folder`);
            const bytes = await fs.readFile(file);
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
            );
          }
          specs.push(...group.weights);
        }
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

/** Loads run models on demand and keeps the most recent few, reloading when `model.json` changes. */
export class RunModelCache {
  private readonly models = new Map<string, LoadedModel>();

  constructor(private readonly capacity = 3) {}

  private async load(runName: string, runDir: string): Promise<LoadedModel> {
    const modelJson = path.join(runDir, 'model', 'model.json');
    let stamp: string;
    try {
      const stat = await fs.stat(modelJson);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      throw new HttpError(409, `run "${runName}" has no saved model yet (model/model.json)`);
    }
    const cached = this.models.get(runName);
    if (cached && cached.stamp === stamp) {
      this.models.delete(runName);
      this.models.set(runName, cached);
      return cached;
    }
    if (cached) this.evict(runName);
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(await fs.readFile(path.join(runDir, 'config.json'), 'utf8')) as Record<
        string,
        unknown
      >;
    } catch {
      throw new HttpError(409, `run "${runName}" has no readable config.json`);
    }
    await initBackend();
    // The model zoo registers its custom layers on import; it is large, so it loads with the first model.
    await import('../models/index.js');
    let model: tfl.LayersModel;
    try {
      model = await tfl.loadLayersModel(fileHandler(modelJson));
    } catch (err) {
      throw new HttpError(500, `the model of run "${runName}" cannot be loaded: ${(err as Error).message}`);
    }
    const inputShape = model.inputs[0].shape;
    const [height, width] = Array.isArray(config.imageSize)
      ? (config.imageSize as number[])
      : [inputShape[1] ?? 0, inputShape[2] ?? 0];
    const channels = inputShape[3];
    const colorMode: ColorMode =
      config.colorMode === 'grayscale' || config.colorMode === 'rgba' || config.colorMode === 'rgb'
        ? config.colorMode
        : channels === 1
          ? 'grayscale'
          : channels === 4
            ? 'rgba'
            : 'rgb';
    const outputs = model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 1;
    const configured = Array.isArray(config.classNames) ? (config.classNames as string[]).map(String) : [];
    const classNames =
      configured.length === Math.max(outputs, 2)
        ? configured
        : Array.from({ length: Math.max(outputs, 2) }, (_, i) => `class ${i}`);
    const loaded: LoadedModel = {
      model,
      stamp,
      classNames,
      height,
      width,
      colorMode,
      preprocessing: readPreprocessing(config),
    };
    this.models.set(runName, loaded);
    while (this.models.size > this.capacity) this.evict(this.models.keys().next().value as string);
    return loaded;
  }

  private evict(runName: string): void {
    this.models.get(runName)?.model.dispose();
    this.models.delete(runName);
  }

  /** Classifies one encoded image with the run's saved model, decoded and preprocessed as in training. */
  async predict(runName: string, runDir: string, image: Buffer): Promise<RunPredictResult> {
    const loaded = await this.load(runName, runDir);
    const { height, width, colorMode } = loaded;
    const channels = colorMode === 'grayscale' ? 1 : colorMode === 'rgba' ? 4 : 3;
    let pixels: Uint8Array;
    try {
      pixels = await decodeImage(image, {
        height,
        width,
        colorMode,
        interpolation: 'bilinear',
        cropToAspectRatio: false,
        maxPixels: 50_000_000,
      });
    } catch (err) {
      throw new HttpError(415, `the image cannot be decoded: ${(err as Error).message}`);
    }
    const probabilities = tf.tidy(() => {
      const x = preprocessInput(
        tf.tensor4d(pixels, [1, height, width, channels], 'float32'),
        loaded.preprocessing,
      );
      const y = loaded.model.predict(x) as tf.Tensor;
      const flat = tf.reshape(y, [-1]);
      // One sigmoid unit is P(class 1); softmax outputs are the probabilities as they are.
      return flat.size === 1 ? tf.concat([tf.sub(1, flat), flat]) : flat;
    });
    const values = Array.from((await probabilities.data()) as Float32Array);
    probabilities.dispose();
    const predictions = values
      .map((probability, i) => ({ label: loaded.classNames[i] ?? `class ${i}`, probability }))
      .sort((a, b) => b.probability - a.probability);
    return {
      run: runName,
      predictions,
      inputShape: [height, width, channels],
      preprocessing: loaded.preprocessing,
    };
  }

  dispose(): void {
    for (const name of [...this.models.keys()]) this.evict(name);
  }
}
