import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '../../src/engine/backend.js';
import { VisionlabError } from '../../src/errors.js';
import { buildModel, getModel } from '../../src/models/index.js';
import { buildDavit, davitT } from '../../src/models/davit/index.js';
import { channelSelfAttention, windowAttention } from '../../src/models/davit/attention.js';
import { channelAttentionReference, windowAttentionReference } from './davit-reference.js';
import { setRandomSeed, unsetRandomSeed } from '../../src/train/random.js';

before(async () => {
  await initBackend();
});

const TINY = { depths: [2, 2, 2, 2], widths: [8, 16, 24, 32], heads: [1, 2, 2, 4] };

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

function attentionModel(
  shape: [number, number, number],
  block: (x: tfl.SymbolicTensor) => tfl.SymbolicTensor,
): tfl.LayersModel {
  const input = tfl.input({ shape });
  return tfl.model({ inputs: input, outputs: block(input) });
}

describe('DaViT', () => {
  it('has the published parameter counts (T 28,360,168; S 49,745,896; B 87,954,408 at 224 with 1000 classes)', () => {
    for (const [name, params] of [
      ['davit_t', 28_360_168],
      ['davit_s', 49_745_896],
      ['davit_b', 87_954_408],
    ] as const) {
      const model = buildModel(name);
      assert.equal(model.countParams(), params, name);
      model.dispose();
    }
  });

  it('is in the zoo with torch preprocessing', () => {
    assert.equal(getModel('davit_t').preprocessing, 'torch');
    assert.equal(getModel('DaViT-S').family, 'DaViT');
  });

  it('names layers and weights as keras_cv_attention_models does', () => {
    const model = davitT({ inputShape: [224, 224, 3] });
    const names = new Set(model.weights.map((w) => w.originalName));
    for (const expected of [
      'stem_conv/kernel',
      'stem_ln/gamma',
      'stack1_block1_pre_attn_cpe_dw_conv/depthwise_kernel',
      'stack1_block1_attn_ln/beta',
      'stack1_block1_attn_qkv/kernel',
      'stack1_block1_attn_output/bias',
      'stack1_block2_channel_attn_qkv/kernel',
      'stack1_block2_channel_attn_output/kernel',
      'stack1_block1_pre_ffn_cpe_dw_conv/bias',
      'stack1_block1_mlp_Dense_0/kernel',
      'stack1_block1_mlp_Dense_1/bias',
      'stack2_downsample_ln/gamma',
      'stack2_downsample_conv/kernel',
      'stack4_block2_mlp_Dense_1/kernel',
      'pre_output_ln/gamma',
      'predictions/kernel',
    ]) {
      assert.ok(names.has(expected), expected);
    }
    assert.deepEqual(model.getLayer('stack1_block1_attn_qkv').getWeights()[0].shape, [96, 288]);
    assert.equal(model.weights.length, 212);
    model.dispose();
  });

  it("builds the user's 280×280 backbone with window 9 and 27,591,168 backbone parameters", () => {
    const model = davitT({ inputShape: [280, 280, 3], numClasses: 0 });
    assert.deepEqual(model.outputs[0].shape, [null, 9, 9, 768]);
    assert.equal(model.countParams(), 27_591_168);
    // 70×70 and 35×35 maps are padded to 72×72 and 36×36 for 9×9 windows, then cropped back.
    assert.ok(model.layers.some((l) => l.getClassName() === 'Cropping2D'));
    model.dispose();
  });

  it('window attention with padding equals attention computed window by window', () => {
    const model = attentionModel([9, 9, 4], (x) => windowAttention(x, [5, 5], 2, 'w_'));
    const image = tf.randomNormal([9, 9, 4], 0, 1, 'float32', 11) as tf.Tensor3D;
    const out = tf.squeeze(model.predict(tf.expandDims(image)) as tf.Tensor4D, [0]) as tf.Tensor3D;
    const qkv = model.getLayer('w_qkv');
    const output = model.getLayer('w_output');
    // top-left window: rows/cols 0-4 of the map
    const topLeft = windowAttentionReference(tf.slice(image, [0, 0, 0], [5, 5, 4]), 2, qkv, output);
    assert.ok(maxDiff(tf.slice(out, [0, 0, 0], [5, 5, 4]), topLeft) < 1e-5);
    // bottom-right window: rows/cols 5-8 plus one row and column of zero padding
    const padded = tf.pad(tf.slice(image, [5, 5, 0], [4, 4, 4]), [
      [0, 1],
      [0, 1],
      [0, 0],
    ]) as tf.Tensor3D;
    const bottomRight = tf.slice(windowAttentionReference(padded, 2, qkv, output), [0, 0, 0], [4, 4, 4]);
    assert.ok(maxDiff(tf.slice(out, [5, 5, 0], [4, 4, 4]), bottomRight) < 1e-5);
    assert.deepEqual(out.shape, [9, 9, 4]);
  });

  it('channel attention equals the reference formula', () => {
    const model = attentionModel([3, 5, 8], (x) => channelSelfAttention(x, 2, 'c_'));
    const image = tf.randomNormal([3, 5, 8], 0, 1, 'float32', 5) as tf.Tensor3D;
    const out = tf.squeeze(model.predict(tf.expandDims(image)) as tf.Tensor4D, [0]);
    const expected = channelAttentionReference(image, 2, model.getLayer('c_qkv'), model.getLayer('c_output'));
    assert.ok(maxDiff(out, expected) < 1e-5);
  });

  it('takes inputs not divisible by 32, trains one step without leaking tensors, and saves/loads', async () => {
    const model = buildDavit(TINY, {
      inputShape: [70, 50, 3],
      numClasses: 1,
      classifierActivation: 'sigmoid',
    });
    assert.deepEqual(model.outputs[0].shape, [null, 1]);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
    const x = tf.randomUniform([2, 70, 50, 3], -1, 1, 'float32', 1);
    const y = tf.tensor2d([[0], [1]]);
    const before = model.getLayer('stem_conv').getWeights()[0].dataSync().slice();
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 }); // creates optimizer slots
    const tensors = tf.memory().numTensors;
    const history = await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    assert.equal(tf.memory().numTensors, tensors);
    assert.ok(Number.isFinite(history.history.loss[0] as number));
    const after = model.getLayer('stem_conv').getWeights()[0].dataSync();
    assert.ok(
      after.some((v, i) => v !== before[i]),
      'stem weights changed',
    );

    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    assert.deepEqual(
      Array.from((loaded.predict(x) as tf.Tensor).dataSync()),
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
  });

  it('trains to the same losses on native as on the cpu backend (fused layer norm, GELU, oneDNN matmul)', async (t) => {
    if (tf.getBackend() !== 'native') {
      t.skip('the native backend is unavailable');
      return;
    }
    const steps = 5;
    const x = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3);
    const y = tf.tensor2d([[0], [1]]);
    // Seeded: some unseeded draws drove the loss to ~0.02 within five steps, where the relative error of
    // fp32 sigmoid cross-entropy grows past 1e-4 on any backend pair; this one stays between 0.5 and 1.
    setRandomSeed(7);
    const initial = buildDavit(TINY, {
      inputShape: [64, 64, 3],
      numClasses: 1,
      classifierActivation: 'sigmoid',
    });
    unsetRandomSeed();
    const weights = initial.getWeights().map((w) => w.clone());
    initial.dispose();
    const losses = async (backend: 'cpu' | 'native'): Promise<number[]> => {
      await tf.setBackend(backend);
      const model = buildDavit(TINY, {
        inputShape: [64, 64, 3],
        numClasses: 1,
        classifierActivation: 'sigmoid',
      });
      model.setWeights(weights);
      model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
      const out: number[] = [];
      for (let i = 0; i < steps; i++) out.push((await model.trainOnBatch(x, y)) as number);
      model.dispose();
      return out;
    };
    const onCpu = await losses('cpu');
    const onNative = await losses('native');
    onCpu.forEach((l, i) =>
      assert.ok(
        Math.abs(onNative[i] - l) <= 1e-4 * Math.abs(l),
        `step ${i}: native ${onNative[i]}, cpu ${l}`,
      ),
    );
    assert.ok(onCpu[steps - 1] < onCpu[0], 'the loss falls');
    tf.dispose([x, y, ...weights]);
  });

  it('rejects inputs smaller than 32 with a clear error', () => {
    assert.throws(() => davitT({ inputShape: [16, 16, 3] }), VisionlabError);
  });
});
