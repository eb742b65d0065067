import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

/** A small CNN with fixed random weights: 8×8 RGB in, softmax over `classes` out. */
export function tinyClassifier(classes = 3, seed = 7): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [8, 8, 3],
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(tfl.layers.globalAveragePooling2d({}));
  model.add(
    tfl.layers.dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  return model;
}

/** Saves `model` as `<runDir>/model/model.json` + `weights.bin`, the TF.js layers format training writes. */
export async function saveModel(model: tfl.LayersModel, runDir: string): Promise<void> {
  const modelDir = path.join(runDir, 'model');
  mkdirSync(modelDir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      writeFileSync(path.join(modelDir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      writeFileSync(
        path.join(modelDir, 'model.json'),
        JSON.stringify({
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        }),
      );
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** An 8×8 RGB gradient as raw pixels and as a PNG. */
export async function gradientImage(): Promise<{ pixels: Uint8Array; png: Buffer }> {
  const pixels = new Uint8Array(8 * 8 * 3);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const i = (y * 8 + x) * 3;
      pixels[i] = x * 32;
      pixels[i + 1] = y * 32;
      pixels[i + 2] = 255 - x * 16 - y * 8;
    }
  }
  const png = await sharp(Buffer.from(pixels), { raw: { width: 8, height: 8, channels: 3 } })
    .png()
    .toBuffer();
  return { pixels, png };
}
