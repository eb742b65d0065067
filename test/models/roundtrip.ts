import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Saves a model to memory in the TF.js layers format and loads it back. */
export async function saveAndLoad(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts) throw new Error('nothing was saved');
  // Through JSON, as a file would be.
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
  return tfl.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: topology }));
}

/** The largest absolute difference between two tensors. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** A flat copy of all weights. */
export function snapshot(model: tfl.LayersModel): Float32Array[] {
  return model.trainableWeights.map((w) => w.read().dataSync() as Float32Array).map((a) => a.slice());
}
