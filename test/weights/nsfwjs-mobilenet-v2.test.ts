import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import { initBackend } from '../../src/engine/backend.js';
import { buildModel, getModel, summarizeModel } from '../../src/models/index.js';
import { loadNsfwjsMobileNetV2 } from '../../src/weights/index.js';

before(async () => {
  await initBackend();
});

interface Spec {
  name: string;
  shape: number[];
  quantization?: { min: number; scale: number; dtype: string };
}

/** The first stored weight (Conv1/kernel), dequantized by hand from nsfwjs' uint8 shard. */
async function storedConv1Kernel(): Promise<{ spec: Spec; values: Float32Array }> {
  const json = (
    (await MobileNetV2Model.modelJson()) as { default: { weightsManifest: { weights: Spec[] }[] } }
  ).default;
  const spec = json.weightsManifest[0].weights[0];
  const shard = Buffer.from(
    ((await MobileNetV2Model.weightBundles[0]()) as { default: string }).default,
    'base64',
  );
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const { min, scale } = spec.quantization as { min: number; scale: number };
  return { spec, values: Float32Array.from(shard.subarray(0, count), (q) => Math.fround(q * scale + min)) };
}

describe('nsfwjs MobileNetV2 backbone', () => {
  it('is the Keras MobileNetV2 (2,257,984 parameters) cut at out_relu, at any input size', async () => {
    const model = await loadNsfwjsMobileNetV2([96, 96, 3]);
    assert.equal(model.countParams(), 2_257_984);
    assert.equal(model.outputs[0].shape.join(','), ',3,3,1280');
    assert.equal(model.layers[model.layers.length - 1].name, 'out_relu');
    assert.equal(model.getLayer('nsfwjs_rescale').getClassName(), 'Rescaling');
    assert.ok(model.layers.slice(1).every((l) => l.trainable));
    assert.equal(model.trainableWeights.length, 156);
  });

  it("holds nsfwjs' own weights, and random ones when asked", async () => {
    const { spec, values } = await storedConv1Kernel();
    assert.equal(spec.name, 'Conv1/kernel');
    const pretrained = await loadNsfwjsMobileNetV2([64, 64, 3]);
    const loaded = pretrained.getLayer('Conv1').getWeights()[0].dataSync() as Float32Array;
    const tolerance = (spec.quantization?.scale ?? 0) * 1e-3;
    assert.equal(loaded.length, values.length);
    assert.ok(loaded.every((v, i) => Math.abs(v - values[i]) <= tolerance));
    const random = await loadNsfwjsMobileNetV2([64, 64, 3], { weights: false });
    const fresh = random.getLayer('Conv1').getWeights()[0].dataSync();
    assert.ok(fresh.some((v, i) => Math.abs(v - values[i]) > 1e-3));
  });

  it("computes what nsfwjs' own model computes at out_relu (nsfwjs feeds pixels / 255)", async () => {
    const json = ((await MobileNetV2Model.modelJson()) as { default: tf.io.ModelJSON }).default;
    const shard = Buffer.from(
      ((await MobileNetV2Model.weightBundles[0]()) as { default: string }).default,
      'base64',
    );
    const original = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength),
      }),
    );
    const cut = tfl.model({
      inputs: original.inputs,
      outputs: original.getLayer('out_relu').output as tfl.SymbolicTensor,
    });
    const backbone = await loadNsfwjsMobileNetV2([224, 224, 3]);
    const pixels = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 9);
    const expected = cut.predict(tf.div(pixels, 255)) as tf.Tensor;
    const actual = backbone.predict(pixels) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0];
    const scale = tf.max(tf.abs(expected)).dataSync()[0];
    assert.ok(scale > 0.1 && diff <= 1e-4 * scale, `difference ${diff} of ${scale}`);
  });

  it('is the zoo entry mobilenet_v2_nsfwjs: the same layers, and with the bundled weights the same output', async () => {
    const spec = getModel('mobilenet_v2_nsfwjs');
    assert.deepEqual(
      spec.pretrained?.map((p) => [p.tag, p.layout, p.downloadMB]),
      [['nsfwjs', 'tfjs-bundled', 0]],
    );
    const atDefault = buildModel('mobilenet_v2_nsfwjs', { initializeWeights: false });
    const summary = summarizeModel(atDefault);
    assert.deepEqual(spec.stats, { params: summary.totalParams, flops: summary.flops });
    atDefault.dispose();
    const zoo = buildModel('mobilenet_v2_nsfwjs', { inputShape: [64, 64, 3] });
    const bundled = await loadNsfwjsMobileNetV2([64, 64, 3]);
    assert.deepEqual(
      zoo.layers.map((l) => [l.name, l.getClassName()]),
      bundled.layers.map((l) => [l.name, l.getClassName()]),
    );
    zoo.setWeights(bundled.getWeights());
    const pixels = tf.randomUniform([2, 64, 64, 3], 0, 255, 'float32', 4);
    const [a, b] = [zoo.predict(pixels) as tf.Tensor, bundled.predict(pixels) as tf.Tensor];
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    const scale = tf.max(tf.abs(b)).dataSync()[0];
    assert.ok(scale > 0.1 && diff <= 1e-5 * scale, `difference ${diff} of ${scale}`);
    tf.dispose([pixels, a, b]);
    zoo.dispose();
    bundled.dispose();
  });
});
