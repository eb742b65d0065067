import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { initBackend } from '../../src/engine/backend.js';
import {
  buildGoogLeNet,
  buildTransferModel,
  googlenetInferenceModel,
  listModels,
  NSFWJS_BACKBONE,
  preprocessInput,
  type PreprocessMode,
} from '../../src/models/index.js';
import { exportOnnx } from '../../src/export/index.js';
import { buildSmall, diffAndRange, randomizeWeights, randomPixels } from './zoo-models.js';

/** Runs the exported graph on 0–255 pixels and compares with `model.predict` on preprocessed pixels. */
async function compareWithOnnxruntime(
  model: tfl.LayersModel,
  size: number,
  mode: PreprocessMode,
): Promise<void> {
  randomizeWeights(model);
  const pixels = randomPixels([2, size, size, 3]);
  const before = tf.memory().numTensors;
  const bytes = exportOnnx(model, { preprocessing: mode });
  assert.equal(tf.memory().numTensors, before, 'export leaves no tensors behind');
  const expected = tf.tidy(() => {
    const out = model.predict(preprocessInput(pixels, mode));
    return (Array.isArray(out) ? out[0] : out) as tf.Tensor;
  });
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({
    input: new ort.Tensor('float32', pixels.dataSync() as Float32Array, pixels.shape),
  });
  assert.deepEqual(result.output.dims, expected.shape);
  const { maxDiff, range } = diffAndRange(expected.dataSync(), result.output.data as Float32Array);
  assert.ok(range > 1e-3, `outputs vary (range ${range})`);
  assert.ok(maxDiff <= 1e-4 * range, `max |diff| ${maxDiff} > 1e-4 × range ${range}`);
  tf.dispose([pixels, expected]);
  await session.release();
}

describe('ONNX export runs in onnxruntime as in visionlab', () => {
  before(async () => {
    await initBackend();
  });

  for (const spec of listModels()) {
    it(`${spec.name} (with its ${spec.preprocessing} preprocessing in the graph)`, async () => {
      const { model, size } = buildSmall(spec);
      await compareWithOnnxruntime(model, size, spec.preprocessing);
      model.dispose();
    });
  }

  it("GoogLeNet's training model exports its inference graph (main output only)", async () => {
    const training = buildGoogLeNet({
      inputShape: [80, 80, 3],
      classes: 4,
      auxiliaryOutputs: true,
      initializeWeights: false,
    });
    assert.equal(training.outputs.length, 3);
    await compareWithOnnxruntime(googlenetInferenceModel(training), 80, 'tf');
    const session = await ort.InferenceSession.create(exportOnnx(training));
    assert.deepEqual(session.outputNames, ['output']);
    await session.release();
    training.dispose();
  });

  for (const backbone of ['davit_t', 'resnet50', NSFWJS_BACKBONE]) {
    it(`transfer model on ${backbone} with its GAP → Dropout → Dense head`, async () => {
      const size = backbone === NSFWJS_BACKBONE ? 64 : 32;
      const transfer = await buildTransferModel({
        backbone,
        inputShape: [size, size, 3],
        pretrained: backbone === NSFWJS_BACKBONE ? 'nsfwjs' : null,
        units: 3,
        activation: 'softmax',
        freezeUntil: 5,
      });
      await compareWithOnnxruntime(transfer.model, size, transfer.preprocessing);
      transfer.model.dispose();
    });
  }
});
