/**
 * A pretrained backbone that needs no download: the Keras MobileNetV2 (alpha 1.0) that the npm package
 * `nsfwjs` (Infinite Red, MIT license, https://github.com/infinitered/nsfwjs) ships inside its package as
 * a TF.js layers model, fine-tuned from ImageNet to classify five kinds of images. We keep the
 * convolutional part up to `out_relu` and drop nsfwjs' own head. Its weights are stored uint8-quantized;
 * TF.js dequantizes them on load. nsfwjs feeds it pixels / 255; that scaling is a `Rescaling` layer
 * (`nsfwjs_rescale`) inside the backbone here, so it takes 0–255 pixels (preprocessing mode `raw`).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';

export const NSFWJS_MOBILENET_V2_ORIGIN =
  'MobileNetV2 from the npm package nsfwjs (Infinite Red, MIT license), cut at out_relu';
export const NSFWJS_MOBILENET_V2_PREPROCESS_MODE = 'raw';

interface KerasLayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown[];
}
interface ModelJson {
  modelTopology: {
    model_config: { config: { layers: KerasLayerJson[]; output_layers: unknown[] } };
    training_config?: unknown;
  };
  weightsManifest: tf.io.WeightsManifestConfig;
}

async function loadBundledArtifacts(): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
  try {
    const { MobileNetV2Model } = await import('nsfwjs/models/mobilenet_v2');
    const json = ((await MobileNetV2Model.modelJson()) as { default: ModelJson }).default;
    const shard = ((await MobileNetV2Model.weightBundles[0]()) as { default: string }).default;
    const bytes = Buffer.from(shard, 'base64');
    return { json, weights: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
  } catch (err) {
    throw new VisionlabError(
      `The MobileNetV2 bundled with nsfwjs could not be read (${(err as Error).message}).`,
      'Install it with `npm install nsfwjs@4`.',
    );
  }
}

/** Rewrites the stored topology: our input size, every layer trainable, output at `out_relu`. */
function headlessTopology(json: ModelJson, inputShape: [number, number, number]): ModelJson['modelTopology'] {
  const topology = structuredClone(json.modelTopology);
  const config = topology.model_config.config;
  const cut = config.layers.findIndex((l) => l.name === 'out_relu');
  const inputName = config.layers[0].name;
  const layers = config.layers.slice(0, cut + 1).map((layer) => {
    const layerConfig: Record<string, unknown> = { ...layer.config, trainable: true };
    if (layer.class_name === 'InputLayer') layerConfig.batch_input_shape = [null, ...inputShape];
    const inbound = JSON.stringify(layer.inbound_nodes).replaceAll(`["${inputName}",`, '["nsfwjs_rescale",');
    return { ...layer, config: layerConfig, inbound_nodes: JSON.parse(inbound) as unknown[] };
  });
  const rescale: KerasLayerJson = {
    name: 'nsfwjs_rescale',
    class_name: 'Rescaling',
    config: { name: 'nsfwjs_rescale', trainable: true, scale: 1 / 255, offset: 0 },
    inbound_nodes: [[[inputName, 0, 0, {}]]],
  };
  config.layers = [layers[0], rescale, ...layers.slice(1)];
  config.output_layers = [['out_relu', 0, 0]];
  delete topology.training_config;
  return topology;
}

/**
 * Loads nsfwjs' MobileNetV2 as a headless backbone (output `out_relu`, 1280 channels at 1/32 of the input).
 * Input sizes that are multiples of 32 reproduce the original padding exactly.
 */
export async function loadNsfwjsMobileNetV2(
  inputShape: [number, number, number] = [224, 224, 3],
  options: { weights?: boolean } = {},
): Promise<tfl.LayersModel> {
  if (inputShape[2] !== 3) {
    throw new VisionlabError(
      `mobilenet_v2_nsfwjs needs 3 input channels, got ${inputShape[2]}.`,
      'Load images as RGB.',
    );
  }
  const { json, weights } = await loadBundledArtifacts();

  const topology = headlessTopology(json, inputShape);
  const modelTopology = topology as unknown as tf.io.ModelJSON['modelTopology'];
  if (options.weights === false) return tfl.models.modelFromJSON({ modelTopology });
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  // Not strict: the file also holds nsfwjs' dropped head. Every backbone weight must still come from it.
  const model = await tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology, weightSpecs, weightData: weights }),
    {
      strict: false,
    },
  );
  const stored = new Set(weightSpecs.map((w) => w.name));
  const missing = model.weights.filter((w) => !stored.has(w.originalName)).map((w) => w.originalName);
  if (missing.length > 0) {
    model.dispose();
    throw new VisionlabError(
      `nsfwjs' MobileNetV2 lacks weights for ${missing.join(', ')}.`,
      'Reinstall nsfwjs@4.',
    );
  }
  return model;
}
